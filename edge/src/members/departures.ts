import { type LeaveReason, LIMITS } from "@parley/shared";
import { config } from "../config/index.js";
import type { AlarmSchedule } from "../durable/alarms.js";
import type { SocketRegistry } from "../durable/socket-registry.js";
import { closeQuietly, send } from "../durable/sockets.js";
import type { Env } from "../env.js";
import { appStub } from "../licences/app-do.js";
import { CLOSE, type SocketState } from "../rooms/socket-state.js";
import type { MemberStore } from "./member-store.js";

/** A member taken out of the room, as the rest of the room needs to know it. */
export interface Departed {
  id: string;
  user: string;
  hidden: boolean;
}

/**
 * Members leaving the room, whichever way: a dropped socket is held for the resume window (the
 * alarm goes off at the earliest deadline), a kick revokes the user's older tokens, and members
 * taken out are released from the app's licence counters and announced. What the room does when
 * the last one leaves (the call, recordings and pushes end) is the Room DO's `#remove`.
 */
export class RoomDepartures {
  #env: Env;
  #members: MemberStore;
  #sockets: SocketRegistry<SocketState>;
  #alarms: AlarmSchedule;

  constructor(deps: { env: Env; members: MemberStore; sockets: SocketRegistry<SocketState>; alarms: AlarmSchedule }) {
    this.#env = deps.env;
    this.#members = deps.members;
    this.#sockets = deps.sockets;
    this.#alarms = deps.alarms;
    deps.alarms.add(() => deps.members.nextDeadline());
  }

  /** The socket went away: the member stays until the resume window runs out (the alarm). */
  async dropped(ws: WebSocket): Promise<void> {
    const { memberId: id, appKey } = this.#sockets.state(ws);
    const bound = id !== null && this.#sockets.members().get(id) === ws;
    if (!id || !bound) return;
    this.#sockets.members().delete(id);
    if (!this.#members.get(id)) return;
    this.#members.setDropDeadline(id, Date.now() + config(this.#env).resumeWindowMs);
    await appStub(this.#env, appKey).setConnected(id, false);
    await this.#alarms.reschedule();
  }

  /** Members whose resume window has run out (to be removed); kicks old enough to matter no more are forgotten. */
  expired(now: number): string[] {
    this.#members.pruneRevocations(now - LIMITS.kickRevocationSeconds * 1000);
    return this.#members.expired(now).map((m) => m.id);
  }

  /** `leave`: the socket no longer speaks for the member (its close after the reply is no drop). */
  left(ws: WebSocket, id: string): void {
    this.#sockets.unbind(ws, id);
  }

  /** Tells these members of `user` they were kicked and closes their sockets; tokens for the user issued up to now are revoked here. */
  kick(user: string, ids: string[], by: string, reason?: string): void {
    this.#members.revoke(user, Date.now());
    for (const id of ids) {
      const ws = this.#sockets.members().get(id);
      if (!ws) continue;
      send(ws, { type: "kicked", by, ...(reason ? { reason } : {}) });
      this.#sockets.unbind(ws, id);
      closeQuietly(ws, CLOSE.kicked, "kicked");
    }
  }

  /** Takes the members' rows out of the room; answers those that were in it. */
  take(ids: string[]): Departed[] {
    const gone: Departed[] = [];
    for (const id of ids) {
      const row = this.#members.get(id);
      if (!row) continue;
      this.#members.remove(id);
      gone.push({ id, user: row.user, hidden: row.hidden === 1 });
    }
    return gone;
  }

  /** Frees their seats in the app's licence counters; an emptied room is reconciled whole, so a lost release cannot leak a seat. */
  async release(appKey: string, gone: Departed[], roomEmpty: boolean): Promise<void> {
    const app = appStub(this.#env, appKey);
    if (roomEmpty) await app.releaseRoom(this.#members.getMeta("room") as string);
    else await app.release(gone.map((g) => g.id));
  }

  /** member.left for everyone still here (hidden members were never announced). */
  announce(gone: Departed[], reason: LeaveReason): void {
    for (const g of gone) if (!g.hidden) this.#sockets.broadcast({ type: "member.left", member: g.id, reason });
  }
}
