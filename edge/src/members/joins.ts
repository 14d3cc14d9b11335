import { type ErrorCode, ParleyError, randomId, type SignalRequest } from "@parley/shared";
import { CLOSE, closeQuietly, type SocketState } from "../durable/sockets.js";
import { sha256Hex } from "../http/timing-safe.js";
import { appStub } from "../licences/app-do.js";
import type { RoomParts } from "../rooms/room-parts.js";
import { toMemberInfo } from "./member-store.js";
import { type RawReply, roomView } from "./member-view.js";

/**
 * How a socket becomes a member: `join` (licence admission by the App DO, the member row, the call
 * record, webhooks, member.joined) and `resume` (the same member back within its window, silently).
 */
export class RoomJoins {
  #p: RoomParts;
  #joining = new WeakSet<WebSocket>();

  constructor(parts: RoomParts) {
    this.#p = parts;
  }

  async join(ws: WebSocket, state: SocketState, request: Extract<SignalRequest, { type: "join" }>, now: number): Promise<RawReply> {
    const p = this.#p;
    if (state.memberId || this.#joining.has(ws))
      throw new ParleyError("ALREADY_JOINED", "this socket has already joined; send leave first");
    const id = `m_${randomId(12)}`;
    const resume = randomId(32);
    this.#joining.add(ws);
    try {
      const admitted = await appStub(p.env, state.appKey).admit({
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
        await appStub(p.env, state.appKey).release([id]);
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
      p.store.insert(row);
      p.sockets.bind(ws, id);
      const callBefore = p.calls.callId;
      p.calls.memberJoined({ id, user: state.user, joinedAt: now }, request.client);
      p.events.joined(state, p.calls.callId as string, row, callBefore === null);
      p.flush();
      if (!state.grants.hidden) p.sockets.broadcast({ type: "member.joined", member: toMemberInfo(row) }, id);
      return this.#view(id, `"resume":${JSON.stringify(resume)},`);
    } finally {
      this.#joining.delete(ws);
    }
  }

  async resume(ws: WebSocket, state: SocketState, request: Extract<SignalRequest, { type: "resume" }>): Promise<RawReply> {
    const p = this.#p;
    if (state.memberId) throw new ParleyError("ALREADY_JOINED", "this socket already speaks for a member");
    const row = p.store.get(request.member);
    if (!row || row.user !== state.user || row.resume_hash !== (await sha256Hex(request.secret))) {
      throw new ParleyError("RESUME_FAILED", "no member to resume with that id and secret (the resume window may have ended): join again");
    }
    const previous = p.sockets.members().get(row.id);
    if (previous && previous !== ws) {
      p.sockets.unbind(previous, row.id);
      closeQuietly(previous, CLOSE.replaced, "resumed on another connection");
    }
    p.store.setDropDeadline(row.id, null);
    p.sockets.bind(ws, row.id);
    await appStub(p.env, state.appKey).setConnected(row.id, true);
    await p.scheduleAlarm();
    return this.#view(row.id);
  }

  /** A licence refusal: a webhook, and a row for the join success rate in /v1/stats. */
  #refused(state: SocketState, code: string, message: string, now: number): void {
    this.#p.events.licenceLimit(state, code, message);
    this.#p.outbox.enqueue("INSERT INTO join_refusals (app_key, room, user, code, at) VALUES (?, ?, ?, ?, ?)", [
      state.appKey,
      state.room,
      state.user,
      code,
      now,
    ]);
    this.#p.flush();
  }

  #view(memberId: string, extraJson = ""): RawReply {
    return roomView(this.#p.store, JSON.stringify(this.#p.media.tracks()), memberId, extraJson);
  }
}
