import { AutoRecord, type RoomOptionsView as RoomOptionsAnswer, type RoomOptionsRequest } from "@parley/shared";
import type { RecordingSettingsStore } from "./recording-settings-store.js";

/**
 * A room's own options, in the Room DO's SQLite so they outlive members, calls and evictions
 * (an empty room keeps them). Today one: `autoRecord`, which wins over the app's setting; a room
 * without the row follows the app.
 */
export class RoomOptions {
  #sql: SqlStorage;
  #settings: RecordingSettingsStore;

  constructor(sql: SqlStorage, settings: RecordingSettingsStore) {
    this.#sql = sql;
    this.#settings = settings;
    sql.exec("CREATE TABLE IF NOT EXISTS room_options (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
  }

  /** What applies to the room now, and where it comes from. */
  async effective(appKey: string, room: string): Promise<RoomOptionsAnswer> {
    const own = this.#own();
    if (own !== undefined) return { room, autoRecord: own, autoRecordFrom: "room" };
    return { room, autoRecord: (await this.#settings.current(appKey)).settings.autoRecord, autoRecordFrom: "app" };
  }

  async set(appKey: string, room: string, request: RoomOptionsRequest): Promise<RoomOptionsAnswer> {
    if (request.autoRecord === undefined) this.#sql.exec("DELETE FROM room_options WHERE name = 'autoRecord'");
    else this.#sql.exec("INSERT OR REPLACE INTO room_options (name, value) VALUES ('autoRecord', ?)", JSON.stringify(request.autoRecord));
    return this.effective(appKey, room);
  }

  /** The room's own auto-record option; undefined when it follows the app. */
  #own(): AutoRecord | null | undefined {
    const row = this.#sql.exec<{ value: string }>("SELECT value FROM room_options WHERE name = 'autoRecord'").toArray()[0];
    return row === undefined ? undefined : AutoRecord.nullable().parse(JSON.parse(row.value));
  }
}
