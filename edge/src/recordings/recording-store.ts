import { ParleyError, type RecordingInfo, type RecordingPage, type RecordingSearch } from "@parley/shared";
import { encodeCursor } from "../http/cursor.js";
import { PagedQuery } from "../http/paged-query.js";

interface RecordingRow {
  id: string;
  app_key: string;
  room: string;
  call_id: string | null;
  mode: RecordingInfo["mode"];
  status: RecordingInfo["status"];
  node: string;
  storage_kind: string;
  started_at: number;
  ended_at: number | null;
  size_bytes: number;
  members: string;
  files: string;
  error: string | null;
  settings_version: number | null;
}

export interface StoredFile {
  file: string;
  member: string | null;
  kind: "audio" | "video";
  codec: string;
  segment: number;
  bytes: number | null;
  sha256: string | null;
  status: string;
  location: string | null;
}

export interface StoredRecording extends RecordingInfo {
  node: string;
  storedFiles: StoredFile[];
  /** The app's recording settings version it was written with; null: the node's own storage. */
  settingsVersion: number | null;
}

/** Reads the recordings index (D1). */
export class RecordingStore {
  #db: D1Database;

  constructor(db: D1Database) {
    this.#db = db;
  }

  async search(appKey: string, q: RecordingSearch): Promise<RecordingPage> {
    const filter = new PagedQuery().add("app_key = ?", appKey);
    if (q.room) filter.add("room = ?", q.room);
    if (q.from) filter.add("started_at >= ?", q.from.getTime());
    if (q.to) filter.add("started_at <= ?", q.to.getTime());
    filter.after(q.cursor, "started_at", "id");
    const { results } = await this.#db
      .prepare(`SELECT * FROM recordings WHERE ${filter.sql()} ORDER BY started_at DESC, id DESC LIMIT ?`)
      .bind(...filter.params, q.limit + 1)
      .all<RecordingRow>();
    const page = results.slice(0, q.limit);
    const last = page.at(-1);
    return { recordings: page.map(toInfo), nextCursor: results.length > q.limit && last ? encodeCursor(last.started_at, last.id) : null };
  }

  /** A recording with where its files are stored (node, locations, settings version): never sent out as is. */
  async get(appKey: string, id: string): Promise<StoredRecording> {
    const row = await this.#row(appKey, id);
    return {
      ...toInfo(row),
      node: row.node,
      storedFiles: JSON.parse(row.files) as StoredFile[],
      settingsVersion: row.settings_version,
    };
  }

  /** What a customer may see of a recording. */
  async info(appKey: string, id: string): Promise<RecordingInfo> {
    return toInfo(await this.#row(appKey, id));
  }

  async #row(appKey: string, id: string): Promise<RecordingRow> {
    const row = await this.#db.prepare("SELECT * FROM recordings WHERE id = ? AND app_key = ?").bind(id, appKey).first<RecordingRow>();
    if (!row) throw new ParleyError("RECORDING_NOT_FOUND", `no recording ${id} for this app`);
    return row;
  }
}

function toInfo(row: RecordingRow): RecordingInfo {
  const files = JSON.parse(row.files) as StoredFile[];
  return {
    id: row.id,
    room: row.room,
    callId: row.call_id,
    mode: row.mode,
    status: row.status,
    startedAt: new Date(row.started_at).toISOString(),
    endedAt: row.ended_at === null ? null : new Date(row.ended_at).toISOString(),
    durationSeconds: row.ended_at === null ? null : Math.round((row.ended_at - row.started_at) / 1000),
    sizeBytes: row.size_bytes,
    formats: [...new Set(files.map((f) => f.file.split(".").pop() ?? ""))].filter(Boolean),
    storage: row.storage_kind,
    members: JSON.parse(row.members) as string[],
    files: files.map(({ location: _location, ...f }) => f),
    error: row.error ? (JSON.parse(row.error) as { code: string; message: string }) : null,
  };
}
