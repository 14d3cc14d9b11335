import type { MemberInfo, Metadata } from "@parley/shared";

export interface MemberRow {
  id: string;
  user: string;
  name: string | null;
  metadata: string | null;
  hidden: number;
  resume_hash: string;
  joined_at: number;
  /** Unix ms by which a dropped member must resume; null while connected. */
  drop_deadline: number | null;
}

interface CachedMember {
  row: MemberRow;
  /** The member's public JSON (MemberInfo), serialised once: join replies list every member. */
  json: string;
}

/**
 * The Room DO's SQLite tables: who is in the room, and who was kicked when. SQLite is the truth;
 * members are also cached in memory (loaded on first use after a wake) because every join
 * answers with the whole list.
 */
export class MemberStore {
  #sql: SqlStorage;
  #cache: Map<string, CachedMember> | null = null;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS members (
        id TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        name TEXT,
        metadata TEXT,
        hidden INTEGER NOT NULL DEFAULT 0,
        resume_hash TEXT NOT NULL,
        joined_at INTEGER NOT NULL,
        drop_deadline INTEGER
      );
      CREATE TABLE IF NOT EXISTS revocations (user TEXT PRIMARY KEY, at INTEGER NOT NULL);
    `);
  }

  getMeta(key: string): string | null {
    return this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.#sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }

  get(id: string): MemberRow | null {
    return this.#members().get(id)?.row ?? null;
  }

  all(): MemberRow[] {
    return [...this.#members().values()].map((m) => m.row);
  }

  count(): number {
    return this.#members().size;
  }

  /** JSON array text of the visible members other than `except`, from the cache. */
  visibleJson(except: string): string {
    const parts: string[] = [];
    for (const [id, m] of this.#members()) if (id !== except && m.row.hidden === 0) parts.push(m.json);
    return `[${parts.join(",")}]`;
  }

  memberJson(id: string): string | null {
    return this.#members().get(id)?.json ?? null;
  }

  #members(): Map<string, CachedMember> {
    if (!this.#cache) {
      this.#cache = new Map();
      for (const row of this.#sql.exec<MemberRow & Record<string, SqlStorageValue>>("SELECT * FROM members ORDER BY joined_at")) {
        this.#cache.set(row.id, cached({ ...row }));
      }
    }
    return this.#cache;
  }

  insert(row: MemberRow): void {
    this.#sql.exec(
      "INSERT INTO members (id, user, name, metadata, hidden, resume_hash, joined_at, drop_deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      row.id,
      row.user,
      row.name,
      row.metadata,
      row.hidden,
      row.resume_hash,
      row.joined_at,
      row.drop_deadline,
    );
    this.#members().set(row.id, cached(row));
  }

  update(id: string, patch: { name?: string; metadata?: Metadata }): void {
    const entry = this.#members().get(id);
    if (!entry) return;
    const row = { ...entry.row };
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.metadata !== undefined) row.metadata = JSON.stringify(patch.metadata);
    this.#sql.exec("UPDATE members SET name = ?, metadata = ? WHERE id = ?", row.name, row.metadata, id);
    this.#members().set(id, cached(row));
  }

  setDropDeadline(id: string, deadline: number | null): void {
    this.#sql.exec("UPDATE members SET drop_deadline = ? WHERE id = ?", deadline, id);
    const entry = this.#members().get(id);
    if (entry) entry.row = { ...entry.row, drop_deadline: deadline };
  }

  remove(id: string): void {
    this.#sql.exec("DELETE FROM members WHERE id = ?", id);
    this.#members().delete(id);
  }

  expired(now: number): MemberRow[] {
    return this.#sql
      .exec<MemberRow & Record<string, SqlStorageValue>>(
        "SELECT * FROM members WHERE drop_deadline IS NOT NULL AND drop_deadline <= ?",
        now,
      )
      .toArray();
  }

  nextDeadline(): number | null {
    return this.#sql.exec<{ d: number | null }>("SELECT MIN(drop_deadline) AS d FROM members").one().d;
  }

  revoke(user: string, at: number): void {
    this.#sql.exec("INSERT OR REPLACE INTO revocations (user, at) VALUES (?, ?)", user, at);
  }

  /** Unix ms of the user's latest kick from this room, if any. */
  revokedAt(user: string): number | null {
    return this.#sql.exec<{ at: number }>("SELECT at FROM revocations WHERE user = ?", user).toArray()[0]?.at ?? null;
  }

  pruneRevocations(before: number): void {
    this.#sql.exec("DELETE FROM revocations WHERE at < ?", before);
  }
}

export function toMemberInfo(row: MemberRow): MemberInfo {
  const info: MemberInfo = { id: row.id, user: row.user, joinedAt: row.joined_at };
  if (row.name !== null) info.name = row.name;
  if (row.metadata !== null) info.metadata = JSON.parse(row.metadata);
  return info;
}

function cached(row: MemberRow): CachedMember {
  return { row, json: JSON.stringify(toMemberInfo(row)) };
}
