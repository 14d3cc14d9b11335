import {
  assertNever,
  type ExportRoomRecordingRequest,
  type FleetEvent,
  isRecordingEvent,
  isRtmpEvent,
  type JsonObject,
  type LeaveReason,
  type LiveQuality,
  type MuteUserRequest,
  type NodeEvent,
  ParleyError,
  parseSignalFrame,
  type RecordingStatus,
  type RoomOptionsRequest,
  type RoomOptionsView,
  type RtmpPush,
  type SignalRequest,
  type SignalResults,
  type StartRoomRecordingRequest,
  type StartRoomRtmpRequest,
  type TrackInfo,
} from "@parley/shared";
import { CallRecorder } from "../calls/call-recorder.js";
import { ParleyDurableObject, type Reply } from "../durable/parley-durable-object.js";
import type { RpcResult } from "../durable/rpc-result.js";
import { closeQuietly, send } from "../durable/sockets.js";
import type { Env } from "../env.js";
import { log } from "../log/index.js";
import { isMediaRequest, MediaRelay } from "../media/media-relay.js";
import { RoomNode } from "../media/room-node.js";
import { RoomDepartures } from "../members/departures.js";
import { RoomJoins } from "../members/joins.js";
import { MemberStore } from "../members/member-store.js";
import { memberViews, type RoomMemberView } from "../members/member-view.js";
import { updateMember } from "../members/updates.js";
import { AutoRecorder } from "../recordings/auto-recorder.js";
import { RecordingSettingsStore } from "../recordings/recording-settings-store.js";
import { RoomOptions } from "../recordings/room-options.js";
import { RoomRecordings } from "../recordings/room-recordings.js";
import { RoomRtmp } from "../rtmp/room-rtmp.js";
import { OrderedWebhookEmitter } from "../webhooks/emit.js";
import { RoomWebhooks } from "../webhooks/room-webhooks.js";
import { sendMessage } from "./chat.js";
import { D1Outbox } from "./d1-outbox.js";
import { CLOSE, FRAME_LIMIT, requireGrant, requireMember, type SocketState } from "./socket-state.js";

export const IDENTITY_HEADER = "x-parley-identity";
export type { RoomMemberView } from "../members/member-view.js";

/**
 * One per app + room: authoritative for who is in the room. Hibernatable WebSockets and SQLite
 * storage mean an idle room costs nothing and survives eviction; what lives only in memory
 * (socket maps, rate buckets) is rebuilt from attachments on wake. This class wires the room's
 * features (members/, media/, recordings/, rtmp/, calls/, webhooks/) to the object's lifecycle
 * hooks, its signalling requests and its RPC methods; the work is in the features.
 */
export class RoomDO extends ParleyDurableObject<SocketState, SignalRequest> {
  protected override readonly frameLimit = FRAME_LIMIT;
  #members: MemberStore;
  #outbox: D1Outbox;
  #events: RoomWebhooks;
  #calls: CallRecorder;
  #media: MediaRelay;
  #recordings: RoomRecordings;
  #options: RoomOptions;
  #autoRecorder: AutoRecorder;
  #rtmp: RoomRtmp;
  #joins: RoomJoins;
  #departures: RoomDepartures;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    const { sockets, alarms } = this;
    const members = (this.#members = new MemberStore(sql));
    const outbox = (this.#outbox = new D1Outbox(ctx, env.DB, alarms));
    const events = (this.#events = new RoomWebhooks(new OrderedWebhookEmitter(ctx, env), members));
    const calls = (this.#calls = new CallRecorder(members, outbox));
    const node = new RoomNode(members, env);
    const media = (this.#media = new MediaRelay(sql, node, sockets));
    const settings = new RecordingSettingsStore(env);
    const recordings = (this.#recordings = new RoomRecordings(sql, { settings, members, outbox, node, calls, events, channel: sockets }));
    const options = (this.#options = new RoomOptions(sql, settings));
    this.#autoRecorder = new AutoRecorder({ members, options, recordings, events });
    this.#rtmp = new RoomRtmp(sql, { members, node, events });
    this.#joins = new RoomJoins({ env, members, sockets, calls, events, outbox, media, alarms });
    this.#departures = new RoomDepartures({ env, members, sockets, alarms });
  }

  // ── lifecycle hooks ──────────────────────────────────────────────────────

  /** The Worker verified the token and sent the identity along; a user kicked since it was issued is refused. */
  protected override onConnect(request: Request): SocketState {
    const identity = JSON.parse(request.headers.get(IDENTITY_HEADER) ?? "null") as Omit<SocketState, "memberId"> | null;
    if (!identity) throw new ParleyError("INTERNAL", "the Worker sent no verified identity with this socket");
    if (!this.#members.getMeta("room")) {
      this.#members.setMeta("appKey", identity.appKey);
      this.#members.setMeta("room", identity.room);
    }
    this.#joins.admitSocket(identity);
    return { ...identity, memberId: null };
  }

  protected override parseFrame(raw: string | ArrayBuffer) {
    return parseSignalFrame(raw);
  }

  /** One signalling request (shared/src/signal.ts); the switch is exhaustive over SignalRequest. */
  protected override async onRequest(ws: WebSocket, request: SignalRequest, now: number): Promise<Reply> {
    const state = this.sockets.state(ws);
    switch (request.type) {
      case "ping":
        return { now } satisfies SignalResults["ping"];
      case "join":
        return this.#joins.join(ws, state, request, now);
      case "resume":
        return this.#joins.resume(ws, state, request);
      case "leave": {
        const id = requireMember(state);
        this.#departures.left(ws, id);
        await this.#remove([id], "left");
        this.closeAfterReply(ws, CLOSE.left, "left");
        return {} satisfies SignalResults["leave"];
      }
      case "update":
        return updateMember(this.#members, this.sockets, requireMember(state), request) satisfies SignalResults["update"];
      case "kick": {
        const by = requireMember(state);
        requireGrant(state, "admin");
        if (!this.#members.get(request.member)) throw new ParleyError("MEMBER_NOT_FOUND", `member ${request.member} is not in this room`);
        await this.#kickMember(request.member, by, request.reason);
        return {} satisfies SignalResults["kick"];
      }
      case "message": {
        const from = requireMember(state);
        requireGrant(state, "publishData");
        return sendMessage(this.sockets, ws, from, request, now) satisfies SignalResults["message"];
      }
      case "quality": {
        const stored = this.#calls.quality(requireMember(state), "sdk", now, request.mos, request.tracks);
        if (stored) this.#outbox.flushLater();
        return { stored } satisfies SignalResults["quality"];
      }
      case "recording.start": {
        requireMember(state);
        requireGrant(state, "record");
        const { mode, segmentSeconds, composite } = request;
        const { recordingId } = await this.#indexed(() => this.#recordings.start({ mode, segmentSeconds, composite }));
        return { recordingId } satisfies SignalResults["recording.start"];
      }
      case "recording.stop":
        requireMember(state);
        requireGrant(state, "record");
        await this.#indexed(() => this.#recordings.stop(request.recordingId));
        return {} satisfies SignalResults["recording.stop"];
      default: {
        if (!isMediaRequest(request)) return assertNever(request);
        const reply = await this.#media.handle(requireMember(state), state, request);
        // after the reply: a slow or failed auto-start never holds up or fails the produce
        if (request.type === "produce") this.ctx.waitUntil(this.#autoRecorder.producerAdded().then(() => this.#outbox.flushLater()));
        return reply;
      }
    }
  }

  /** The socket went: its member is held for the resume window. */
  protected override onClose(ws: WebSocket): Promise<void> {
    return this.#departures.dropped(ws);
  }

  /** The earliest resume deadline, or an outbox retry: members who did not come back are removed. */
  protected override async onAlarm(): Promise<void> {
    await this.#remove(this.#departures.expired(Date.now()), "timeout");
    // a failed flush stays queued: the alarm, re-armed after this, retries it
    await this.#outbox.flush().catch((error) => log({ event: "outbox.flush_failed", error }));
  }

  /**
   * Members leave, whichever way (leave, kick, timeout, the room closing). The last one out ends
   * the call, stops its recordings and RTMP pushes, closes the room's router on its node, and
   * frees the room's licence seats.
   */
  async #remove(ids: string[], reason: LeaveReason, opts: { announce?: boolean } = {}): Promise<void> {
    if (ids.length === 0) return;
    const gone = this.#departures.take(ids);
    const appKey = this.#members.getMeta("appKey");
    if (!appKey) return;
    const roomEmpty = this.#members.count() === 0;
    const at = Date.now();
    this.#events.left(this.#calls.callId, gone, reason, roomEmpty, at);
    for (const g of gone) this.#calls.memberLeft(g.id, reason, at);
    if (roomEmpty) {
      this.#calls.roomEmpty(at);
      await this.#recordings.stopAll();
      await this.#rtmp.stopAll();
    }
    this.#outbox.flushLater();
    await this.#media.membersGone(
      gone.map((g) => g.id),
      roomEmpty,
    );
    await this.#departures.release(appKey, gone, roomEmpty);
    if (opts.announce !== false) this.#departures.announce(gone, reason);
  }

  // ── RPC from the edge Worker ─────────────────────────────────────────────

  /** Signal locator: delivers a notification to these members' sockets. */
  notify(members: string[], data: JsonObject): number {
    return members.filter((id) => this.sockets.sendTo(id, { type: "notification", data })).length;
  }

  /** Ends the room's session: everyone gets room.closed and is removed. */
  async close(reason: string): Promise<number> {
    const ids = this.#members.all().map((m) => m.id);
    for (const [id, ws] of this.sockets.members()) {
      send(ws, { type: "room.closed", reason });
      this.sockets.unbind(ws, id);
      closeQuietly(ws, CLOSE.roomClosed, "room closed");
    }
    await this.#remove(ids, "closed", { announce: false });
    return ids.length;
  }

  /** Media node events for this room (through the edge's /internal/fleet/events). */
  nodeEvents(node: string, events: FleetEvent[]): void {
    const media: NodeEvent[] = [];
    for (const event of events) {
      if (isRecordingEvent(event)) this.#recordings.nodeEvent(event);
      else if (isRtmpEvent(event)) this.#rtmp.nodeEvent(event);
      else media.push(event);
    }
    const now = Date.now();
    for (const [member, samples] of this.#media.nodeEvents(node, media)) this.#calls.quality(member, "node", now, null, samples);
    this.#outbox.flushLater();
  }

  /** Public API: recordings, snapshots and exports of this room (typed errors cross the RPC). */
  startRecording(request: StartRoomRecordingRequest): Promise<RpcResult<RecordingStatus>> {
    return this.rpc(() => this.#indexed(() => this.#recordings.start(request)));
  }

  takeSnapshot(member: string): Promise<RpcResult<RecordingStatus>> {
    return this.rpc(() => this.#indexed(() => this.#recordings.snapshot(member)));
  }

  exportRecording(
    source: { id: string; node: string; settingsVersion: number | null },
    request: ExportRoomRecordingRequest,
  ): Promise<RpcResult<RecordingStatus>> {
    return this.rpc(() => this.#indexed(() => this.#recordings.export(source, request)));
  }

  stopRecording(recordingId: string): Promise<RpcResult<RecordingStatus>> {
    return this.rpc(() => this.#indexed(() => this.#recordings.stop(recordingId)));
  }

  /** Public API: the room's options (auto-record), kept while the room is empty. */
  roomOptions(appKey: string, room: string): Promise<RoomOptionsView> {
    return this.#options.effective(appKey, room);
  }

  setRoomOptions(appKey: string, room: string, request: RoomOptionsRequest): Promise<RoomOptionsView> {
    return this.#options.set(appKey, room, request);
  }

  /** Public API: RTMP pushes of a member or of the composite (typed errors cross the RPC). */
  startRtmp(request: StartRoomRtmpRequest): Promise<RpcResult<RtmpPush>> {
    return this.rpc(() => this.#rtmp.start(request));
  }

  listRtmp(): Promise<RpcResult<RtmpPush[]>> {
    return this.rpc(() => this.#rtmp.list());
  }

  getRtmp(id: string): Promise<RpcResult<RtmpPush>> {
    return this.rpc(() => this.#rtmp.get(id));
  }

  stopRtmp(id: string): Promise<RpcResult<RtmpPush>> {
    return this.rpc(() => this.#rtmp.stop(id));
  }

  /** Public API: removes every member of `user` (`kicked` by "app"); their tokens issued up to now are revoked. */
  async kickUser(user: string, reason?: string): Promise<number> {
    const ids = this.#userMembers(user);
    this.#departures.kick(user, ids, "app", reason);
    await this.#remove(ids, "kicked");
    return ids.length;
  }

  /** Removes a member for an administrator; their tokens issued up to now are revoked for this room. */
  async #kickMember(memberId: string, by: string, reason?: string): Promise<void> {
    const target = this.#members.get(memberId);
    if (!target) return;
    this.#departures.kick(target.user, [memberId], by, reason);
    await this.#remove([memberId], "kicked");
  }

  /** Public API: pauses the user's matching tracks; answers how many. */
  muteUser(user: string, filter: MuteUserRequest): Promise<RpcResult<number>> {
    return this.rpc(() => this.#media.mute(this.#userMembers(user), filter));
  }

  /** Admin view of the room. Metadata stays JSON text: RPC types cannot carry recursive JSON. */
  members(): RoomMemberView[] {
    return memberViews(this.#members);
  }

  /** The live view for administrators: members with their latest quality, tracks, the node. */
  adminView(): { members: (RoomMemberView & { quality: LiveQuality | null })[]; tracks: TrackInfo[]; node: string | null } {
    return {
      members: memberViews(this.#members).map((m) => ({ ...m, quality: this.#calls.latest(m.id) })),
      tracks: this.#media.tracks(),
      node: this.#media.nodeId(),
    };
  }

  #userMembers(user: string): string[] {
    return this.#members
      .all()
      .filter((m) => m.user === user)
      .map((m) => m.id);
  }

  /** Runs a recordings call, then flushes the index rows it queued. */
  async #indexed(run: () => Promise<RecordingStatus>): Promise<RecordingStatus> {
    const status = await run();
    this.#outbox.flushLater();
    return status;
  }
}

export function roomStub(env: Env, appKey: string, room: string): DurableObjectStub<RoomDO> {
  return env.ROOMS.get(env.ROOMS.idFromName(`${appKey}:${room}`));
}
