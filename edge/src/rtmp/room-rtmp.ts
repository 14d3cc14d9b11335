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
import { isActive, type PushRow, RtmpStore } from "./rtmp-store.js";

/**
 * The room's RTMP pushes: started and stopped on the room's media node, remembered in the room's
 * SQLite (never the URL: it holds the stream key; only its `target`), live state read from the node
 * when asked or reported, all stopped when the room empties. Webhooks say when a push first goes live
 * and when it ends, whichever way the edge learns it (a read, a stop, a node event).
 */
export class RoomRtmp {
  #store: RtmpStore;
  #members: MemberStore;
  #node: RoomNode;
  #events: RoomWebhooks;

  constructor(sql: SqlStorage, deps: { members: MemberStore; node: RoomNode; events: RoomWebhooks }) {
    this.#store = new RtmpStore(sql);
    this.#members = deps.members;
    this.#node = deps.node;
    this.#events = deps.events;
  }

  async start(request: StartRoomRtmpRequest): Promise<RtmpPush> {
    if (this.#members.count() === 0)
      throw new ParleyError("NOT_IN_ROOM", "the room has nobody in it: an RTMP push starts with a live call");
    const { source } = request;
    if (source.kind === "member" && !this.#members.get(source.member))
      throw new ParleyError("MEMBER_NOT_FOUND", `member ${source.member} is not in this room`);
    const active = this.#store.activeCount();
    if (active >= ROOM_RTMP_LIMITS.maxActivePerRoom)
      throw new ParleyError("RTMP_PUSHES_FULL", `the room already has ${active} RTMP pushes running; stop one first`);
    const control = await this.#node.withRouter();
    const status = await control.call("startRtmp", { pushId: `rtmp_${randomId(16)}`, url: request.url, source });
    this.#store.insert({
      id: status.pushId,
      node: control.node,
      source_kind: source.kind,
      source_member: source.kind === "member" ? source.member : null,
      target: rtmpTarget(request.url),
      started_at: status.startedAt,
    });
    this.#store.forgetEnded(ROOM_RTMP_LIMITS.keptEnded);
    return this.#view(this.#apply(status));
  }

  /** Newest first; running pushes with their state as the node reports it now. */
  async list(): Promise<RtmpPush[]> {
    return Promise.all(this.#store.all().map(async (row) => this.#view(await this.#refresh(row))));
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
    for (const row of this.#store.active()) {
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
    const row = this.#store.find(event.pushId);
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
    this.#store.update(before.id, { state, ended_at: endedAt, error, went_live: firstLive ? 1 : before.went_live });
    const after = this.#row(before.id);
    if (firstLive) this.#events.rtmp("rtmp.started", this.#view(after));
    else if (isActive(before.state) && !isActive(state))
      this.#events.rtmp(state === "failed" ? "rtmp.failed" : "rtmp.stopped", this.#view(after));
    return after;
  }

  #row(id: string): PushRow {
    const row = this.#store.find(id);
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

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
