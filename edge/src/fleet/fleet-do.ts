import type { NodeHeartbeat, NodeLoad } from "@parley/shared";
import { ParleyDurableObject } from "../durable/parley-durable-object.js";
import type { Env } from "../env.js";

/** A node that has not sent a heartbeat for this long is down: it gets no new rooms. */
export const NODE_DOWN_AFTER_MS = 15_000;

export type NodeStatus = "up" | "draining" | "down";

export interface NodeView {
  node: string;
  region: string;
  controlUrl: string;
  publicAddress: string;
  workers: number;
  load: NodeLoad;
  status: NodeStatus;
  lastSeen: number;
  startedAt: number;
  version: string;
}

export interface Placement {
  node: string;
  controlUrl: string;
}

interface NodeRow {
  node: string;
  heartbeat: string;
  last_seen: number;
}

/**
 * One per region: the media nodes that heartbeat to it, and placement of new rooms on the
 * least-loaded healthy one. Each heartbeat carries the node's whole registration, so an evicted
 * object rebuilds its view from the next round of heartbeats.
 */
export class FleetDO extends ParleyDurableObject {
  #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec("CREATE TABLE IF NOT EXISTS nodes (node TEXT PRIMARY KEY, heartbeat TEXT NOT NULL, last_seen INTEGER NOT NULL)");
  }

  heartbeat(beat: NodeHeartbeat, now = Date.now()): NodeStatus {
    this.#sql.exec("INSERT OR REPLACE INTO nodes (node, heartbeat, last_seen) VALUES (?, ?, ?)", beat.node, JSON.stringify(beat), now);
    return statusOf(beat, now, now);
  }

  nodes(now = Date.now()): NodeView[] {
    return this.#sql
      .exec<NodeRow & Record<string, SqlStorageValue>>("SELECT * FROM nodes ORDER BY node")
      .toArray()
      .map((row) => toView(row, now));
  }

  /** The least-loaded node that is up, other than `except` (e.g. one that just failed to answer); null when there is none. */
  place(except?: string, now = Date.now()): Placement | null {
    const candidates = this.nodes(now).filter((n) => n.status === "up" && n.workers > 0 && n.node !== except);
    candidates.sort((a, b) => loadScore(a) - loadScore(b) || a.node.localeCompare(b.node));
    const best = candidates[0];
    return best ? { node: best.node, controlUrl: best.controlUrl } : null;
  }

  /** Forgets nodes that have been down for a day (their rows only feed the console). */
  prune(now = Date.now()): number {
    return this.#sql.exec("DELETE FROM nodes WHERE last_seen < ?", now - 24 * 3600_000).rowsWritten;
  }
}

function toView(row: NodeRow, now: number): NodeView {
  const beat = JSON.parse(row.heartbeat) as NodeHeartbeat;
  return {
    node: beat.node,
    region: beat.region,
    controlUrl: beat.controlUrl,
    publicAddress: beat.publicAddress,
    workers: beat.capacity.workers,
    load: beat.load,
    status: statusOf(beat, row.last_seen, now),
    lastSeen: row.last_seen,
    startedAt: beat.startedAt,
    version: beat.version,
  };
}

function statusOf(beat: NodeHeartbeat, lastSeen: number, now: number): NodeStatus {
  if (now - lastSeen > NODE_DOWN_AFTER_MS) return "down";
  return beat.draining ? "draining" : "up";
}

/** Work per worker, with CPU as the tie-breaker that matters most when nodes look alike. */
function loadScore(n: NodeView): number {
  const perWorker = (n.load.routers * 10 + n.load.transports * 2 + n.load.consumers) / Math.max(1, n.workers);
  return perWorker + n.load.cpu * 100;
}

export function fleetStub(env: Env, region: string): DurableObjectStub<FleetDO> {
  return env.FLEET.get(env.FLEET.idFromName(region));
}
