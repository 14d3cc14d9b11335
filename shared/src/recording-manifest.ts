/**
 * The manifest of a finished per-track recording: what an export needs once the recording is no
 * longer in the memory of the node that made it (a restart, or the room now on another node). The
 * node stores it next to the recording's files, at `<room>/<recordingId>/manifest.json` in the same
 * NAS folder or S3 bucket, uploaded and verified (size + SHA-256) like any file, before the
 * recording is reported `available`.
 */
import * as z from "zod";
import { MediaId, MediaKind, MemberTag, NodeRoomId } from "./control.js";
import { RecordingId } from "./recording.js";

export const MANIFEST_LIMITS = {
  /** A manifest larger than this is refused unread (a 24 h recording of 50 tracks in 5 min segments is ~3 MiB). */
  maxBytes: 8 * 1024 * 1024,
  maxTracks: 1000,
  maxFiles: 20_000,
} as const;

/** Its file name in the recording's folder / key prefix. */
export const MANIFEST_FILE = "manifest.json";

export const ManifestTrack = z
  .object({
    producerId: MediaId,
    member: MemberTag.optional(),
    kind: MediaKind,
    codec: z.string().max(32),
    /** Wall-clock ms when the track's media started flowing: places it on the recording's timeline. */
    startedAt: z.number().int().nonnegative().optional(),
  })
  .strict();
export type ManifestTrack = z.infer<typeof ManifestTrack>;

export const ManifestFile = z
  .object({
    /** Relative to the recording's folder / key prefix, e.g. `m_alice/<producerId>-audio-00000.ogg`. */
    file: z
      .string()
      .min(1)
      .max(512)
      .refine((f) => !f.startsWith("/") && !f.split("/").includes(".."), "file must be relative and may not contain .."),
    producerId: MediaId,
    segment: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Where the recording node stored it (an absolute NAS path or an s3:// URL); informational. */
    location: z.string().max(1024),
  })
  .strict();
export type ManifestFile = z.infer<typeof ManifestFile>;

export const RecordingManifest = z
  .object({
    version: z.literal(1),
    recordingId: RecordingId,
    room: NodeRoomId,
    mode: z.literal("tracks"),
    segmentSeconds: z.number().int().positive(),
    startedAt: z.number().int().nonnegative(),
    stoppedAt: z.number().int().nonnegative().optional(),
    tracks: z.array(ManifestTrack).max(MANIFEST_LIMITS.maxTracks),
    files: z.array(ManifestFile).max(MANIFEST_LIMITS.maxFiles),
  })
  .strict()
  .refine((m) => m.files.every((f) => m.tracks.some((t) => t.producerId === f.producerId)), {
    message: "every file must belong to one of the manifest's tracks",
    path: ["files"],
  });
export type RecordingManifest = z.infer<typeof RecordingManifest>;
