/**
 * Recordings as customers see them (issue 4): the public API, the signalling requests a member with
 * the `record` grant may send, and the event every member gets when a room's recording changes
 * state (people must know they are recorded).
 */
import { z } from "zod";
import { RequestId, RoomName } from "./ids.js";
import { RECORDING_LIMITS, RECORDING_MODES, type RecordingState } from "./recording.js";

const SegmentSeconds = z.number().int().min(RECORDING_LIMITS.minSegmentSeconds).max(RECORDING_LIMITS.maxSegmentSeconds);

export const StartRoomRecordingRequest = z
  .object({ mode: z.enum(RECORDING_MODES).default("tracks"), segmentSeconds: SegmentSeconds.optional() })
  .strict();
export type StartRoomRecordingRequest = z.input<typeof StartRoomRecordingRequest>;

export const RecordingStartSignal = z
  .object({
    id: RequestId,
    type: z.literal("recording.start"),
    mode: z.enum(RECORDING_MODES).optional(),
    segmentSeconds: SegmentSeconds.optional(),
  })
  .strict();
export const RecordingStopSignal = z.object({ id: RequestId, type: z.literal("recording.stop"), recordingId: z.string().max(64) }).strict();

/** Public status: the node's `stopping` shows as `recording` until capture has ended. */
export const PUBLIC_RECORDING_STATUSES = ["recording", "uploading", "available", "failed"] as const;
export type PublicRecordingStatus = (typeof PUBLIC_RECORDING_STATUSES)[number];

export function publicStatus(state: RecordingState): PublicRecordingStatus {
  return state === "stopping" ? "recording" : state;
}

export const RecordingSearch = z
  .object({
    room: RoomName.optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type RecordingSearch = z.infer<typeof RecordingSearch>;

export interface RecordingFileInfo {
  file: string;
  member: string | null;
  kind: "audio" | "video";
  codec: string;
  segment: number;
  bytes: number | null;
  sha256: string | null;
  status: string;
}

export interface RecordingInfo {
  id: string;
  room: string;
  callId: string | null;
  mode: (typeof RECORDING_MODES)[number];
  status: PublicRecordingStatus;
  startedAt: string;
  endedAt: string | null;
  durationSeconds: number | null;
  sizeBytes: number;
  /** Containers written, e.g. ["webm", "ogg"]. */
  formats: string[];
  /** Storage kind: nas or s3. */
  storage: string;
  /** Users recorded. */
  members: string[];
  files: RecordingFileInfo[];
  error: { code: string; message: string } | null;
}

export interface RecordingPage {
  recordings: RecordingInfo[];
  nextCursor: string | null;
}
