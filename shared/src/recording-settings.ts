/**
 * An app's recording settings (issue 4): where its recordings go (a sub-folder of the nodes' NAS
 * folder, or its own S3 bucket), the composite defaults a start request is laid over, the default
 * segment length, and auto-record. `PUT /v1/recording-settings` stores a new version; recordings
 * remember the version they were written with, so their links keep working after a change.
 * A room can override auto-record (`PUT /v1/rooms/{room}/options`).
 */
import * as z from "zod";
import { RoomName } from "./ids.js";
import { COMPOSITE_NEEDS_MODE, NasFolder, NODE_RECORDING_MODES, RECORDING_LIMITS, S3Storage } from "./recording.js";
import { CompositeOverrides } from "./recording-composite.js";

const SegmentSeconds = z.number().int().min(RECORDING_LIMITS.minSegmentSeconds).max(RECORDING_LIMITS.maxSegmentSeconds);

const NasSettings = z
  .object({
    kind: z.literal("nas"),
    /** Sub-folder of each node's NAS_PATH (e.g. `team-a/calls`); the NAS folder itself when omitted. */
    folder: NasFolder.optional(),
  })
  .strict();

const S3Settings = z
  .object({
    ...S3Storage.shape,
    /** Required the first time; omit it to keep the stored one (only while accessKeyId is unchanged). */
    secretAccessKey: S3Storage.shape.secretAccessKey.optional(),
  })
  .strict();

export const RecordingStorageSettings = z.discriminatedUnion("kind", [NasSettings, S3Settings], {
  error: 'storage kind must be "nas" or "s3"',
});
export type RecordingStorageSettings = z.infer<typeof RecordingStorageSettings>;

/** Start a recording by itself when a room's first producer appears; stop it when the room empties. */
export const AutoRecord = z
  .object({
    mode: z.enum(NODE_RECORDING_MODES, { error: 'autoRecord mode must be "tracks" or "composite"' }),
    segmentSeconds: SegmentSeconds.optional(),
    /** Over the app's composite defaults, field by field (mode "composite" only). */
    composite: CompositeOverrides.optional(),
  })
  .strict()
  .refine(...COMPOSITE_NEEDS_MODE);
export type AutoRecord = z.infer<typeof AutoRecord>;

/** `PUT /v1/recording-settings`: the whole settings (omitted fields take their defaults), stored as a new version. */
export const RecordingSettingsRequest = z
  .object({
    storage: RecordingStorageSettings.default({ kind: "nas" }),
    /** Defaults for composite recordings; a start request's own fields win. */
    composite: CompositeOverrides.default({}),
    /** Segment length when a start request gives none; the node's SEGMENT_SECONDS when null. */
    segmentSeconds: SegmentSeconds.nullable().default(null),
    /** null: rooms record only when asked. */
    autoRecord: AutoRecord.nullable().default(null),
  })
  .strict();
export type RecordingSettingsRequest = z.input<typeof RecordingSettingsRequest>;
export type RecordingSettings = z.infer<typeof RecordingSettingsRequest>;

const S3SettingsView = S3Settings.omit({ secretAccessKey: true }).extend({
  endpoint: z.string().nullable(),
  /** The secret is never sent back; this says whether one is stored (sealed). */
  secretAccessKeySet: z.boolean(),
});

/** The answer: the current version; the S3 secret is never in it. Version 0: nothing stored yet (node defaults). */
export const RecordingSettingsSchema = z.object({
  version: z.number().int().nonnegative(),
  storage: z.discriminatedUnion("kind", [z.object({ kind: z.literal("nas"), folder: z.string().nullable() }), S3SettingsView]),
  composite: CompositeOverrides,
  segmentSeconds: z.number().int().nullable(),
  autoRecord: AutoRecord.nullable(),
  updatedAt: z.string().nullable(),
});
export type RecordingSettingsView = z.infer<typeof RecordingSettingsSchema>;

/**
 * `PUT /v1/rooms/{room}/options`. `autoRecord`: an object or null (off) wins over the app's
 * setting for this room; omit it to follow the app again. Kept while the room is empty.
 */
export const RoomOptionsRequest = z.object({ autoRecord: AutoRecord.nullable().optional() }).strict();
export type RoomOptionsRequest = z.infer<typeof RoomOptionsRequest>;

export const RoomOptionsSchema = z.object({
  room: RoomName,
  /** What applies to the room now. */
  autoRecord: AutoRecord.nullable(),
  /** Whether that comes from the room's own option or from the app's recording settings. */
  autoRecordFrom: z.enum(["room", "app"]),
});
export type RoomOptionsView = z.infer<typeof RoomOptionsSchema>;
