/**
 * The media node: its worker pool and the rooms placed on it. Owns placement (least-loaded worker),
 * draining, and the counts the heartbeat and metrics report.
 */
import { EventEmitter } from "node:events";
import { type NodeEvent, type NodeLoad, ParleyError } from "@parley/shared";
import type { Logger } from "./logger.js";
import { Room } from "./room.js";
import { type CountedTransport, TrafficMeter } from "./traffic-meter.js";
import type { WorkerPool } from "./worker-pool.js";

export interface MediaNodeEvents {
  event: [event: NodeEvent];
}

export class MediaNode extends EventEmitter<MediaNodeEvents> {
  readonly pool: WorkerPool;
  /** Client traffic of every room's transports, sampled with each heartbeat's load. */
  readonly traffic = new TrafficMeter(() => this.#transports());
  readonly #logger: Logger;
  readonly #rooms = new Map<string, Room>();
  /** Rooms being created, so two concurrent calls for one room share one router. */
  readonly #creating = new Map<string, Promise<Room>>();
  #draining = false;

  constructor(pool: WorkerPool, logger: Logger) {
    super();
    this.pool = pool;
    this.#logger = logger;
  }

  get draining(): boolean {
    return this.#draining;
  }

  get rooms(): ReadonlyMap<string, Room> {
    return this.#rooms;
  }

  /** The room's router, creating it on the least-loaded worker if this node does not have it yet. */
  async getOrCreateRoom(roomId: string): Promise<Room> {
    const existing = this.#rooms.get(roomId);
    if (existing) return existing;
    const pending = this.#creating.get(roomId);
    if (pending) return pending;
    if (this.#draining) throw new ParleyError("NODE_DRAINING", "this node is draining and takes no new rooms");
    const creation = Room.create(roomId, this.pool.leastLoaded());
    this.#creating.set(roomId, creation);
    try {
      const room = await creation;
      this.#rooms.set(roomId, room);
      room.on("event", (event) => this.emit("event", event));
      room.once("close", (reason) => {
        this.#rooms.delete(roomId);
        this.#logger.info({ room: roomId, reason }, "room closed");
      });
      this.#logger.info({ room: roomId, worker: room.workerIndex, router: room.routerId }, "room created");
      return room;
    } finally {
      this.#creating.delete(roomId);
    }
  }

  getRoom(roomId: string): Room {
    const room = this.#rooms.get(roomId);
    if (!room) throw new ParleyError("ROOM_NOT_ON_NODE", "this node has no router for that room");
    return room;
  }

  closeRoom(roomId: string): void {
    this.getRoom(roomId).close("closed");
  }

  counts(): Omit<NodeLoad, "cpu" | "bitrateIn" | "bitrateOut"> & { rooms: number } {
    let transports = 0;
    let producers = 0;
    let consumers = 0;
    for (const room of this.#rooms.values()) {
      const c = room.counts;
      transports += c.transports;
      producers += c.producers;
      consumers += c.consumers;
    }
    return { workers: this.pool.size, rooms: this.#rooms.size, routers: this.#rooms.size, transports, producers, consumers };
  }

  /** Current load for heartbeats: counts plus fresh CPU and traffic samples (since the previous heartbeat). */
  async load(): Promise<NodeLoad> {
    const [cpu, traffic] = await Promise.all([this.pool.sampleCpu(), this.traffic.sample()]);
    const { rooms: _rooms, ...counts } = this.counts();
    return { ...counts, cpu, bitrateIn: traffic.bitrateIn, bitrateOut: traffic.bitrateOut };
  }

  *#transports(): Iterable<CountedTransport> {
    for (const room of this.#rooms.values()) yield* room.transports;
  }

  /**
   * Stops taking new rooms, waits up to graceMs for existing rooms to end on their own (members
   * leaving, the Room DO moving them), then closes what is left.
   */
  async drain(graceMs: number): Promise<void> {
    this.#draining = true;
    this.#logger.info({ rooms: this.#rooms.size, graceMs }, "draining");
    const deadline = Date.now() + graceMs;
    while (this.#rooms.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, Math.min(250, deadline - Date.now())));
    for (const room of [...this.#rooms.values()]) room.close("draining");
  }

  close(): void {
    this.#draining = true;
    for (const room of [...this.#rooms.values()]) room.close("closed");
    this.pool.close();
  }
}
