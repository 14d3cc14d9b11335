import { type ErrorCode, ParleyError, randomId, type SignalRequest, type TrackInfo } from "@parley/shared";
import type { CallRecorder } from "../calls/call-recorder.js";
import type { AlarmSchedule } from "../durable/alarms.js";
import type { SocketRegistry } from "../durable/socket-registry.js";
import type { RawReply } from "../durable/sockets.js";
import { closeQuietly } from "../durable/sockets.js";
import type { Env } from "../env.js";
import { sha256Hex } from "../http/timing-safe.js";
import { appStub } from "../licences/app-do.js";
import type { D1Outbox } from "../rooms/d1-outbox.js";
import { CLOSE, type SocketState } from "../rooms/socket-state.js";
import type { RoomWebhooks } from "../webhooks/room-webhooks.js";
import { type MemberStore, toMemberInfo } from "./member-store.js";
import { roomView } from "./member-view.js";

/**
 * Who gets in, and how: a socket is admitted unless its user was kicked after its token was
 * issued; `join` (licence admission by the App DO, the member row, the call record, webhooks,
 * member.joined) makes it a member; `resume` binds it to the same member again within the
 * member's window, silently.
 */
export class RoomJoins {
  #env: Env;
  #members: MemberStore;
  #sockets: SocketRegistry<SocketState>;
  #calls: CallRecorder;
  #events: RoomWebhooks;
  #outbox: D1Outbox;
  #tracks: { tracks(): TrackInfo[] };
  #alarms: AlarmSchedule;
  #joining = new WeakSet<WebSocket>();

  constructor(deps: {
    env: Env;
    members: MemberStore;
    sockets: SocketRegistry<SocketState>;
    calls: CallRecorder;
    events: RoomWebhooks;
    outbox: D1Outbox;
    /** The room's published tracks, for the join and resume answers. */
    media: { tracks(): TrackInfo[] };
    alarms: AlarmSchedule;
  }) {
    this.#env = deps.env;
    this.#members = deps.members;
    this.#sockets = deps.sockets;
    this.#calls = deps.calls;
    this.#events = deps.events;
    this.#outbox = deps.outbox;
    this.#tracks = deps.media;
    this.#alarms = deps.alarms;
  }

  /** A new socket (before any frame): refused when its user was kicked after its token was issued. */
  admitSocket(identity: Omit<SocketState, "memberId">): void {
    const kickedAt = this.#members.revokedAt(identity.user);
    if (kickedAt !== null && identity.iat <= Math.floor(kickedAt / 1000)) {
      throw new ParleyError(
        "TOKEN_REVOKED",
        `this user was removed from the room at ${new Date(kickedAt).toISOString()}; tokens issued before then are refused`,
      );
    }
  }

  async join(ws: WebSocket, state: SocketState, request: Extract<SignalRequest, { type: "join" }>, now: number): Promise<RawReply> {
    if (state.memberId || this.#joining.has(ws))
      throw new ParleyError("ALREADY_JOINED", "this socket has already joined; send leave first");
    const id = `m_${randomId(12)}`;
    const resume = randomId(32);
    this.#joining.add(ws);
    try {
      const admitted = await appStub(this.#env, state.appKey).admit({
        room: state.room,
        member: id,
        user: state.user,
        licence: state.licence,
        now,
      });
      if (!admitted.ok) {
        if (admitted.code.startsWith("LICENCE_")) this.#refused(state, admitted.code, admitted.message, now);
        throw new ParleyError(admitted.code as ErrorCode, admitted.message);
      }
      if (ws.readyState !== WebSocket.OPEN) {
        await appStub(this.#env, state.appKey).release([id]);
        throw new ParleyError("NOT_IN_ROOM", "socket closed while joining");
      }
      const row = {
        id,
        user: state.user,
        name: request.name ?? state.name ?? null,
        metadata: request.metadata ? JSON.stringify(request.metadata) : null,
        hidden: state.grants.hidden ? 1 : 0,
        resume_hash: await sha256Hex(resume),
        joined_at: now,
        drop_deadline: null,
      };
      this.#members.insert(row);
      this.#sockets.bind(ws, id);
      const callBefore = this.#calls.callId;
      this.#calls.memberJoined({ id, user: state.user, joinedAt: now }, request.client);
      this.#events.joined(state, this.#calls.callId as string, row, callBefore === null);
      this.#outbox.flushLater();
      if (!state.grants.hidden) this.#sockets.broadcast({ type: "member.joined", member: toMemberInfo(row) }, id);
      return this.#view(id, `"resume":${JSON.stringify(resume)},`);
    } finally {
      this.#joining.delete(ws);
    }
  }

  async resume(ws: WebSocket, state: SocketState, request: Extract<SignalRequest, { type: "resume" }>): Promise<RawReply> {
    if (state.memberId) throw new ParleyError("ALREADY_JOINED", "this socket already speaks for a member");
    const row = this.#members.get(request.member);
    if (!row || row.user !== state.user || row.resume_hash !== (await sha256Hex(request.secret))) {
      throw new ParleyError("RESUME_FAILED", "no member to resume with that id and secret (the resume window may have ended): join again");
    }
    const previous = this.#sockets.members().get(row.id);
    if (previous && previous !== ws) {
      this.#sockets.unbind(previous, row.id);
      closeQuietly(previous, CLOSE.replaced, "resumed on another connection");
    }
    this.#members.setDropDeadline(row.id, null);
    this.#sockets.bind(ws, row.id);
    await appStub(this.#env, state.appKey).setConnected(row.id, true);
    await this.#alarms.reschedule();
    return this.#view(row.id);
  }

  /** A licence refusal: a webhook, and a row for the join success rate in /v1/stats. */
  #refused(state: SocketState, code: string, message: string, now: number): void {
    this.#events.licenceLimit(state, code, message);
    this.#outbox.enqueue("INSERT INTO join_refusals (app_key, room, user, code, at) VALUES (?, ?, ?, ?, ?)", [
      state.appKey,
      state.room,
      state.user,
      code,
      now,
    ]);
    this.#outbox.flushLater();
  }

  #view(memberId: string, extraJson = ""): RawReply {
    return roomView(this.#members, JSON.stringify(this.#tracks.tracks()), memberId, extraJson);
  }
}
