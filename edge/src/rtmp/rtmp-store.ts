import type { RtmpState } from "@parley/shared";

/** A push as the room keeps it: never the URL (it holds the stream key), only its `target`. */
export interface PushRow extends Record<string, SqlStorageValue> {
  id: string;
  state: RtmpState;
  node: string;
  source_kind: "member" | "composite";
  source_member: string | null;
  target: string;
  started_at: number;
  ended_at: number | null;
  error: string | null;
  /** 1 once the push has been live: rtmp.started is sent once. */
  went_live: number;
}

const ACTIVE = "state IN ('starting', 'live')";

export function isActive(state: RtmpState): boolean {
  return state === "starting" || state === "live";
}

/** The Room DO's RTMP table: running pushes and the last ended ones. */
export class RtmpStore {
  #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(
      `CREATE TABLE IF NOT EXISTS room_rtmp (id TEXT PRIMARY KEY, state TEXT NOT NULL, node TEXT NOT NULL, source_kind TEXT NOT NULL,
         source_member TEXT, target TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER, error TEXT,
         went_live INTEGER NOT NULL DEFAULT 0)`,
    );
  }

  insert(row: Pick<PushRow, "id" | "node" | "source_kind" | "source_member" | "target" | "started_at">): void {
    this.#sql.exec(
      "INSERT INTO room_rtmp (id, state, node, source_kind, source_member, target, started_at) VALUES (?, 'starting', ?, ?, ?, ?, ?)",
      row.id,
      row.node,
      row.source_kind,
      row.source_member,
      row.target,
      row.started_at,
    );
  }

  find(id: string): PushRow | null {
    return this.#sql.exec<PushRow>("SELECT * FROM room_rtmp WHERE id = ?", id).toArray()[0] ?? null;
  }

  /** Newest first, running and ended. */
  all(): PushRow[] {
    return this.#sql.exec<PushRow>("SELECT * FROM room_rtmp ORDER BY started_at DESC").toArray();
  }

  active(): PushRow[] {
    return this.#sql.exec<PushRow>(`SELECT * FROM room_rtmp WHERE ${ACTIVE}`).toArray();
  }

  activeCount(): number {
    return this.#sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM room_rtmp WHERE ${ACTIVE}`).one().n;
  }

  update(id: string, change: Pick<PushRow, "state" | "ended_at" | "error" | "went_live">): void {
    this.#sql.exec(
      "UPDATE room_rtmp SET state = ?, ended_at = ?, error = ?, went_live = ? WHERE id = ?",
      change.state,
      change.ended_at,
      change.error,
      change.went_live,
      id,
    );
  }

  /** Keeps the `keep` newest ended pushes; older ones are forgotten. */
  forgetEnded(keep: number): void {
    this.#sql.exec(
      `DELETE FROM room_rtmp WHERE NOT ${ACTIVE} AND id NOT IN (SELECT id FROM room_rtmp WHERE NOT ${ACTIVE} ORDER BY started_at DESC LIMIT ?)`,
      keep,
    );
  }
}
