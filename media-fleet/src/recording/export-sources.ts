/**
 * What an export reads: the audio segments of a finished per-track recording, in order per track,
 * with each track's offset on the recording's timeline, from memory or from its manifest. NAS copies
 * are read where they are, once checked against their size and SHA-256; S3 objects are downloaded
 * first into a folder of the export's spool folder (verified the same way), which the caller
 * removes once the export is made.
 */
import { join } from "node:path";
import { type ExportRequest, ParleyError, type RecordingFile, type ResolvedStorage } from "@parley/shared";
import { digestFile } from "./checksum.js";
import { assertRecorderAudioSegment } from "./export-names.js";
import type { ExportTrack } from "./exporter.js";
import { S3Store } from "./s3-storage.js";
import type { TrackInfo } from "./track-recorder.js";

/** A track to export, with its stored segment files (not yet local paths). */
export interface PlannedTrack extends Omit<ExportTrack, "files"> {
  files: RecordingFile[];
}

/** Where downloaded sources go inside the export's spool folder. */
export const SOURCES_DIR = "sources";

/** A finished per-track recording as an export reads it: from memory or from its manifest. */
export interface ExportSource {
  storage: ResolvedStorage;
  tracks: Pick<TrackInfo, "producerId" | "member" | "kind" | "startedAt">[];
  files: RecordingFile[];
}

/** Picks the audio tracks (one member's, or all) and their segments; refuses what cannot be exported. */
export function planExport(
  source: Pick<ExportSource, "tracks" | "files">,
  request: Pick<ExportRequest, "member">,
  recordingId: string,
): PlannedTrack[] {
  const t0 = Math.min(...source.tracks.map((t) => t.startedAt ?? Number.POSITIVE_INFINITY));
  const tracks: PlannedTrack[] = [];
  for (const track of source.tracks) {
    if (track.kind !== "audio") continue;
    if (request.member !== undefined && track.member !== request.member) continue;
    const files = source.files.filter((f) => f.producerId === track.producerId).sort((a, b) => a.segment - b.segment);
    if (files.length === 0) continue;
    if (files.some((f) => f.status !== "uploaded" || f.location === undefined))
      throw new ParleyError("RECORDING_FILE_NOT_FOUND", `a segment of track ${track.producerId} is not in storage`);
    for (const f of files) assertRecorderAudioSegment(f.file, track);
    tracks.push({
      producerId: track.producerId,
      ...(track.member ? { member: track.member } : {}),
      offsetMs: Number.isFinite(t0) && track.startedAt !== undefined ? track.startedAt - t0 : 0,
      files,
    });
  }
  if (tracks.length === 0)
    throw request.member === undefined
      ? new ParleyError("RECORDING_FILE_NOT_FOUND", `recording ${recordingId} has no audio to export`)
      : new ParleyError("MEMBER_NOT_FOUND", `recording ${recordingId} has no audio of member ${request.member}`);
  return tracks;
}

/** A NAS copy must still be the file that was uploaded (size and SHA-256 as journaled or in the manifest). */
async function checkNasCopy(f: RecordingFile): Promise<void> {
  const found = await digestFile(f.location ?? "");
  if (found.bytes !== f.bytes || found.sha256 !== f.sha256)
    throw new Error(`${f.location} does not match the recording's size and SHA-256 (${found.bytes} vs ${f.bytes} bytes)`);
}

/**
 * Local paths for every planned file: NAS locations as they are; S3 objects downloaded under
 * `<dir>/sources/` (keyed like the upload: `<room>/<recordingId>/<file>`).
 */
export async function localSources(o: {
  tracks: PlannedTrack[];
  storage: ResolvedStorage;
  room: string;
  recordingId: string;
  dir: string;
}): Promise<ExportTrack[]> {
  const { storage } = o;
  if (storage.kind === "nas") {
    for (const f of o.tracks.flatMap((t) => t.files)) await checkNasCopy(f);
    return o.tracks.map((t) => ({ ...t, files: t.files.map((f) => f.location ?? "") }));
  }
  const store = new S3Store(storage);
  try {
    const out: ExportTrack[] = [];
    for (const track of o.tracks) {
      const paths: string[] = [];
      for (const f of track.files) {
        const path = join(o.dir, SOURCES_DIR, f.file);
        await store.download(`${o.room}/${o.recordingId}/${f.file}`, path, { bytes: f.bytes ?? -1, sha256: f.sha256 ?? "" });
        paths.push(path);
      }
      out.push({ ...track, files: paths });
    }
    return out;
  } finally {
    store.close();
  }
}
