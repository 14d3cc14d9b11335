import { type ClientInfo, QUALITY_REPORT_MIN_INTERVAL_MS, randomId, type TrackQualitySample } from "@parley/shared";
import type { MemberStore } from "./member-store.js";

type Param = string | number | null;

/**
 * Writes the room's call record (design §2 "call records (CDR)") to D1 without putting D1 on the
 * join path: each change is first appended to an outbox in the Room DO's own SQLite (durable
 * with the change that caused it), then flushed to D1 in order. A failed flush is retried from
 * the alarm, so an eviction or a D1 outage delays records but never loses them.
 */
export class CallRecorder {
  #sql: SqlStorage;
  #members: MemberStore;
  #db: D1Database;
  #flushing: Promise<void> | null = null;
  #lastQuality = new Map<string, number>();

  constructor(sql: SqlStorage, members: MemberStore, db: D1Database) {
    this.#sql = sql;
    this.#members = members;
    this.#db = db;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS cdr_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, statement TEXT NOT NULL, params TEXT NOT NULL)",
    );
  }

  /** The current call's id; a call starts with its first member. */
  get callId(): string | null {
    return this.#members.getMeta("callId") || null;
  }

  memberJoined(member: { id: string; user: string; joinedAt: number }, client: ClientInfo | undefined): void {
    let callId = this.callId;
    if (!callId) {
      callId = `c_${randomId(16)}`;
      this.#members.setMeta("callId", callId);
      this.#enqueue("INSERT INTO calls (id, app_key, room, started_at) VALUES (?, ?, ?, ?)", [
        callId,
        this.#members.getMeta("appKey"),
        this.#members.getMeta("room"),
        member.joinedAt,
      ]);
    }
    this.#enqueue("INSERT OR IGNORE INTO call_members (call_id, member, user, joined_at, client) VALUES (?, ?, ?, ?, ?)", [
      callId,
      member.id,
      member.user,
      member.joinedAt,
      client ? JSON.stringify(client) : null,
    ]);
  }

  memberLeft(member: string, reason: string, at: number): void {
    const callId = this.callId;
    if (!callId) return;
    this.#enqueue("UPDATE call_members SET left_at = ?, leave_reason = ? WHERE call_id = ? AND member = ?", [at, reason, callId, member]);
    this.#lastQuality.delete(member);
  }

  /** The room emptied: the call ends; the next member starts a new one. */
  roomEmpty(at: number): void {
    const callId = this.callId;
    if (!callId) return;
    this.#enqueue("UPDATE calls SET ended_at = ? WHERE id = ?", [at, callId]);
    this.#members.setMeta("callId", "");
  }

  /** Stores a quality point, at most one per member every QUALITY_REPORT_MIN_INTERVAL_MS. */
  quality(member: string, source: "sdk" | "node", at: number, mos: number | null, tracks: TrackQualitySample[]): boolean {
    const callId = this.callId;
    if (!callId) return false;
    const key = `${source}:${member}`;
    if (at - (this.#lastQuality.get(key) ?? 0) < QUALITY_REPORT_MIN_INTERVAL_MS) return false;
    this.#lastQuality.set(key, at);
    this.#enqueue("INSERT INTO call_quality (call_id, member, at, source, mos, tracks) VALUES (?, ?, ?, ?, ?, ?)", [
      callId,
      member,
      at,
      source,
      mos,
      JSON.stringify(tracks),
    ]);
    return true;
  }

  pending(): number {
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM cdr_outbox").one().n;
  }

  /** Writes queued changes to D1 in order; one flush at a time. Throws when D1 refuses. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flushOnce().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    for (;;) {
      const rows = this.#sql
        .exec<{ seq: number; statement: string; params: string }>("SELECT seq, statement, params FROM cdr_outbox ORDER BY seq LIMIT 50")
        .toArray();
      if (rows.length === 0) return;
      await this.#db.batch(rows.map((r) => this.#db.prepare(r.statement).bind(...(JSON.parse(r.params) as Param[]))));
      this.#sql.exec("DELETE FROM cdr_outbox WHERE seq <= ?", rows.at(-1)?.seq ?? 0);
    }
  }

  #enqueue(statement: string, params: Param[]): void {
    this.#sql.exec("INSERT INTO cdr_outbox (statement, params) VALUES (?, ?)", statement, JSON.stringify(params));
  }
}
