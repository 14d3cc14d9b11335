/**
 * Recording configuration from the environment: where the spool lives, the default storage (NAS
 * folder or S3) and segment length. Validated with the rest of the node's configuration; the S3
 * secret is kept out of every message and log line.
 */
import { resolve } from "node:path";
import {
  allowedHostOf,
  OutboundAllowSetting,
  type OutboundPolicy,
  RECORDING_LIMITS,
  type ResolvedStorage,
  S3Storage,
} from "@parley/shared";
import { z } from "zod";

const Bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const Port = z.coerce.number().int().min(1024).max(65534);

export const RecordingEnv = z
  .object({
    /** Files are written here first and removed only after a verified upload. */
    SPOOL_DIR: z.string().min(1).default("./data/spool"),
    /** Capture stops (SPOOL_FULL) when the spool's file system has less than this free. */
    SPOOL_MIN_FREE_BYTES: z.coerce
      .number()
      .int()
      .min(0)
      .default(256 * 1024 * 1024),
    RECORDING_STORAGE: z.enum(["nas", "s3"]).default("nas"),
    NAS_PATH: z.string().min(1).default("./data/recordings"),
    S3_ENDPOINT: z.url().optional(),
    S3_REGION: z.string().min(1).default("us-east-1"),
    S3_BUCKET: z.string().min(3).max(63).optional(),
    S3_PREFIX: z.string().max(256).default(""),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    S3_FORCE_PATH_STYLE: Bool.default(false),
    SEGMENT_SECONDS: z.coerce.number().int().min(RECORDING_LIMITS.minSegmentSeconds).max(RECORDING_LIMITS.maxSegmentSeconds).default(300),
    FFMPEG_PATH: z.string().min(1).default("ffmpeg"),
    /** UDP ports ffmpeg listens on for RTP (even) and RTCP (odd): two per recorded track. */
    RECORDING_MIN_PORT: Port.default(40000),
    RECORDING_MAX_PORT: Port.default(40999),
    UPLOAD_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
    /** Longest wait between upload retries; retries never stop, so nothing is given up. */
    UPLOAD_MAX_BACKOFF_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    /** Hosts tenants' URLs (watermarks, S3 endpoints, RTMP) may reach although loopback or private (shared/src/outbound-target.ts). */
    OUTBOUND_ALLOW: OutboundAllowSetting,
  })
  .refine((e) => e.RECORDING_MIN_PORT < e.RECORDING_MAX_PORT, {
    message: "RECORDING_MIN_PORT must be below RECORDING_MAX_PORT",
    path: ["RECORDING_MIN_PORT"],
  })
  .refine((e) => e.RECORDING_STORAGE !== "s3" || (e.S3_BUCKET && e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY), {
    message: "RECORDING_STORAGE=s3 needs S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY",
    path: ["RECORDING_STORAGE"],
  });

export interface RecordingConfig {
  spoolDir: string;
  spoolMinFreeBytes: number;
  /** The storage used when a start request names none. */
  storage: ResolvedStorage;
  /** NAS_PATH, absolute: the folder signed download URLs (GET /files/…) are served from, whatever the default storage. */
  nasPath: string;
  segmentSeconds: number;
  ffmpegPath: string;
  minPort: number;
  maxPort: number;
  uploadConcurrency: number;
  uploadMaxBackoffMs: number;
  /** OUTBOUND_ALLOW, plus the host of the node's own S3_ENDPOINT (the operator named it). */
  outbound: OutboundPolicy;
}

/** Maps the parsed variables onto the recording configuration (absolute paths, a validated storage). */
export function recordingConfigFrom(e: z.infer<typeof RecordingEnv>): RecordingConfig {
  const storage: ResolvedStorage =
    e.RECORDING_STORAGE === "s3"
      ? S3Storage.parse({
          kind: "s3",
          endpoint: e.S3_ENDPOINT,
          region: e.S3_REGION,
          bucket: e.S3_BUCKET,
          prefix: e.S3_PREFIX,
          accessKeyId: e.S3_ACCESS_KEY_ID,
          secretAccessKey: e.S3_SECRET_ACCESS_KEY,
          forcePathStyle: e.S3_FORCE_PATH_STYLE,
        })
      : { kind: "nas", path: resolve(e.NAS_PATH) };
  return {
    spoolDir: resolve(e.SPOOL_DIR),
    spoolMinFreeBytes: e.SPOOL_MIN_FREE_BYTES,
    storage,
    nasPath: resolve(e.NAS_PATH),
    segmentSeconds: e.SEGMENT_SECONDS,
    ffmpegPath: e.FFMPEG_PATH,
    minPort: e.RECORDING_MIN_PORT,
    maxPort: e.RECORDING_MAX_PORT,
    uploadConcurrency: e.UPLOAD_CONCURRENCY,
    uploadMaxBackoffMs: e.UPLOAD_MAX_BACKOFF_MS,
    outbound: e.S3_ENDPOINT ? e.OUTBOUND_ALLOW.with([allowedHostOf(e.S3_ENDPOINT)]) : e.OUTBOUND_ALLOW,
  };
}

/** What a log line may say about a storage: never credentials. */
export function describeStorage(storage: ResolvedStorage): string {
  return storage.kind === "nas" ? `nas:${storage.path}` : `s3:${storage.endpoint ?? "aws"}/${storage.bucket}/${storage.prefix}`;
}
