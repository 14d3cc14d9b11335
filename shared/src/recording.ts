/**
 * Recording contracts (issue 4, media-node half): the Room DO starts and stops per-track recordings
 * on the room's media node over the same signed control API as {@link CONTROL_ROUTES} (routes in
 * {@link RECORDING_ROUTES}), and the node reports progress with {@link RecordingEvent}s.
 *
 * Per-track mode: every producer in the room (and every one added while recording) is written
 * without transcoding, in segments of `segmentSeconds`, to the node's spool; each closed segment is
 * uploaded, verified (size + checksum) and only then removed from the spool.
 */
import * as z from "zod";
import { EmptyBody, MediaId, MediaKind, MemberTag, NodeRoomId } from "./control.js";
import type { ErrorCode } from "./errors.js";
import { CompositeOptions } from "./recording-composite.js";

export * from "./recording-composite.js";

export const RECORDING_LIMITS = {
  minSegmentSeconds: 1,
  maxSegmentSeconds: 3600,
  defaultSegmentSeconds: 300,
} as const;

/** Recording ids are chosen by the edge (so a retried start is idempotent) and used in file paths. */
export const RecordingId = z
  .string()
  .min(4)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "recording id may only use letters, digits, _ and -, starting with a letter or digit");
export type RecordingId = z.infer<typeof RecordingId>;

/** Object key prefix / sub-folder: no `..`, no leading slash, plain characters. */
const KeyPrefix = z
  .string()
  .max(256)
  .regex(/^[A-Za-z0-9_.\-/]*$/, "prefix may only use letters, digits and _ . - /")
  .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "prefix must be relative and may not contain ..");

/** A sub-folder of the node's NAS folder: relative, plain characters, no `..` (see KeyPrefix). */
export const NasFolder = z
  .string()
  .min(1, "folder may not be empty; omit it to use the NAS folder itself")
  .max(200)
  .regex(/^[A-Za-z0-9_.\-/]+$/, "folder may only use letters, digits and _ . - /")
  .refine(
    (f) => f.split("/").every((part) => part !== "" && part !== "." && part !== ".."),
    "folder must be relative, e.g. team-a/calls: no leading or trailing /, no empty, . or .. parts",
  );

export const NasStorage = z
  .object({
    kind: z.literal("nas"),
    /** A mounted folder on the node (node-side tools and tests; the edge never names a node path). */
    path: z.string().min(1).max(1024).optional(),
    /** A sub-folder under the node's own NAS_PATH (what the edge sends for an app's NAS folder). */
    folder: NasFolder.optional(),
  })
  .strict()
  .refine((s) => s.path === undefined || s.folder === undefined, { message: "give a NAS path or a folder, not both", path: ["folder"] });
export const S3Storage = z
  .object({
    kind: z.literal("s3"),
    /** e.g. https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:7480; omit for AWS defaults. */
    endpoint: z.url().max(512).optional(),
    region: z.string().min(1).max(64).default("us-east-1"),
    bucket: z.string().min(3).max(63),
    prefix: KeyPrefix.default(""),
    accessKeyId: z.string().min(1).max(256),
    secretAccessKey: z.string().min(1).max(512),
    /** Path-style URLs (bucket in the path): needed by most non-AWS servers (Ceph RGW, MinIO). */
    forcePathStyle: z.boolean().default(false),
  })
  .strict();
export const StorageConfig = z.discriminatedUnion("kind", [NasStorage, S3Storage]);
export type StorageConfig = z.infer<typeof StorageConfig>;
/** Storage as a node uses it once a request's NAS folder is resolved to a path (journals hold this). */
export const ResolvedStorage = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("nas"), path: z.string().min(1) }).strict(),
  S3Storage,
]);
export type ResolvedStorage = z.infer<typeof ResolvedStorage>;
export type S3StorageConfig = z.infer<typeof S3Storage>;

export const RECORDING_MODES = ["tracks"] as const;
/**
 * Modes the node accepts. Kept apart from RECORDING_MODES (which the public API and signalling use)
 * so customers only get composite once the edge passes its options through.
 */
export const NODE_RECORDING_MODES = ["tracks", "composite"] as const;
/** Modes a status can report: snapshots and exports are stored and reported like recordings. */
export const RECORDING_STATUS_MODES = ["tracks", "composite", "snapshot", "export"] as const;

/** `.refine(...COMPOSITE_NEEDS_MODE)`: composite options only make sense with mode "composite". */
export const COMPOSITE_NEEDS_MODE: [(r: { mode?: string; composite?: unknown }) => boolean, { message: string; path: string[] }] = [
  (r) => r.composite === undefined || r.mode === "composite",
  { message: 'composite options need mode "composite"', path: ["composite"] },
];

export const StartRecordingRequest = z
  .object({
    recordingId: RecordingId,
    mode: z.enum(NODE_RECORDING_MODES).default("tracks"),
    segmentSeconds: z.number().int().min(RECORDING_LIMITS.minSegmentSeconds).max(RECORDING_LIMITS.maxSegmentSeconds).optional(),
    /** Where files go; the node's configured storage (RECORDING_STORAGE) when omitted. */
    storage: StorageConfig.optional(),
    /** Composite mode only: layout, canvas, rates and watermarks (defaults in COMPOSITE_DEFAULTS). */
    composite: CompositeOptions.optional(),
  })
  .strict()
  .refine(...COMPOSITE_NEEDS_MODE);
export type StartRecordingRequest = z.input<typeof StartRecordingRequest>;

export const RECORDING_STATES = ["recording", "stopping", "uploading", "available", "failed"] as const;
export const RecordingState = z.enum(RECORDING_STATES);
export type RecordingState = z.infer<typeof RecordingState>;

/**
 * One file: one segment of one track. `recording` while ffmpeg writes it, `pending` once closed and
 * waiting for (or retrying) upload, `uploaded` once verified in storage and gone from the spool.
 */
export const FILE_STATES = ["recording", "pending", "uploaded", "failed"] as const;
export const RecordingFile = z.object({
  /** Path relative to the recording's folder / key prefix, e.g. `m_alice/<producerId>-video-00001.webm`. */
  file: z.string().max(512),
  producerId: MediaId,
  member: MemberTag.optional(),
  kind: MediaKind,
  /** e.g. "VP8", "opus". */
  codec: z.string().max(32),
  segment: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative().optional(),
  /** Hex SHA-256 of the file as written to the spool, checked against storage. */
  sha256: z.string().length(64).optional(),
  status: z.enum(FILE_STATES),
  /** Where it ended up: an s3:// URL or an absolute NAS path. */
  location: z.string().max(1024).optional(),
  uploadAttempts: z.number().int().nonnegative().optional(),
});
export type RecordingFile = z.infer<typeof RecordingFile>;

/**
 * Every code a node reports in a recording's status (`error`) and in `recording.failed`: capture
 * stopped early (SPOOL_FULL, NODE_RESTARTED), a track could not be recorded (RECORDER_UNAVAILABLE),
 * storage is down while uploads retry (STORAGE_UNAVAILABLE), a file is gone (RECORDING_FILE_LOST),
 * an export could not be made (EXPORT_FAILED).
 */
export const RECORDING_ERROR_CODES = [
  "SPOOL_FULL",
  "NODE_RESTARTED",
  "RECORDER_UNAVAILABLE",
  "STORAGE_UNAVAILABLE",
  "RECORDING_FILE_LOST",
  "EXPORT_FAILED",
] as const satisfies readonly ErrorCode[];
export const RecordingErrorCode = z.enum(RECORDING_ERROR_CODES);
export type RecordingErrorCode = z.infer<typeof RecordingErrorCode>;

export const RecordingErrorInfo = z.object({ code: RecordingErrorCode, message: z.string().max(1000) });
export type RecordingErrorInfo = z.infer<typeof RecordingErrorInfo>;

export const RecordingStatus = z.object({
  recordingId: RecordingId,
  room: NodeRoomId,
  mode: z.enum(RECORDING_STATUS_MODES),
  state: RecordingState,
  segmentSeconds: z.number().int().positive(),
  storage: z.enum(["nas", "s3"]),
  startedAt: z.number().int().nonnegative(),
  stoppedAt: z.number().int().nonnegative().optional(),
  files: z.array(RecordingFile),
  /** The last error: capture stopped early (SPOOL_FULL) or the last upload failure while retrying. */
  error: RecordingErrorInfo.optional(),
});
export type RecordingStatus = z.infer<typeof RecordingStatus>;

/**
 * Recording control routes, relative to the node's control URL, signed like CONTROL_ROUTES (the
 * control server serves both maps). `:id` is the recording id.
 */
export const RECORDING_ROUTES = {
  startRecording: { method: "POST", path: "/rooms/:room/recordings", request: StartRecordingRequest, response: RecordingStatus },
  stopRecording: { method: "POST", path: "/rooms/:room/recordings/:id/stop", request: EmptyBody, response: RecordingStatus },
  getRecording: { method: "GET", path: "/rooms/:room/recordings/:id", request: null, response: RecordingStatus },
} as const;
export type RecordingRouteName = keyof typeof RECORDING_ROUTES;

/** `POST /rooms/:room/snapshots`: a JPEG of one video producer, named directly or by its member. */
export const TakeSnapshotRequest = z
  .object({
    /** Stored like a recording (same id rules, same folder/key layout, status via getRecording). */
    snapshotId: RecordingId,
    producerId: MediaId.optional(),
    /** The member's camera (its first video producer) when no producerId is given. */
    member: MemberTag.optional(),
    storage: StorageConfig.optional(),
  })
  .strict()
  .refine((r) => (r.producerId === undefined) !== (r.member === undefined), "name exactly one of producerId or member");
export type TakeSnapshotRequest = z.input<typeof TakeSnapshotRequest>;

/**
 * Snapshot routes, signed and served like RECORDING_ROUTES. A snapshot is stored like a recording
 * whose id is `snapshotId`: its status (and later ones, via getRecording) lists one JPEG file.
 * Kept in their own map so the control server opts in with one handler entry per route.
 */
export const SNAPSHOT_ROUTES = {
  takeSnapshot: { method: "POST", path: "/rooms/:room/snapshots", request: TakeSnapshotRequest, response: RecordingStatus },
} as const;
export type SnapshotRouteName = keyof typeof SNAPSHOT_ROUTES;

// ---- Node → edge events -------------------------------------------------------------------------

const At = z.number().int().nonnegative();
const RecordingEventBase = { room: NodeRoomId, at: At, recordingId: RecordingId };
/** Files in events carry no spool details; at most this many (the status route has them all). */
const EventFiles = z.array(RecordingFile).max(500);

/**
 * To be merged into NodeEvent's discriminated union (control.ts) so the edge accepts them:
 * `z.discriminatedUnion("type", [...existing, ...RecordingEvent.options])`.
 */
export const RecordingEvent = z.discriminatedUnion("type", [
  /** A state change or a file reaching storage. */
  z.object({ type: z.literal("recording.progress"), ...RecordingEventBase, state: RecordingState, files: EventFiles }),
  /** Every file is in storage and verified; nothing is left in the spool. */
  z.object({ type: z.literal("recording.available"), ...RecordingEventBase, storage: z.enum(["nas", "s3"]), files: EventFiles }),
  /**
   * Something went wrong. `fatal: false` means the recording goes on (e.g. SPOOL_FULL stopped capture
   * but closed segments still upload; STORAGE_UNAVAILABLE while uploads retry); `fatal: true` ends it.
   */
  z.object({
    type: z.literal("recording.failed"),
    ...RecordingEventBase,
    code: RecordingErrorCode,
    message: z.string().max(1000),
    fatal: z.boolean(),
    files: EventFiles,
  }),
]);
export type RecordingEvent = z.infer<typeof RecordingEvent>;
