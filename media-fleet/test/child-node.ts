/**
 * A real media node in its own process (`tsx media-fleet/src/main.ts`, configured by env) for tests
 * that kill it the way a crash would. Its events reach the test through a fake edge (EDGE_URL).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FleetEvent, NodeEvent } from "@parley/shared";
import { SOURCE_NODE_FLAG } from "../../infra/dev/source-condition.js";
import type { FakeEdge } from "./fake-edge.js";
import { type ControlClient, controlCaller, FLEET_SECRET, waitFor } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

export interface ChildNode extends ControlClient {
  readonly nodeId: string;
  readonly baseUrl: string;
  readonly pid: number;
  /** The node's log (pino JSON lines), for failure messages. */
  log(): string;
  /** SIGKILL for the node and every process it started (as a crashing container or cgroup would). */
  kill9(): Promise<void>;
  /**
   * SIGKILL for the node process alone (as the OOM killer picks one): its children are left to
   * themselves. Resolves with the pids of the ffmpegs it had started.
   */
  kill9NodeOnly(): Promise<number[]>;
  /** SIGTERM: the graceful drain. */
  stop(): Promise<void>;
}

export async function startChildNode(o: {
  nodeId: string;
  controlPort: number;
  rtcPort: number;
  edge: FakeEdge;
  env: Record<string, string>;
}): Promise<ChildNode> {
  const baseUrl = `http://127.0.0.1:${o.controlPort}`;
  // Another node still on the port would answer the health check below in this one's place.
  if (
    await fetch(`${baseUrl}/healthz`).then(
      () => true,
      () => false,
    )
  )
    throw new Error(`control port ${o.controlPort} is already served by another process`);
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", SOURCE_NODE_FLAG, MAIN], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ID: o.nodeId,
      FLEET_SECRET,
      CONTROL_HOST: "127.0.0.1",
      CONTROL_PORT: String(o.controlPort),
      PARLEY_ANNOUNCED_IP: "127.0.0.1",
      LISTEN_IP: "127.0.0.1",
      RTC_MIN_PORT: String(o.rtcPort),
      RTC_MAX_PORT: String(o.rtcPort + 9),
      NUM_WORKERS: "1",
      DRAIN_GRACE_MS: "0",
      EDGE_URL: o.edge.url,
      HEARTBEAT_INTERVAL_MS: "1000",
      LOG_LEVEL: "info",
      ...o.env,
    },
  });
  let log = "";
  const append = (c: Buffer) => {
    log = (log + c.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`media node exited with ${child.exitCode}:\n${log.slice(-3000)}`);
        return fetch(`${baseUrl}/healthz`).then(
          (r) => (r.ok ? true : undefined),
          () => undefined,
        );
      },
      "the media node process to answer /healthz",
      30_000,
    );
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  const seenBefore = o.edge.events().length;
  return {
    nodeId: o.nodeId,
    baseUrl,
    pid: child.pid ?? 0,
    call: controlCaller(baseUrl, o.nodeId),
    waitForEvent<T extends NodeEvent>(predicate: (e: NodeEvent) => e is T, timeoutMs = 15_000) {
      const mine = (e: FleetEvent): e is T => predicate(e as NodeEvent);
      return waitFor(() => o.edge.events().slice(seenBefore).find(mine), "a node event at the edge", timeoutMs);
    },
    log: () => log,
    async kill9() {
      const family = descendants(child.pid ?? 0);
      for (const pid of [child.pid ?? 0, ...family]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await exited;
    },
    async kill9NodeOnly() {
      const ffmpegs = descendants(child.pid ?? 0).filter((pid) => processName(pid) === "ffmpeg");
      child.kill("SIGKILL");
      await exited;
      return ffmpegs;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const late = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(late);
    },
  };
}

/** Every process below `pid` (mediasoup workers, ffmpeg), from /proc. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const walk = (parent: number) => {
    // Each thread lists the children it forked; libuv may fork from any of them.
    const children: number[] = [];
    try {
      for (const task of readdirSync(`/proc/${parent}/task`))
        children.push(...readFileSync(`/proc/${parent}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      return;
    }
    for (const c of children) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** The process's command name (/proc/<pid>/comm), undefined once it is gone. */
export function processName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (a killed orphan can stay one until its new parent reaps it). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3));
  } catch {
    return false;
  }
}
