/**
 * A snapshot (mode "snapshot"): one JPEG of one video producer (snapshot.ts), taken at once and then
 * stored and reported like a finished one-file recording (status via the same routes).
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { ParleyError, type ResolvedStorage } from "@parley/shared";
import type { types } from "mediasoup";
import type { JournalData } from "./journal.js";
import { type RecordingDeps, StoredRecording } from "./recording.js";
import { RecordingJournal } from "./recording-journal.js";
import { snapshotTrack, takeJpeg } from "./snapshot.js";

export class SnapshotRecording extends StoredRecording {
  /** Restores a journaled snapshot found after a restart (`recover()` finishes its upload). */
  constructor(deps: RecordingDeps, data: JournalData) {
    super(deps, data);
  }

  /** Takes the JPEG (SNAPSHOT_FAILED when no picture comes), then queues its upload. */
  static async take(
    deps: RecordingDeps,
    init: { room: string; snapshotId: string; storage: ResolvedStorage },
    producer: types.Producer,
  ): Promise<SnapshotRecording> {
    const router = deps.router(init.room);
    if (!router) throw new ParleyError("ROOM_NOT_ON_NODE", "this node has no router for that room");
    const info = snapshotTrack(producer);
    const data = RecordingJournal.fresh("snapshot", { recordingId: init.snapshotId, ...init });
    data.tracks.push(info);
    const recording = new SnapshotRecording(deps, data);
    const name = `${info.stem}-00000.${info.ext}`;
    try {
      await takeJpeg({ router, producer, dir: join(recording.dir, info.dir), name, ports: deps.ports, ffmpeg: deps.ffmpeg });
    } catch (error) {
      await rm(recording.dir, { recursive: true, force: true });
      throw error;
    }
    await recording.journal.save();
    await recording.uploads.fileClosed(info, join(info.dir, name), 0);
    void recording.stop();
    return recording;
  }
}
