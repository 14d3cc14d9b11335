import {
  ParleyError,
  ROOM_RTMP_LIMITS,
  type RtmpEvent,
  type RtmpPush,
  type RtmpState,
  type RtmpStatus,
  randomId,
  rtmpTarget,
  type StartRoomRtmpRequest,
} from "@parley/shared";
import type { NodeControl } from "../media/node-control.js";
import type { RoomNode } from "../media/room-node.js";
import type { MemberStore } from "../members/member-store.js";
import type { RoomWebhooks } from "../webhooks/room-webhooks.js";

interface PushRow extends Record<string, SqlStorageValue> {
  id: string;
  state: RtmpState;
  node: string;
  source_kind: "member" | "composite";
  source_member: string | null;
  target: string;
  started_at: number;
  ended_at: number | null;
  error: string | null;
  went_live: number;
}

const ACTIVE = "state IN ('starting', 'live')";

/**
 * The room's RTMP pushes: started and stopped on the room's media node, remembered in the room's
 * SQLite (never the URL: it holds the stream key; only its `target`), live state read from the node
 * when asked or reported, all stopped when the room empties. Webhooks say when a push first goes live
 * and when it ends, whichever way the edge learns it (a read, a stop, a node event).
 */
export class RoomRtmp {
  #sql: SqlStorage;
  #members: MemberStore;
  #node: RoomNode;
  #events: RoomWebhooks;

  constructor(sql: SqlStorage, deps: { members: MemberStore; node: RoomNode; events: RoomWebhooks }) {
    this.#sql = sql;
    this.#members = deps.members;
    this.#node = deps.node;
    this.#events = deps.events;
    sql.exec(
      `CREATE TABLE IF NOT EXISTS room_rtmp (id TEXT PRIMARY KEY, state TEXT NOT NULL, node TEXT NOT NULL, source_kind TEXT NOT NULL,
         source_member TEXT, target TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER, error TEXT,
         went_live INTEGER NOT NULL DEFAULT 0)`,
    );
  }

  async start(request: StartRoomRtmpRequest): Promise<RtmpPush> {
    if (this.#members.count() === 0)
      throw new ParleyError("NOT_IN_ROOM", "the room has nobody in it: an RTMP push starts with a live call");
    const { source } = request;
    if (source.kind === "member" && !this.#members.get(source.member))
      throw new ParleyError("MEMBER_NOT_FOUND", `member ${source.member} is not in this room`);
    const active = this.#sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM room_rtmp WHERE ${ACTIVE}`).one().n;
    if (active >= ROOM_RTMP_LIMITS.maxActivePerRoom)
      throw new ParleyError("RTMP_PUSHES_FULL", `the room already has ${active} RTMP pushes running; stop one first`);
    const control = await this.#node.withRouter();
    const status = await control.call("startRtmp", { pushId: `rtmp_${randomId(16)}`, url: request.url, source });
    this.#sql.exec(
      "INSERT INTO room_rtmp (id, state, node, source_kind, source_member, target, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      status.pushId,
      "starting",
      control.node,
      source.kind,
      source.kind === "member" ? source.member : null,
      rtmpTarget(request.url),
      status.startedAt,
    );
    this.#forgetOld();
    return this.#view(this.#apply(status));
  }

  /** Newest first; running pushes with their state as the node reports it now. */
  async list(): Promise<RtmpPush[]> {
    const rows = this.#sql.exec<PushRow>("SELECT * FROM room_rtmp ORDER BY started_at DESC").toArray();
    return Promise.all(rows.map(async (row) => this.#view(await this.#refresh(row))));
  }

  async get(id: string): Promise<RtmpPush> {
    return this.#view(await this.#refresh(this.#row(id)));
  }

  /** Ends the push (ffmpeg closes the stream cleanly); stopping an ended push answers it as it is. */
  async stop(id: string): Promise<RtmpPush> {
    const row = this.#row(id);
    if (!isActive(row.state)) return this.#view(row);
    return this.#view(await this.#onNode(row, (control) => control.call("stopRtmp", {}, id)));
  }

  /** The room emptied: nothing is left to show, so every push ends. */
  async stopAll(): Promise<void> {
    const rows = this.#sql.exec<PushRow>(`SELECT * FROM room_rtmp WHERE ${ACTIVE}`).toArray();
    for (const row of rows) {
      await this.stop(row.id).catch((err) =>
        this.#end(row.id, "failed", `the media node did not stop the push when the room emptied: ${errorText(err)}`),
      );
    }
  }

  async #refresh(row: PushRow): Promise<PushRow> {
    if (!isActive(row.state)) return row;
    // the node did not answer: the last known state
    return this.#onNode(row, (control) => control.call("getRtmp", undefined, row.id)).catch(() => row);
  }

  /** Asks the push's node and applies its answer; a node that no longer knows the push (it restarted) ended it. */
  async #onNode(row: PushRow, ask: (control: NodeControl) => Promise<RtmpStatus>): Promise<PushRow> {
    try {
      return this.#apply(await ask(await this.#node.controlFor(row.node)));
    } catch (err) {
      if (err instanceof ParleyError && err.code === "NOT_FOUND")
        return this.#end(row.id, "failed", "the media node no longer runs this push");
      throw err;
    }
  }

  /** The node reported a state change (its event batch): applied unless the push already ended here. */
  nodeEvent(event: RtmpEvent): void {
    const row = this.#sql.exec<PushRow>("SELECT * FROM room_rtmp WHERE id = ?", event.pushId).toArray()[0];
    if (!row || !isActive(row.state)) return;
    this.#update(row, event.state, isActive(event.state) ? null : event.at, event.error ?? null);
  }

  #apply(status: RtmpStatus): PushRow {
    return this.#update(this.#row(status.pushId), status.state, status.endedAt ?? null, status.error ?? null);
  }

  #end(id: string, state: "failed", error: string): PushRow {
    return this.#update(this.#row(id), state, Date.now(), error);
  }

  /** Stores the new state and sends the webhook its transition calls for. */
  #update(before: PushRow, state: RtmpState, endedAt: number | null, error: string | null): PushRow {
    const firstLive = state === "live" && before.went_live === 0;
    this.#sql.exec(
      "UPDATE room_rtmp SET state = ?, ended_at = ?, error = ?, went_live = ? WHERE id = ?",
      state,
      endedAt,
      error,
      firstLive ? 1 : before.went_live,
      before.id,
    );
    const after = this.#row(before.id);
    if (firstLive) this.#events.rtmp("rtmp.started", this.#view(after));
    else if (isActive(before.state) && !isActive(state))
      this.#events.rtmp(state === "failed" ? "rtmp.failed" : "rtmp.stopped", this.#view(after));
    return after;
  }

  #forgetOld(): void {
    this.#sql.exec(
      `DELETE FROM room_rtmp WHERE NOT ${ACTIVE} AND id NOT IN (SELECT id FROM room_rtmp WHERE NOT ${ACTIVE} ORDER BY started_at DESC LIMIT ?)`,
      ROOM_RTMP_LIMITS.keptEnded,
    );
  }

  #row(id: string): PushRow {
    const row = this.#sql.exec<PushRow>("SELECT * FROM room_rtmp WHERE id = ?", id).toArray()[0];
    if (!row) throw new ParleyError("RTMP_PUSH_NOT_FOUND", `no RTMP push ${id} in this room`);
    return row;
  }

  #view(row: PushRow): RtmpPush {
    return {
      id: row.id,
      room: this.#members.getMeta("room") ?? "",
      state: row.state,
      target: row.target,
      source: { kind: row.source_kind, member: row.source_member },
      startedAt: new Date(row.started_at).toISOString(),
      endedAt: row.ended_at === null ? null : new Date(row.ended_at).toISOString(),
      error: row.error,
    };
  }
}

function isActive(state: RtmpState): boolean {
  return state === "starting" || state === "live";
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
