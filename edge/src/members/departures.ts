import type { LeaveReason } from "@parley/shared";
import { config } from "../config/index.js";
import { CLOSE, closeQuietly, send } from "../durable/sockets.js";
import { appStub } from "../licences/app-do.js";
import type { RoomParts } from "../rooms/room-parts.js";

/**
 * Members leaving the room, whichever way: a dropped socket (held for the resume window), a leave,
 * a kick, the resume window running out, the room closing. The last one out ends the call, its
 * recordings and RTMP pushes, and releases the room in the app's licence counters.
 */
export class RoomDepartures {
  #d: RoomParts;

  constructor(deps: RoomParts) {
    this.#d = deps;
  }

  /** The socket went away: the member stays until the resume window runs out (the alarm). */
  async dropped(ws: WebSocket): Promise<void> {
    const { sockets, store } = this.#d;
    const id = sockets.state(ws).memberId;
    const appKey = sockets.state(ws).appKey;
    const bound = id !== null && sockets.members().get(id) === ws;
    sockets.forget(ws);
    if (!id || !bound) return;
    sockets.members().delete(id);
    if (!store.get(id)) return;
    store.setDropDeadline(id, Date.now() + config(this.#d.env).resumeWindowMs);
    await appStub(this.#d.env, appKey).setConnected(id, false);
    await this.#d.scheduleAlarm();
  }

  /** Removes these members of `user`; tokens for the user issued up to now are revoked for this room. */
  async kick(user: string, ids: string[], by: string, reason?: string): Promise<void> {
    const { sockets, store } = this.#d;
    store.revoke(user, Date.now());
    for (const id of ids) {
      const ws = sockets.members().get(id);
      if (!ws) continue;
      send(ws, { type: "kicked", by, ...(reason ? { reason } : {}) });
      sockets.unbind(ws, id);
      closeQuietly(ws, CLOSE.kicked, "kicked");
    }
    await this.remove(ids, "kicked");
  }

  async remove(ids: string[], reason: LeaveReason, opts: { announce?: boolean } = {}): Promise<void> {
    if (ids.length === 0) return;
    const { store, calls, events, media, sockets } = this.#d;
    const gone: { id: string; user: string; hidden: boolean }[] = [];
    for (const id of ids) {
      const row = store.get(id);
      if (!row) continue;
      store.remove(id);
      gone.push({ id, user: row.user, hidden: row.hidden === 1 });
    }
    const appKey = store.getMeta("appKey");
    if (!appKey) return;
    const app = appStub(this.#d.env, appKey);
    const roomEmpty = store.count() === 0;
    const at = Date.now();
    events.left(calls.callId, gone, reason, roomEmpty, at);
    for (const g of gone) calls.memberLeft(g.id, reason, at);
    if (roomEmpty) {
      calls.roomEmpty(at);
      await this.#d.recordings.stopAll();
      await this.#d.rtmp.stopAll();
    }
    this.#d.flush();
    await media.membersGone(
      gone.map((g) => g.id),
      roomEmpty,
    );
    // reconcile: an empty room holds nothing in the app's counters
    if (roomEmpty) await app.releaseRoom(store.getMeta("room") as string);
    else await app.release(gone.map((g) => g.id));
    if (opts.announce === false) return;
    for (const g of gone) if (!g.hidden) sockets.broadcast({ type: "member.left", member: g.id, reason });
  }
}
