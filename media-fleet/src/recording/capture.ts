/**
 * What a recording captures with: one TrackRecorder per producer (per-track mode) or one
 * CompositeRecorder for the room. Both write numbered segments under the recording's spool folder
 * and report them the same way, so uploads, journaling and recovery do not care which it is.
 */
import type { EventEmitter } from "node:events";

export interface TrackInfo {
  producerId: string;
  member?: string;
  kind: "audio" | "video";
  codec: string;
  /** Folder (relative to the recording's spool folder) and file name stem of this track's segments. */
  dir: string;
  stem: string;
  ext: string;
  /** Wall-clock ms when RTP started flowing to ffmpeg (consumer resumed): places the track for exports. */
  startedAt?: number;
}

/** What a recording hears from its capture (a TrackRecorder, or the CompositeRecorder). */
export interface CaptureEvents {
  /** A segment is closed: `file` is relative to the recording's spool folder. */
  segment: [file: string, index: number];
  /** ffmpeg is gone; `diskFull` when it died writing to a full spool. */
  end: [info: { code: number | null; diskFull: boolean; stderr: string }];
}

/** A recording's capture: what Recording needs of a TrackRecorder or a CompositeRecorder. */
export interface Capture extends EventEmitter<CaptureEvents> {
  readonly info: TrackInfo;
  openSegment(): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** ffmpeg writing to a full spool says so on stderr before it dies. */
export function diedOfFullDisk(stderr: string): boolean {
  return /No space left on device/i.test(stderr);
}
