import {
  type CallDetail,
  type CallPage,
  type CallSearch,
  type CallSummary,
  type ClientInfo,
  ParleyError,
  type TrackQualitySample,
} from "@parley/shared";
import { encodeCursor } from "../http/cursor.js";
import { PagedQuery } from "../http/paged-query.js";

interface CallRow {
  id: string;
  room: string;
  started_at: number;
  ended_at: number | null;
  members: number;
}

/** Reads call records from D1 (the Room DOs write them through their outboxes). */
export class CallStore {
  #db: D1Database;

  constructor(db: D1Database) {
    this.#db = db;
  }

  /** Newest first; `nextCursor` continues after the last call of the page. */
  async search(appKey: string, q: CallSearch): Promise<CallPage> {
    const filter = new PagedQuery().add("c.app_key = ?", appKey);
    if (q.room) filter.add("c.room = ?", q.room);
    if (q.user) filter.add("EXISTS (SELECT 1 FROM call_members u WHERE u.call_id = c.id AND u.user = ?)", q.user);
    if (q.from) filter.add("c.started_at >= ?", q.from.getTime());
    if (q.to) filter.add("c.started_at <= ?", q.to.getTime());
    filter.after(q.cursor, "c.started_at", "c.id");
    const { results } = await this.#db
      .prepare(
        `SELECT c.id, c.room, c.started_at, c.ended_at, (SELECT COUNT(*) FROM call_members m WHERE m.call_id = c.id) AS members
         FROM calls c WHERE ${filter.sql()} ORDER BY c.started_at DESC, c.id DESC LIMIT ?`,
      )
      .bind(...filter.params, q.limit + 1)
      .all<CallRow>();
    const page = results.slice(0, q.limit);
    const last = page.at(-1);
    return { calls: page.map(toSummary), nextCursor: results.length > q.limit && last ? encodeCursor(last.started_at, last.id) : null };
  }

  async detail(appKey: string, id: string): Promise<CallDetail> {
    const call = await this.#db
      .prepare(
        "SELECT c.id, c.room, c.started_at, c.ended_at, (SELECT COUNT(*) FROM call_members m WHERE m.call_id = c.id) AS members FROM calls c WHERE c.id = ? AND c.app_key = ?",
      )
      .bind(id, appKey)
      .first<CallRow>();
    if (!call) throw new ParleyError("NOT_FOUND", `no call ${id} for this app`);
    const [members, quality] = await this.#db.batch<Record<string, unknown>>([
      this.#db.prepare("SELECT * FROM call_members WHERE call_id = ? ORDER BY joined_at").bind(id),
      this.#db.prepare("SELECT member, at, source, mos, tracks FROM call_quality WHERE call_id = ? ORDER BY at LIMIT 5000").bind(id),
    ]);
    return {
      ...toSummary(call),
      endpoints: (members?.results ?? []).map((m) => ({
        member: String(m.member),
        user: String(m.user),
        joinedAt: new Date(Number(m.joined_at)).toISOString(),
        leftAt: m.left_at === null ? null : new Date(Number(m.left_at)).toISOString(),
        durationSeconds: m.left_at === null ? null : Math.round((Number(m.left_at) - Number(m.joined_at)) / 1000),
        leaveReason: (m.leave_reason as string | null) ?? null,
        client: m.client ? (JSON.parse(String(m.client)) as ClientInfo) : null,
      })),
      quality: (quality?.results ?? []).map((p) => ({
        member: String(p.member),
        at: new Date(Number(p.at)).toISOString(),
        source: p.source === "node" ? "node" : "sdk",
        mos: (p.mos as number | null) ?? null,
        tracks: JSON.parse(String(p.tracks)) as TrackQualitySample[],
      })),
    };
  }
}

function toSummary(row: CallRow): CallSummary {
  return {
    id: row.id,
    room: row.room,
    startedAt: new Date(row.started_at).toISOString(),
    endedAt: row.ended_at === null ? null : new Date(row.ended_at).toISOString(),
    durationSeconds: row.ended_at === null ? null : Math.round((row.ended_at - row.started_at) / 1000),
    members: row.members,
  };
}
