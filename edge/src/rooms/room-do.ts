import { DurableObject } from "cloudflare:workers";
import {
  assertNever,
  type ExportRoomRecordingRequest,
  type FleetEvent,
  isRecordingEvent,
  isRtmpEvent,
  type JsonObject,
  LIMITS,
  type LiveQuality,
  type MuteUserRequest,
  type NodeEvent,
  ParleyError,
  parseSignalFrame,
  type RecordingStatus,
  type RoomOptionsRequest,
  type RoomOptionsView,
  type RtmpPush,
  type SignalEvent,
  type SignalRequest,
  type StartRoomRecordingRequest,
  type StartRoomRtmpRequest,
  type TrackInfo,
} from "@parley/shared";
import { CallRecorder } from "../calls/call-recorder.js";
import { type RpcResult, toRpcResult } from "../durable/rpc-result.js";
import { SocketRegistry } from "../durable/socket-registry.js";
import { CLOSE, closeQuietly, refuseSocket, requireGrant, requireMember, type SocketState, send, sendError } from "../durable/sockets.js";
import type { Env } from "../env.js";
import { log } from "../log/index.js";
import { isMediaRequest, MediaRelay } from "../media/media-relay.js";
import { RoomDepartures } from "../members/departures.js";
import { RoomJoins } from "../members/joins.js";
import { MemberStore, toMemberInfo } from "../members/member-store.js";
import { memberViews, RawReply, type RoomMemberView } from "../members/member-view.js";
import { AutoRecorder } from "../recordings/auto-recorder.js";
import { RecordingSettingsStore } from "../recordings/recording-settings-store.js";
import { RoomOptions } from "../recordings/room-options.js";
import { RoomRecordings } from "../recordings/room-recordings.js";
import { RoomRtmp } from "../rtmp/room-rtmp.js";
import { OrderedWebhookEmitter } from "../webhooks/emit.js";
import { RoomWebhooks } from "../webhooks/room-webhooks.js";
import { D1Outbox } from "./d1-outbox.js";
import type { RoomParts } from "./room-parts.js";

export const IDENTITY_HEADER = "x-parley-identity";
export type { RoomMemberView } from "../members/member-view.js";

const CALL_RECORD_RETRY_MS = 5000;

type Reply = Record<string, unknown> | RawReply;

/**
 * One per app + room: authoritative for who is in the room. Hibernatable WebSockets and
 * SQLite storage mean an idle room costs nothing and survives eviction; what lives only in
 * memory (socket maps, rate buckets) is rebuilt from attachments on wake.
 */
export class RoomDO extends DurableObject<Env> {
  #store: MemberStore;
  #media: MediaRelay;
  #calls: CallRecorder;
  #outbox: D1Outbox;
  #recordings: RoomRecordings;
  #rtmp: RoomRtmp;
  #sockets: SocketRegistry;
  #events: RoomWebhooks;
  #joins: RoomJoins;
  #departures: RoomDepartures;
  #options: RoomOptions;
  #autoRecorder: AutoRecorder;
  #closeAfterReply = new WeakSet<WebSocket>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new MemberStore(ctx.storage.sql);
    this.#sockets = new SocketRegistry(ctx);
    this.#events = new RoomWebhooks(new OrderedWebhookEmitter(ctx, env), this.#store);
    this.#outbox = new D1Outbox(ctx.storage.sql, env.DB);
    this.#calls = new CallRecorder(this.#store, this.#outbox);
    this.#media = new MediaRelay(ctx.storage.sql, this.#store, env, {
      broadcast: (event, except) => this.#sockets.broadcast(event, except),
      sendTo: (member, event) => {
        const ws = this.#sockets.members().get(member);
        if (ws) send(ws, event);
      },
    });
    const settings = new RecordingSettingsStore(env);
    this.#recordings = new RoomRecordings(ctx.storage.sql, {
      settings,
      members: this.#store,
      outbox: this.#outbox,
      media: this.#media,
      calls: this.#calls,
      events: this.#events,
      channel: { broadcast: (event, except) => this.#sockets.broadcast(event, except), sendTo: () => undefined },
    });
    this.#options = new RoomOptions(ctx.storage.sql, settings);
    this.#autoRecorder = new AutoRecorder({
      members: this.#store,
      options: this.#options,
      recordings: this.#recordings,
      events: this.#events,
    });
    this.#rtmp = new RoomRtmp(ctx.storage.sql, { members: this.#store, media: this.#media, events: this.#events });
    const parts: RoomParts = {
      env,
      store: this.#store,
      sockets: this.#sockets,
      media: this.#media,
      calls: this.#calls,
      events: this.#events,
      outbox: this.#outbox,
      recordings: this.#recordings,
      rtmp: this.#rtmp,
      flush: () => this.#flushOutbox(),
      scheduleAlarm: () => this.#scheduleAlarm(),
    };
    this.#joins = new RoomJoins(parts);
    this.#departures = new RoomDepartures(parts);
  }

  // ── lifecycle ────────────────────────────────────────────────────────────

  override async fetch(request: Request): Promise<Response> {
    const identity = JSON.parse(request.headers.get(IDENTITY_HEADER) ?? "null") as Omit<SocketState, "memberId"> | null;
    if (!identity) return new Response("identity missing", { status: 500 });
    if (!this.#store.getMeta("room")) {
      this.#store.setMeta("appKey", identity.appKey);
      this.#store.setMeta("room", identity.room);
    }
    const kickedAt = this.#store.revokedAt(identity.user);
    if (kickedAt !== null && identity.iat <= Math.floor(kickedAt / 1000)) {
      return refuseSocket(
        new ParleyError(
          "TOKEN_REVOKED",
          `this user was removed from the room at ${new Date(kickedAt).toISOString()}; tokens issued before then are refused`,
        ),
      );
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.#sockets.accept(server, { ...identity, memberId: null });
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const now = Date.now();
    const buckets = this.#sockets.buckets(ws, now);
    if (!buckets.frames.take(now)) {
      sendError(ws, null, { code: "RATE_LIMITED", message: `more than ${LIMITS.frameRatePerSecond} frames a second; slow down` });
      return;
    }
    const parsed = parseSignalFrame(raw);
    if (!parsed.ok) {
      sendError(ws, parsed.id, parsed.error.toBody());
      return;
    }
    const request = parsed.request;
    try {
      const reply = await this.#handle(ws, request, now);
      if (reply instanceof RawReply) ws.send(`{"id":${JSON.stringify(request.id)},"ok":true,${reply.fieldsJson}}`);
      else send(ws, { id: request.id, ok: true, ...reply } as never);
      if (this.#closeAfterReply.delete(ws)) closeQuietly(ws, CLOSE.left, "left");
    } catch (err) {
      const error = err instanceof ParleyError ? err : new ParleyError("INTERNAL", "internal error; it has been logged");
      if (!(err instanceof ParleyError)) log({ event: "signal.request_failed", type: request.type, error: err });
      sendError(ws, request.id, error.toBody());
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // echo the peer's code (RFC 6455): 1005/1006 cannot be sent, so those get 1000
    closeQuietly(ws, code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, "closed");
    await this.#departures.dropped(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.#departures.dropped(ws);
  }

  /** Fires at the earliest resume deadline: members who did not come back are removed. */
  override async alarm(): Promise<void> {
    const expired = this.#store.expired(Date.now());
    await this.#departures.remove(
      expired.map((m) => m.id),
      "timeout",
    );
    this.#store.pruneRevocations(Date.now() - LIMITS.maxTokenTtlSeconds * 1000);
    // a failed flush stays queued: the alarm set below retries it
    await this.#outbox.flush().catch((error) => log({ event: "outbox.flush_failed", error }));
    await this.#scheduleAlarm();
  }

  // ── RPC from the edge Worker ─────────────────────────────────────────────

  /** Signal locator: delivers a notification to these members' sockets. */
  notify(members: string[], data: JsonObject): number {
    let delivered = 0;
    for (const id of members) {
      const ws = this.#sockets.members().get(id);
      if (ws) {
        send(ws, { type: "notification", data });
        delivered++;
      }
    }
    return delivered;
  }

  /** Ends the room's session: everyone gets room.closed and is removed. */
  async close(reason: string): Promise<number> {
    const event: SignalEvent = { type: "room.closed", reason };
    const ids = this.#store.all().map((m) => m.id);
    for (const [id, ws] of this.#sockets.members()) {
      send(ws, event);
      this.#sockets.unbind(ws, id);
      closeQuietly(ws, CLOSE.roomClosed, "room closed");
    }
    await this.#departures.remove(ids, "closed", { announce: false });
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
    this.#flushOutbox();
  }

  /** Public API: recordings, snapshots and exports of this room (typed errors cross the RPC). */
  startRecording(request: StartRoomRecordingRequest): Promise<RpcResult<RecordingStatus>> {
    return this.#indexed(() => this.#recordings.start(request));
  }

  takeSnapshot(member: string): Promise<RpcResult<RecordingStatus>> {
    return this.#indexed(() => this.#recordings.snapshot(member));
  }

  exportRecording(
    source: { id: string; node: string; settingsVersion: number | null },
    request: ExportRoomRecordingRequest,
  ): Promise<RpcResult<RecordingStatus>> {
    return this.#indexed(() => this.#recordings.export(source, request));
  }

  stopRecording(recordingId: string): Promise<RpcResult<RecordingStatus>> {
    return this.#indexed(() => this.#recordings.stop(recordingId));
  }

  /** Public API: the room's options (auto-record), kept while the room is empty. */
  roomOptions(appKey: string, room: string): Promise<RoomOptionsView> {
    return this.#options.effective(appKey, room);
  }

  setRoomOptions(appKey: string, room: string, request: RoomOptionsRequest): Promise<RoomOptionsView> {
    return this.#options.set(appKey, room, request);
  }

  /** Runs a recordings call, then flushes the index rows it queued. */
  #indexed(run: () => Promise<RecordingStatus>): Promise<RpcResult<RecordingStatus>> {
    return toRpcResult(async () => {
      const status = await run();
      this.#flushOutbox();
      return status;
    });
  }

  /** Public API: RTMP pushes of a member or of the composite (typed errors cross the RPC). */
  startRtmp(request: StartRoomRtmpRequest): Promise<RpcResult<RtmpPush>> {
    return toRpcResult(() => this.#rtmp.start(request));
  }

  listRtmp(): Promise<RpcResult<RtmpPush[]>> {
    return toRpcResult(() => this.#rtmp.list());
  }

  getRtmp(id: string): Promise<RpcResult<RtmpPush>> {
    return toRpcResult(() => this.#rtmp.get(id));
  }

  stopRtmp(id: string): Promise<RpcResult<RtmpPush>> {
    return toRpcResult(() => this.#rtmp.stop(id));
  }

  /** Public API: removes every member of `user` (`kicked` by "app"); their tokens issued up to now are revoked. */
  async kickUser(user: string, reason?: string): Promise<number> {
    const ids = this.#userMembers(user);
    await this.#departures.kick(user, ids, "app", reason);
    return ids.length;
  }

  /** Public API: pauses the user's matching tracks; answers how many. */
  muteUser(user: string, filter: MuteUserRequest): Promise<RpcResult<number>> {
    return toRpcResult(() => this.#media.mute(this.#userMembers(user), filter));
  }

  #userMembers(user: string): string[] {
    return this.#store
      .all()
      .filter((m) => m.user === user)
      .map((m) => m.id);
  }

  /** Admin view of the room. Metadata stays JSON text: RPC types cannot carry recursive JSON. */
  members(): RoomMemberView[] {
    return memberViews(this.#store);
  }

  /** The live view for administrators: members with their latest quality, tracks, the node. */
  adminView(): { members: (RoomMemberView & { quality: LiveQuality | null })[]; tracks: TrackInfo[]; node: string | null } {
    return {
      members: memberViews(this.#store).map((m) => ({ ...m, quality: this.#calls.latest(m.id) })),
      tracks: this.#media.tracks(),
      node: this.#media.nodeId(),
    };
  }

  // ── requests ─────────────────────────────────────────────────────────────

  async #handle(ws: WebSocket, request: SignalRequest, now: number): Promise<Reply> {
    const state = this.#sockets.state(ws);
    switch (request.type) {
      case "ping":
        return { now };
      case "recording.start": {
        requireMember(state);
        requireGrant(state, "record");
        const { mode, segmentSeconds, composite } = request;
        const status = await this.#recordings.start({ mode, segmentSeconds, composite });
        this.#flushOutbox();
        return { recordingId: status.recordingId };
      }
      case "recording.stop":
        requireMember(state);
        requireGrant(state, "record");
        await this.#recordings.stop(request.recordingId);
        this.#flushOutbox();
        return {};
      case "quality": {
        const member = requireMember(state);
        const stored = this.#calls.quality(member, "sdk", now, request.mos, request.tracks);
        if (stored) this.#flushOutbox();
        return { stored };
      }
      case "join":
        return this.#joins.join(ws, state, request, now);
      case "resume":
        return this.#joins.resume(ws, state, request);
      case "leave": {
        const id = requireMember(state);
        this.#sockets.unbind(ws, id);
        await this.#departures.remove([id], "left");
        this.#closeAfterReply.add(ws);
        return {};
      }
      case "message": {
        const from = requireMember(state);
        requireGrant(state, "publishData");
        if (!this.#sockets.buckets(ws, now).messages.take(now)) {
          throw new ParleyError("RATE_LIMITED", `more than ${LIMITS.messageRatePerSecond} messages a second; slow down`);
        }
        if (request.to !== undefined) {
          const target = this.#sockets.members().get(request.to);
          if (!target) throw new ParleyError("MEMBER_NOT_FOUND", `member ${request.to} is not connected to this room`);
          send(target, { type: "message", from, text: request.text, private: true });
          return { delivered: 1 };
        }
        return { delivered: this.#sockets.broadcast({ type: "message", from, text: request.text, private: false }, from) };
      }
      case "update": {
        const id = requireMember(state);
        this.#store.update(id, { name: request.name, metadata: request.metadata });
        const row = this.#store.get(id);
        if (!row) throw new ParleyError("NOT_IN_ROOM", "you are no longer in this room");
        const member = toMemberInfo(row);
        if (row.hidden === 0) this.#sockets.broadcast({ type: "member.updated", member }, id);
        return { member };
      }
      case "kick": {
        const by = requireMember(state);
        requireGrant(state, "admin");
        const target = this.#store.get(request.member);
        if (!target) throw new ParleyError("MEMBER_NOT_FOUND", `member ${request.member} is not in this room`);
        await this.kickMember(target.id, by, request.reason);
        return {};
      }
      default:
        if (isMediaRequest(request)) {
          const reply = await this.#media.handle(requireMember(state), state, request);
          // after the reply: a slow or failed auto-start never holds up or fails the produce
          if (request.type === "produce") this.ctx.waitUntil(this.#autoRecorder.producerAdded().then(() => this.#flushOutbox()));
          return reply;
        }
        return assertNever(request);
    }
  }

  /** Removes a member for an administrator; their tokens issued up to now are revoked for this room. */
  async kickMember(memberId: string, by: string, reason?: string): Promise<void> {
    const target = this.#store.get(memberId);
    if (target) await this.#departures.kick(target.user, [memberId], by, reason);
  }

  /** Flushes the call record to D1 after the current request; a failure is retried by the alarm. */
  #flushOutbox(): void {
    this.ctx.waitUntil(
      this.#outbox.flush().catch(async (err) => {
        log({ event: "outbox.flush_failed", error: err });
        await this.#scheduleAlarm();
      }),
    );
  }

  async #scheduleAlarm(): Promise<void> {
    const deadline = this.#store.nextDeadline();
    const retry = this.#outbox.pending() > 0 ? Date.now() + CALL_RECORD_RETRY_MS : null;
    const next = deadline === null ? retry : retry === null ? deadline : Math.min(deadline, retry);
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }
}

export function roomStub(env: Env, appKey: string, room: string): DurableObjectStub<RoomDO> {
  return env.ROOMS.get(env.ROOMS.idFromName(`${appKey}:${room}`));
}
