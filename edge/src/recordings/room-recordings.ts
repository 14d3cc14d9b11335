import {
  assertNever,
  type ExportRoomRecordingRequest,
  mergeComposite,
  ParleyError,
  publicStatus,
  type RecordingEvent,
  type RecordingFile,
  type RecordingStatus,
  randomId,
  type StartRoomRecordingRequest,
} from "@parley/shared";
import type { CallRecorder } from "../calls/call-recorder.js";
import { log } from "../log/index.js";
import type { MemberChannel } from "../media/media-relay.js";
import type { RoomNode } from "../media/room-node.js";
import type { MemberStore } from "../members/member-store.js";
import type { D1Outbox } from "../rooms/d1-outbox.js";
import type { RoomWebhooks } from "../webhooks/room-webhooks.js";
import { nodeStorage, type RecordingSettingsStore } from "./recording-settings-store.js";

interface ActiveRow {
  id: string;
  state: string;
}

/**
 * The room's recordings: started and stopped on the room's media node, indexed in D1 through the
 * outbox (so the index survives evictions), announced to every member.
 */
export class RoomRecordings {
  #sql: SqlStorage;
  #members: MemberStore;
  #outbox: D1Outbox;
  #node: RoomNode;
  #calls: CallRecorder;
  #channel: MemberChannel;
  #events: RoomWebhooks;
  #settings: RecordingSettingsStore;

  constructor(
    sql: SqlStorage,
    deps: {
      members: MemberStore;
      outbox: D1Outbox;
      node: RoomNode;
      calls: CallRecorder;
      events: RoomWebhooks;
      channel: MemberChannel;
      settings: RecordingSettingsStore;
    },
  ) {
    this.#sql = sql;
    this.#members = deps.members;
    this.#outbox = deps.outbox;
    this.#node = deps.node;
    this.#calls = deps.calls;
    this.#channel = deps.channel;
    this.#events = deps.events;
    this.#settings = deps.settings;
    sql.exec("CREATE TABLE IF NOT EXISTS room_recordings (id TEXT PRIMARY KEY, state TEXT NOT NULL, node TEXT NOT NULL)");
  }

  /**
   * Starts on the room's node with the app's current settings: its storage, its segment length
   * unless the request gives one, its composite defaults under the request's fields.
   */
  async start(request: StartRoomRecordingRequest, recordingId = `rec_${randomId(16)}`): Promise<RecordingStatus> {
    if (this.#members.count() === 0) throw new ParleyError("NOT_IN_ROOM", "the room has nobody in it: a recording starts with a live call");
    const mode = request.mode ?? "tracks";
    if (request.composite !== undefined && mode !== "composite")
      throw new ParleyError("INVALID_REQUEST", 'composite: composite options need mode "composite"');
    const stored = await this.#settings.current(this.#appKey());
    const composite = mode === "composite" ? mergeComposite(stored.settings.composite, request.composite) : undefined;
    const control = await this.#node.withRouter();
    const status = await control.call("startRecording", {
      recordingId,
      mode,
      segmentSeconds: request.segmentSeconds ?? stored.settings.segmentSeconds ?? undefined,
      storage: nodeStorage(stored),
      composite,
    });
    this.#index(status, control.node, { version: stored.version || null });
    this.#announce(status.recordingId, status.state);
    this.#events.recordingStarted(status.recordingId, status.mode, status.startedAt);
    return status;
  }

  /** True while a recording of this room is capturing. */
  capturing(): boolean {
    return this.#sql.exec("SELECT 1 FROM room_recordings WHERE state = 'recording' LIMIT 1").toArray().length > 0;
  }

  /** A JPEG of one member's current camera, stored (with the app's storage) and indexed like a recording. */
  async snapshot(member: string): Promise<RecordingStatus> {
    if (!this.#members.get(member)) throw new ParleyError("MEMBER_NOT_FOUND", `member ${member} is not in this room`);
    const stored = await this.#settings.current(this.#appKey());
    const control = await this.#node.withRouter();
    const status = await control.call("takeSnapshot", { snapshotId: `rec_${randomId(16)}`, member, storage: nodeStorage(stored) });
    this.#index(status, control.node, { version: stored.version || null });
    return status;
  }

  /**
   * Post-processes a finished per-track recording on the node that recorded it, or, once that node is
   * gone, on any live node of the region, which reads the recording's manifest from the source's
   * storage (the settings version it was written with; the node's own when it used that). Indexed
   * like a recording.
   */
  async export(
    source: { id: string; node: string; settingsVersion: number | null },
    request: ExportRoomRecordingRequest,
  ): Promise<RecordingStatus> {
    const storage =
      source.settingsVersion === null ? undefined : nodeStorage(await this.#settings.version(this.#appKey(), source.settingsVersion));
    const body = { exportId: `rec_${randomId(16)}`, ...request, ...(storage ? { source: { storage } } : {}) };
    let refusal = new ParleyError("NODE_UNAVAILABLE", `no media node is up in this region to export recording ${source.id}`);
    for (const control of await this.#node.controlsFor(source.node)) {
      try {
        const status = await control.call("exportRecording", body, source.id);
        // the node writes the export next to its source, so it shares the source's storage settings
        this.#index(status, control.node, { sameAs: source.id });
        return status;
      } catch (error) {
        // A node that just went away (its last heartbeat is fresh) or is draining: the next one reads the manifest.
        if (!(error instanceof ParleyError && (error.code === "NODE_UNAVAILABLE" || error.code === "NODE_DRAINING"))) throw error;
        refusal = error;
      }
    }
    throw refusal;
  }

  /**
   * Tracks it in the room and writes its row to the D1 index (through the outbox), with the settings
   * version whose storage it is written to (null: the node's own).
   */
  #index(status: RecordingStatus, node: string, settings: { version: number | null } | { sameAs: string }): void {
    this.#sql.exec("INSERT OR REPLACE INTO room_recordings (id, state, node) VALUES (?, ?, ?)", status.recordingId, status.state, node);
    const version = "sameAs" in settings ? "(SELECT settings_version FROM recordings WHERE id = ?)" : "?";
    this.#outbox.enqueue(
      `INSERT INTO recordings (id, app_key, room, call_id, mode, status, node, storage_kind, started_at, members, files, updated_at, settings_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ${version})`,
      [
        status.recordingId,
        this.#appKey(),
        this.#members.getMeta("room"),
        this.#calls.callId,
        status.mode,
        publicStatus(status.state),
        node,
        status.storage,
        status.startedAt,
        JSON.stringify([...new Set(this.#members.all().map((m) => m.user))]),
        Date.now(),
        "sameAs" in settings ? settings.sameAs : settings.version,
      ],
    );
  }

  #appKey(): string {
    return this.#members.getMeta("appKey") ?? "";
  }

  async stop(recordingId: string): Promise<RecordingStatus> {
    const row = this.#active(recordingId);
    if (!row) throw new ParleyError("RECORDING_NOT_FOUND", `no recording ${recordingId} is running in this room`);
    const status = await (await this.#node.withRouter()).call("stopRecording", {}, recordingId);
    this.#apply(recordingId, status.state, status.files, status.error ?? null, status.stoppedAt ?? Date.now());
    return status;
  }

  /** The room emptied: stop what is still capturing (uploads go on on the node). */
  async stopAll(): Promise<void> {
    const rows = this.#sql
      .exec<ActiveRow & Record<string, SqlStorageValue>>("SELECT id, state FROM room_recordings WHERE state = 'recording'")
      .toArray();
    // logged, not thrown: the room empties whatever one recording does
    for (const row of rows) await this.stop(row.id).catch((error) => log({ event: "recording.stop_failed", recordingId: row.id, error }));
  }

  /** Progress, availability and failures reported by the node. */
  nodeEvent(event: RecordingEvent): void {
    switch (event.type) {
      case "recording.progress":
        this.#apply(event.recordingId, event.state, event.files, null, event.state === "recording" ? null : event.at);
        return;
      case "recording.available":
        this.#apply(event.recordingId, "available", event.files, null, event.at);
        this.#events.recordingAvailable(event.recordingId, event.files, event.at);
        return;
      case "recording.failed":
        this.#apply(event.recordingId, event.fatal ? "failed" : null, event.files, { code: event.code, message: event.message }, event.at);
        if (event.fatal) this.#events.recordingFailed(event.recordingId, { code: event.code, message: event.message }, event.at);
        return;
      default:
        assertNever(event);
    }
  }

  #apply(
    recordingId: string,
    state: RecordingStatus["state"] | null,
    files: RecordingFile[],
    error: { code: string; message: string } | null,
    at: number | null,
  ): void {
    const previous = this.#active(recordingId)?.state;
    if (state) this.#sql.exec("UPDATE room_recordings SET state = ? WHERE id = ?", state, recordingId);
    const size = files.reduce((n, f) => n + (f.bytes ?? 0), 0);
    const users = new Set<string>();
    for (const f of files) {
      const user = f.member ? this.#members.get(f.member)?.user : undefined;
      if (user) users.add(user);
    }
    this.#outbox.enqueue(
      `UPDATE recordings SET status = COALESCE(?, status), files = ?, size_bytes = ?, error = COALESCE(?, error),
         ended_at = COALESCE(ended_at, ?), members = CASE WHEN ? = '[]' THEN members ELSE ? END, updated_at = ? WHERE id = ?`,
      [
        state ? publicStatus(state) : null,
        JSON.stringify(files.map(publicFile)),
        size,
        error ? JSON.stringify(error) : null,
        at,
        JSON.stringify([...users]),
        JSON.stringify([...users]),
        Date.now(),
        recordingId,
      ],
    );
    if (state && previous !== undefined && publicStatus(state) !== publicStatus(previous as RecordingStatus["state"]))
      this.#announce(recordingId, state);
    if (state === "available" || state === "failed") this.#sql.exec("DELETE FROM room_recordings WHERE id = ?", recordingId);
  }

  #announce(recordingId: string, state: RecordingStatus["state"]): void {
    this.#channel.broadcast({ type: "recording.state", recordingId, status: publicStatus(state) });
  }

  #active(recordingId: string): ActiveRow | null {
    return (
      this.#sql
        .exec<ActiveRow & Record<string, SqlStorageValue>>("SELECT id, state FROM room_recordings WHERE id = ?", recordingId)
        .toArray()[0] ?? null
    );
  }
}

function publicFile(f: RecordingFile) {
  return {
    file: f.file,
    member: f.member ?? null,
    kind: f.kind,
    codec: f.codec,
    segment: f.segment,
    bytes: f.bytes ?? null,
    sha256: f.sha256 ?? null,
    status: f.status,
    location: f.location ?? null,
  };
}
