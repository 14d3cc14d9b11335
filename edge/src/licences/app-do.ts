import type { ErrorCode, Licence, UserSession } from "@parley/shared";
import { ParleyDurableObject } from "../durable/parley-durable-object.js";
import type { Env } from "../env.js";

export type AdmitResult = { ok: true } | { ok: false; code: ErrorCode; message: string };

export interface Usage {
  rooms: number;
  users: number;
}

/**
 * One per app. Holds every live member of the app's rooms, so licence limits are exact:
 * a DO runs one call at a time and these methods never await, so no two admissions interleave.
 * The same table answers the signal locator (a user's live sessions across rooms).
 */
export class AppDO extends ParleyDurableObject {
  #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`
      CREATE TABLE IF NOT EXISTS members (
        member TEXT PRIMARY KEY,
        room TEXT NOT NULL,
        user TEXT NOT NULL,
        joined_at INTEGER NOT NULL,
        connected INTEGER NOT NULL DEFAULT 1
      );
      CREATE INDEX IF NOT EXISTS members_room ON members (room);
      CREATE INDEX IF NOT EXISTS members_user ON members (user);
      CREATE TABLE IF NOT EXISTS room_nodes (room TEXT PRIMARY KEY, node TEXT NOT NULL);
    `);
  }

  admit(input: { room: string; member: string; user: string; licence: Licence; now?: number }): AdmitResult {
    const now = input.now ?? Date.now();
    const { licence } = input;
    if (licence.expiresAt && Date.parse(licence.expiresAt) <= now) {
      return { ok: false, code: "LICENCE_EXPIRED", message: `the app's licence expired at ${licence.expiresAt}` };
    }
    const usage = this.usage();
    if (licence.maxUsers !== null && usage.users >= licence.maxUsers) {
      return { ok: false, code: "LICENCE_USERS_EXCEEDED", message: `the app's licence allows ${licence.maxUsers} concurrent users` };
    }
    const roomIsLive = this.#sql.exec("SELECT 1 FROM members WHERE room = ? LIMIT 1", input.room).toArray().length > 0;
    if (!roomIsLive && licence.maxRooms !== null && usage.rooms >= licence.maxRooms) {
      return { ok: false, code: "LICENCE_ROOMS_EXCEEDED", message: `the app's licence allows ${licence.maxRooms} concurrent rooms` };
    }
    this.#sql.exec(
      "INSERT OR REPLACE INTO members (member, room, user, joined_at, connected) VALUES (?, ?, ?, ?, 1)",
      input.member,
      input.room,
      input.user,
      now,
    );
    return { ok: true };
  }

  release(members: string[]): void {
    for (const member of members) this.#sql.exec("DELETE FROM members WHERE member = ?", member);
  }

  /** Forgets every member of a room, and any the room no longer knows of (reconciliation). */
  releaseRoom(room: string, keep: string[] = []): void {
    const keepSet = new Set(keep);
    for (const row of this.#sql.exec<{ member: string }>("SELECT member FROM members WHERE room = ?", room)) {
      if (!keepSet.has(row.member)) this.#sql.exec("DELETE FROM members WHERE member = ?", row.member);
    }
    if (keep.length === 0) this.#sql.exec("DELETE FROM room_nodes WHERE room = ?", room);
  }

  setConnected(member: string, connected: boolean): void {
    this.#sql.exec("UPDATE members SET connected = ? WHERE member = ?", connected ? 1 : 0, member);
  }

  usage(): Usage {
    const row = this.#sql
      .exec<{ users: number; rooms: number }>("SELECT COUNT(*) AS users, COUNT(DISTINCT room) AS rooms FROM members")
      .one();
    return { rooms: row.rooms, users: row.users };
  }

  /** Read-only, for the console: live rooms by name, after `after` (paging), with member counts, earliest join and the node carrying their media. */
  liveRooms(limit = 100, after = ""): { room: string; members: number; connected: number; since: number; node: string | null }[] {
    return this.#sql
      .exec<{ room: string; members: number; connected: number; since: number; node: string | null }>(
        `SELECT m.room AS room, COUNT(*) AS members, SUM(m.connected) AS connected, MIN(m.joined_at) AS since, n.node AS node
         FROM members m LEFT JOIN room_nodes n ON n.room = m.room WHERE m.room > ? GROUP BY m.room ORDER BY m.room LIMIT ?`,
        after,
        limit,
      )
      .toArray();
  }

  /** The Room DO says which node carries its media (null: none any more). */
  setRoomNode(room: string, node: string | null): void {
    if (node) this.#sql.exec("INSERT OR REPLACE INTO room_nodes (room, node) VALUES (?, ?)", room, node);
    else this.#sql.exec("DELETE FROM room_nodes WHERE room = ?", room);
  }

  sessions(user: string): UserSession[] {
    return this.#sql
      .exec<{ member: string; room: string; user: string; joined_at: number; connected: number }>(
        "SELECT member, room, user, joined_at, connected FROM members WHERE user = ? ORDER BY joined_at",
        user,
      )
      .toArray()
      .map((r) => ({ room: r.room, member: r.member, user: r.user, joinedAt: r.joined_at, connected: r.connected === 1 }));
  }
}

export function appStub(env: Env, appKey: string): DurableObjectStub<AppDO> {
  return env.APPS.get(env.APPS.idFromName(appKey));
}
