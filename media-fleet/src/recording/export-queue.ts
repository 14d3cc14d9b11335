/**
 * Makes exports one at a time: mixing is CPU work that live capture must not compete with. Each
 * export reads its sources (NAS copies checked, S3 objects downloaded into the export's spool
 * folder: export-sources.ts), runs ffmpeg (exporter.ts) and names its outputs as tracks, so the
 * ExportRecording stores them like segments. Downloaded sources are removed either way.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { ExportRequest, ResolvedStorage } from "@parley/shared";
import type { FfmpegLauncher } from "../ffmpeg/ffmpeg-process.js";
import type { TrackInfo } from "./capture.js";
import { localSources, type PlannedTrack, SOURCES_DIR } from "./export-sources.js";
import { type ExportOutput, type ExportTrack, runExport } from "./exporter.js";
import { safeName } from "./safe-name.js";

/** One export to make: the planned tracks of recording `recordingId` of `room`, read from `storage`. */
export interface ExportJob {
  room: string;
  recordingId: string;
  storage: ResolvedStorage;
  tracks: PlannedTrack[];
  request: Pick<ExportRequest, "kind" | "format" | "member">;
}

export class ExportQueue {
  readonly #ffmpeg: FfmpegLauncher;
  #last: Promise<unknown> = Promise.resolve();

  constructor(ffmpeg: FfmpegLauncher) {
    this.#ffmpeg = ffmpeg;
  }

  /** Makes `job`'s files under `dir` once the exports queued before it are done; resolves with them as tracks. */
  make(job: ExportJob, dir: string): Promise<TrackInfo[]> {
    const made = this.#last.then(() => this.#run(job, dir));
    // The next export waits for this one whatever its outcome; the ExportRecording reports a failure.
    this.#last = made.catch(() => undefined);
    return made;
  }

  async #run(job: ExportJob, dir: string): Promise<TrackInfo[]> {
    const { request } = job;
    let tracks: ExportTrack[];
    let outputs: ExportOutput[];
    try {
      tracks = await localSources({ tracks: job.tracks, storage: job.storage, room: job.room, recordingId: job.recordingId, dir });
      outputs = await runExport({
        ffmpeg: this.#ffmpeg,
        dir,
        kind: request.kind,
        format: request.format,
        ...(request.member === undefined ? {} : { member: request.member }),
        tracks,
        folder: safeName,
      });
    } finally {
      // Downloaded sources are not part of the export: only its outputs are stored.
      await rm(join(dir, SOURCES_DIR), { recursive: true, force: true });
    }
    return outputs.map((o) => outputTrack(o, tracks));
  }
}

/** An export output as a track of the export (`mixed/room-audio-00000.wav` → dir `mixed`, stem `room-audio`). */
function outputTrack(o: ExportOutput, tracks: ExportTrack[]): TrackInfo {
  const slash = o.file.lastIndexOf("/");
  const name = o.file.slice(slash + 1);
  return {
    producerId: o.member === undefined ? "mixed" : (tracks.find((t) => t.member === o.member)?.producerId ?? "mixed"),
    ...(o.member === undefined ? {} : { member: o.member }),
    kind: "audio",
    codec: o.codec,
    dir: o.file.slice(0, slash),
    stem: name.replace(/-00000\.[a-z0-9]+$/, ""),
    ext: name.slice(name.lastIndexOf(".") + 1),
  };
}
