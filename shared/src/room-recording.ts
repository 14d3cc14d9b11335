/**
 * Recordings as customers see them (issue 4): the public API, the signalling requests a member with
 * the `record` grant may send, and the event every member gets when a room's recording changes
 * state (people must know they are recorded).
 */
import * as z from "zod";
import { MemberId, PageLimit, QueryInstant, RequestId, RoomName } from "./ids.js";
import { NODE_RECORDING_MODES, RECORDING_LIMITS, RECORDING_STATUS_MODES, type RecordingState } from "./recording.js";
import { CompositeOverrides } from "./recording-composite.js";

const SegmentSeconds = z.number().int().min(RECORDING_LIMITS.minSegmentSeconds).max(RECORDING_LIMITS.maxSegmentSeconds);

export const StartRoomRecordingRequest = z
  .object({
    mode: z.enum(NODE_RECORDING_MODES).default("tracks"),
    segmentSeconds: SegmentSeconds.optional(),
    /**
     * Layout, canvas, rate, bitrates and watermarks of a composite recording (mode "composite"):
     * each field given wins over the app's composite defaults (GET /v1/recording-settings).
     */
    composite: CompositeOverrides.optional(),
  })
  .strict();
export type StartRoomRecordingRequest = z.input<typeof StartRoomRecordingRequest>;

export const RecordingStartSignal = z
  .object({
    id: RequestId,
    type: z.literal("recording.start"),
    mode: z.enum(NODE_RECORDING_MODES).optional(),
    composite: CompositeOverrides.optional(),
    segmentSeconds: SegmentSeconds.optional(),
  })
  .strict();
/** `POST /v1/rooms/:room/snapshots`: a JPEG of one member's current camera, stored like a recording. */
export const TakeRoomSnapshotRequest = z.object({ member: MemberId }).strict();
export type TakeRoomSnapshotRequest = z.infer<typeof TakeRoomSnapshotRequest>;

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
    from: QueryInstant.optional(),
    to: QueryInstant.optional(),
    limit: PageLimit,
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type RecordingSearch = z.infer<typeof RecordingSearch>;

export const RecordingFileInfoSchema = z.object({
  file: z.string(),
  member: z.string().nullable(),
  kind: z.enum(["audio", "video"]),
  codec: z.string(),
  segment: z.number().int(),
  bytes: z.number().nullable(),
  sha256: z.string().nullable(),
  status: z.string(),
});
export type RecordingFileInfo = z.infer<typeof RecordingFileInfoSchema>;

export const RecordingInfoSchema = z.object({
  id: z.string(),
  room: z.string(),
  callId: z.string().nullable(),
  mode: z.enum(RECORDING_STATUS_MODES),
  status: z.enum(PUBLIC_RECORDING_STATUSES),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  sizeBytes: z.number(),
  /** Containers written, e.g. ["webm", "ogg"]. */
  formats: z.array(z.string()),
  /** Storage kind: nas or s3. */
  storage: z.string(),
  /** Users recorded. */
  members: z.array(z.string()),
  files: z.array(RecordingFileInfoSchema),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type RecordingInfo = z.infer<typeof RecordingInfoSchema>;

/** One page, newest first; pass `nextCursor` as `cursor` for the next (null: the last page). */
export const RecordingPageSchema = z.object({ recordings: z.array(RecordingInfoSchema), nextCursor: z.string().nullable() });
export type RecordingPage = z.infer<typeof RecordingPageSchema>;

/** Answer to start and stop: the recording and its public status. */
export const RecordingStatusResponseSchema = z.object({ id: z.string(), status: z.enum(PUBLIC_RECORDING_STATUSES) });
export type RecordingStatusResponse = z.infer<typeof RecordingStatusResponseSchema>;

/** `GET /v1/recordings/:id/url`: time-limited links to each uploaded file. */
export const RecordingDownloadLinksSchema = z.object({
  id: z.string(),
  expiresAt: z.string(),
  files: z.array(z.object({ file: z.string(), kind: z.enum(["audio", "video"]), member: z.string().nullable(), url: z.string() })),
});
export type RecordingDownloadLinks = z.infer<typeof RecordingDownloadLinksSchema>;
