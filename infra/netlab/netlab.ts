/**
 * The network lab's TypeScript API: put a seeded, reconfigurable bad network between this
 * machine's clients (Chromium, @roamhq/wrtc bots) and a media node's WebRtcServer ports.
 *
 *   const lab = await NetLab.start({ ports: [node.rtcPort], conditions: { downlink: { loss: 30, delayMs: 150 } } });
 *   await lab.update({ uplink: { cut: true } });   // mid-call
 *   const stats = await lab.stop();                // rules removed, counters returned
 *
 * Needs root, nft and conntrack (infra/debian/ensure-packages.sh). Start it before the clients
 * connect, or let it re-steer running flows (it deletes their conntrack entries).
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type LabConditions, type LabConditionsInput, type LinkConditionsInput, parseLabConditions } from "./conditions.js";
import type { LabReply, LabRequest, LabStats, RelayPorts } from "./protocol.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, "..", "..");

export interface NetLabOptions {
  /** The media node's WebRtcServer ports (UDP and TCP, one per worker). */
  ports: number[];
  /** The address clients send to (the node's announced address). */
  address?: string;
  conditions?: LabConditionsInput;
  /** Same seed, same packets → same losses. Default: fixed, so runs are comparable. */
  seed?: string | number;
}

/** A change to some fields of one or both directions; the rest stay as they are. */
export interface LabConditionsPatch {
  uplink?: LinkConditionsInput;
  downlink?: LinkConditionsInput;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class NetLab {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (reply: LabReply) => void>();
  #relays: RelayPorts[] = [];
  #table = "";
  #conditions: LabConditions;
  #nextId = 1;
  /** Changes run one after another, so an update merges into the one before it, not into stale conditions. */
  #changes: Promise<unknown> = Promise.resolve();
  #stopped: Promise<LabStats> | undefined;

  private constructor(child: ChildProcess, conditions: LabConditions) {
    this.#child = child;
    this.#conditions = conditions;
    child.on("message", (reply: LabReply) => {
      const resolve = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      resolve?.(reply);
    });
    child.once("exit", (code, signal) => {
      for (const [id, resolve] of this.#pending) resolve({ type: "error", id, message: `the relay process exited (${signal ?? code})` });
      this.#pending.clear();
    });
  }

  static async start(options: NetLabOptions): Promise<NetLab> {
    const conditions = parseLabConditions(options.conditions ?? {});
    const child = spawn(process.execPath, ["--import", "tsx", path.join(HERE, "lab-process.ts")], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const lab = new NetLab(child, conditions);
    try {
      const ready = await lab.#request({
        type: "start",
        address: options.address ?? "127.0.0.1",
        ports: options.ports,
        conditions,
        seed: String(options.seed ?? "parley-netlab"),
      });
      if (ready.type !== "ready") throw new Error(`unexpected reply ${ready.type}`);
      lab.#relays = ready.relays;
      lab.#table = ready.table;
      return lab;
    } catch (err) {
      child.kill("SIGTERM");
      throw new Error(`netlab could not start: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  get conditions(): LabConditions {
    return this.#conditions;
  }

  /** Where each node port is relayed (for logs), and the nftables table holding the rules. */
  get relays(): readonly RelayPorts[] {
    return this.#relays;
  }

  get table(): string {
    return this.#table;
  }

  /** Replaces the conditions (fields left out take their defaults: a clean link). */
  set(conditions: LabConditionsInput): Promise<LabConditions> {
    return this.#change(() => parseLabConditions(conditions));
  }

  /** Changes only the fields given, per direction. */
  update(patch: LabConditionsPatch): Promise<LabConditions> {
    return this.#change(() => mergeConditions(this.#conditions, patch));
  }

  #change(next: () => LabConditions): Promise<LabConditions> {
    const done = this.#changes.then(async () => {
      const parsed = next();
      await this.#request({ type: "set", conditions: parsed });
      this.#conditions = parsed;
      return parsed;
    });
    this.#changes = done.catch(() => {});
    return done;
  }

  async stats(): Promise<LabStats> {
    const reply = await this.#request({ type: "stats" });
    if (reply.type !== "stats") throw new Error("netlab: unexpected reply to stats");
    return reply.stats;
  }

  /** Removes the rules, closes the relay and returns its final counters. Idempotent. */
  stop(): Promise<LabStats> {
    this.#stopped ??= (async () => {
      const exited = new Promise<void>((resolve) => {
        if (this.#child.exitCode !== null) resolve();
        else this.#child.once("exit", () => resolve());
      });
      const reply = await this.#request({ type: "stop" });
      const timer = setTimeout(() => this.#child.kill("SIGTERM"), 5_000);
      await exited;
      clearTimeout(timer);
      if (reply.type !== "stats") throw new Error("netlab: unexpected reply to stop");
      return reply.stats;
    })();
    return this.#stopped;
  }

  async #request(request: DistributiveOmit<LabRequest, "id">): Promise<LabReply> {
    if (!this.#child.connected) throw new Error("netlab relay process is not running");
    const id = this.#nextId++;
    const reply = await new Promise<LabReply>((resolve) => {
      this.#pending.set(id, resolve);
      this.#child.send({ ...request, id } as LabRequest);
    });
    if (reply.type === "error") throw new Error(`netlab: ${reply.message}`);
    return reply;
  }
}

export function mergeConditions(current: LabConditions, patch: LabConditionsPatch): LabConditions {
  return parseLabConditions({ uplink: { ...current.uplink, ...patch.uplink }, downlink: { ...current.downlink, ...patch.downlink } });
}

export type { LabConditions, LabConditionsInput, LinkConditions, LinkConditionsInput } from "./conditions.js";
export type { LabStats, RelayPorts } from "./protocol.js";
