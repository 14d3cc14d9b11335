/**
 * One mediasoup worker per core, each with one WebRtcServer (one UDP + one TCP port), so a node
 * needs only NUM_WORKERS open ports whatever the number of transports. A dead worker is logged,
 * reported and replaced on the same port; the rooms it carried are closed by their owners.
 */
import { EventEmitter } from "node:events";
import { ParleyError } from "@parley/shared";
import { createWorker, type types } from "mediasoup";
import type { Logger } from "./logger.js";

export interface WorkerPoolOptions {
  numWorkers: number;
  listenIp: string;
  announcedIp: string;
  /** Worker i's WebRtcServer listens on basePort + i (UDP and TCP). */
  basePort: number;
  logger: Logger;
}

/** A worker and its WebRtcServer; `routers` is kept current from mediasoup's observer events. */
export interface WorkerSlot {
  readonly index: number;
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
  readonly port: number;
  routers: number;
  /** Last CPU sample: worker user+system time and wall clock, in milliseconds. */
  lastCpuMs: number;
  lastSampleAt: number;
  /** CPU use between the last two samples, 0..1 of one core. */
  cpu: number;
}

export interface WorkerPoolEvents {
  workerdied: [index: number, error: Error];
  workerreplaced: [index: number];
}

const RESPAWN_DELAYS_MS = [0, 500, 2000, 5000];

export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #options: WorkerPoolOptions;
  readonly #slots: (WorkerSlot | undefined)[];
  #closed = false;

  private constructor(options: WorkerPoolOptions) {
    super();
    this.#options = options;
    this.#slots = new Array(options.numWorkers).fill(undefined);
  }

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      for (let i = 0; i < options.numWorkers; i++) pool.#slots[i] = await pool.#start(i);
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.#slots.filter(Boolean).length;
  }

  get slots(): readonly WorkerSlot[] {
    return this.#slots.filter((s): s is WorkerSlot => s !== undefined);
  }

  /** The live worker carrying the fewest routers: rooms spread evenly over cores. */
  leastLoaded(): WorkerSlot {
    let best: WorkerSlot | undefined;
    for (const slot of this.slots) if (!best || slot.routers < best.routers) best = slot;
    if (!best) throw new ParleyError("NODE_UNAVAILABLE", "this node has no live mediasoup worker; place the room on another node");
    return best;
  }

  /** Samples each worker's CPU time; returns the mean use across workers (0..1). */
  async sampleCpu(): Promise<number> {
    const slots = this.slots;
    await Promise.all(
      slots.map(async (slot) => {
        try {
          const usage = await slot.worker.getResourceUsage();
          const cpuMs = usage.ru_utime + usage.ru_stime;
          const now = Date.now();
          const wall = now - slot.lastSampleAt;
          if (wall > 0) slot.cpu = Math.min(1, Math.max(0, (cpuMs - slot.lastCpuMs) / wall));
          slot.lastCpuMs = cpuMs;
          slot.lastSampleAt = now;
        } catch {
          // The worker died between listing and asking; its replacement starts from zero.
        }
      }),
    );
    return slots.length === 0 ? 0 : slots.reduce((sum, s) => sum + s.cpu, 0) / slots.length;
  }

  close(): void {
    this.#closed = true;
    for (const slot of this.#slots) slot?.worker.close();
    this.#slots.fill(undefined);
  }

  async #start(index: number): Promise<WorkerSlot> {
    const { logger, listenIp, announcedIp, basePort } = this.#options;
    const worker = await createWorker({ logLevel: "warn", appData: { index } });
    const port = basePort + index;
    let webRtcServer: types.WebRtcServer;
    try {
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: "udp", ip: listenIp, announcedAddress: announcedIp, port },
          { protocol: "tcp", ip: listenIp, announcedAddress: announcedIp, port },
        ],
      });
    } catch (error) {
      worker.close();
      throw new Error(`worker ${index}: cannot listen on ${listenIp}:${port} (UDP+TCP): ${(error as Error).message}`);
    }
    const slot: WorkerSlot = { index, worker, webRtcServer, port, routers: 0, lastCpuMs: 0, lastSampleAt: Date.now(), cpu: 0 };
    worker.observer.on("newrouter", (router) => {
      slot.routers++;
      router.observer.once("close", () => slot.routers--);
    });
    worker.on("died", (error) => this.#onDied(index, worker, error));
    logger.info({ worker: index, pid: worker.pid, port }, "mediasoup worker started");
    return slot;
  }

  #onDied(index: number, worker: types.Worker, error: Error): void {
    if (this.#slots[index]?.worker !== worker) return;
    this.#slots[index] = undefined;
    this.#options.logger.error({ worker: index, pid: worker.pid, err: error.message }, "mediasoup worker died; replacing it");
    this.emit("workerdied", index, error);
    void this.#respawn(index, 0);
  }

  async #respawn(index: number, attempt: number): Promise<void> {
    const delay = RESPAWN_DELAYS_MS[Math.min(attempt, RESPAWN_DELAYS_MS.length - 1)]!;
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (this.#closed) return;
    try {
      const slot = await this.#start(index);
      if (this.#closed) {
        slot.worker.close();
        return;
      }
      this.#slots[index] = slot;
      this.emit("workerreplaced", index);
    } catch (error) {
      this.#options.logger.error({ worker: index, attempt, err: (error as Error).message }, "cannot restart mediasoup worker; retrying");
      void this.#respawn(index, attempt + 1);
    }
  }
}
