import type { LeaveReason, RecordingFile, RtmpPush } from "@parley/shared";
import type { MemberStore } from "../members/member-store.js";
import type { SocketState } from "../rooms/socket-state.js";
import type { OrderedWebhookEmitter } from "./emit.js";

/**
 * The Room DO's webhook events (edge/src/webhooks), built from room state and handed over in order;
 * emitting never blocks or fails the request that caused it.
 */
export class RoomWebhooks {
  #emitter: OrderedWebhookEmitter;
  #members: MemberStore;

  constructor(emitter: OrderedWebhookEmitter, members: MemberStore) {
    this.#emitter = emitter;
    this.#members = members;
  }

  joined(
    state: SocketState,
    callId: string,
    row: { id: string; name: string | null; hidden: number; joined_at: number },
    callStarted: boolean,
  ): void {
    const at = new Date(row.joined_at).toISOString();
    if (callStarted) this.#emitter.emit(state.appKey, "room.started", { room: state.room, callId, startedAt: at });
    this.#emitter.emit(state.appKey, "member.joined", {
      room: state.room,
      callId,
      member: row.id,
      user: state.user,
      name: row.name,
      hidden: row.hidden === 1,
      joinedAt: at,
    });
  }

  left(callId: string | null, gone: { id: string; user: string }[], reason: LeaveReason, roomEmpty: boolean, at: number): void {
    const { appKey, room } = this.#where();
    const leftAt = new Date(at).toISOString();
    for (const g of gone) this.#emitter.emit(appKey, "member.left", { room, callId, member: g.id, user: g.user, reason, leftAt });
    if (roomEmpty && callId && gone.length > 0) this.#emitter.emit(appKey, "room.finished", { room, callId, finishedAt: leftAt });
  }

  licenceLimit(state: SocketState, code: string, message: string): void {
    const data = { code: code as "LICENCE_USERS_EXCEEDED", message, room: state.room, user: state.user, licence: state.licence };
    this.#emitter.emit(state.appKey, "licence.limit_reached", data);
  }

  recordingStarted(recordingId: string, mode: string, startedAt: number): void {
    const { appKey, room } = this.#where();
    this.#emitter.emit(appKey, "recording.started", { room, recordingId, mode, startedAt: new Date(startedAt).toISOString() });
  }

  recordingAvailable(recordingId: string, files: RecordingFile[], at: number): void {
    const { appKey, room } = this.#where();
    this.#emitter.emit(appKey, "recording.available", {
      room,
      recordingId,
      files: files.map((f) => ({ key: f.file, bytes: f.bytes ?? 0, sha256: f.sha256, member: f.member, kind: f.kind })),
      availableAt: new Date(at).toISOString(),
    });
  }

  recordingFailed(recordingId: string, error: { code: string; message: string }, at: number): void {
    const { appKey, room } = this.#where();
    this.#emitter.emit(appKey, "recording.failed", { room, recordingId, error, failedAt: new Date(at).toISOString() });
  }

  /** A push went live for the first time, or ended. */
  rtmp(type: "rtmp.started" | "rtmp.stopped" | "rtmp.failed", push: RtmpPush): void {
    const { appKey, room } = this.#where();
    const at = type === "rtmp.started" ? new Date().toISOString() : (push.endedAt ?? new Date().toISOString());
    this.#emitter.emit(appKey, type, { room, pushId: push.id, target: push.target, source: push.source, error: push.error, at });
  }

  #where(): { appKey: string | null; room: string } {
    return { appKey: this.#members.getMeta("appKey"), room: this.#members.getMeta("room") ?? "" };
  }
}
