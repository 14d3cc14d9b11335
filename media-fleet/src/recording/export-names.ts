/**
 * The only files an export feeds to ffmpeg: audio segments named as the per-track recorder names
 * them, `<member folder>/<producerId>-audio-<5+ digits>.ogg` (recording.ts, track-recorder.ts). A
 * manifest lives in the tenant's own storage, so a name it gives is checked against that pattern
 * before it becomes a path in an ffmpeg concat list.
 */
import { ParleyError } from "@parley/shared";
import { safeName } from "./safe-name.js";

/** True when `file` is a name the recorder writes for this track's audio. */
export function isRecorderAudioSegment(file: string, track: { producerId: string; member?: string | undefined }): boolean {
  const prefix = `${safeName(track.member ?? "unknown")}/${track.producerId}-audio-`;
  return file.startsWith(prefix) && /^\d{5,}\.ogg$/.test(file.slice(prefix.length));
}

/** Throws RECORDING_MANIFEST_INVALID for a segment name the recorder would never have written. */
export function assertRecorderAudioSegment(file: string, track: { producerId: string; member?: string | undefined }): void {
  if (!isRecorderAudioSegment(file, track))
    throw new ParleyError(
      "RECORDING_MANIFEST_INVALID",
      `file ${JSON.stringify(file.slice(0, 200))} of track ${track.producerId} is not a segment name the recorder writes`,
    );
}
