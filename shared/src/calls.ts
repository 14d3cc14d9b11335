/** Call records (CDR) and quality reports: contracts for signalling and the HTTP API. */
import * as z from "zod";
import { PageLimit, QueryInstant, RequestId, RoomName, UserId } from "./ids.js";

/** What a client says about itself on join: shown in call records. */
export const ClientInfo = z
  .object({
    sdk: z.string().max(32),
    version: z.string().max(32),
    platform: z.string().max(64).optional(),
    browser: z.string().max(64).optional(),
  })
  .strict();
export type ClientInfo = z.infer<typeof ClientInfo>;

const Figure = z.number().finite().nonnegative().nullable();

/** One track's figures in a quality report (sdk/src/client/quality.ts TrackQuality). */
export const TrackQualitySample = z
  .object({
    trackId: z.string().max(64),
    direction: z.enum(["send", "recv"]),
    kind: z.enum(["audio", "video"]),
    member: z.string().max(64).optional(),
    bitrate: z.number().finite().nonnegative(),
    packets: z.number().finite().nonnegative(),
    packetsLost: z.number().finite(),
    loss: z.number().min(0).max(1),
    jitterMs: Figure,
    rttMs: Figure,
    fps: Figure,
    width: Figure,
    height: Figure,
    framesDecoded: Figure,
    /** Received video: milliseconds of the interval with no new frame rendered (stalls > 300 ms count). */
    stalledMs: Figure.optional(),
    /** Node points: mediasoup's 0-10 score of the stream (10: no loss, no retransmission trouble). */
    score: z.number().int().min(0).max(10).optional(),
    audioLevel: Figure,
    mos: z.number().min(1).max(5).nullable(),
  })
  .strip();
export type TrackQualitySample = z.infer<typeof TrackQualitySample>;

/** A client's periodic quality report (every 5 s by default) over signalling. */
export const QualityRequest = z
  .object({
    id: RequestId,
    type: z.literal("quality"),
    at: z.number().int().nonnegative(),
    tracks: z.array(TrackQualitySample).max(32),
    mos: z.number().min(1).max(5).nullable(),
  })
  .strict();

/** Minimum interval between two stored quality reports of one member. */
export const QUALITY_REPORT_MIN_INTERVAL_MS = 2000;

export const CallSearch = z
  .object({
    room: RoomName.optional(),
    user: UserId.optional(),
    /** ISO-8601 or unix ms: calls that started at or after. */
    from: QueryInstant.optional(),
    to: QueryInstant.optional(),
    limit: PageLimit,
    /** Opaque: `nextCursor` of the previous page. */
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type CallSearch = z.infer<typeof CallSearch>;

export const CallSummarySchema = z.object({
  id: z.string(),
  room: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  members: z.number().int(),
});
export type CallSummary = z.infer<typeof CallSummarySchema>;

export const CallMemberRecordSchema = z.object({
  member: z.string(),
  user: z.string(),
  joinedAt: z.string(),
  leftAt: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  leaveReason: z.string().nullable(),
  client: ClientInfo.nullable(),
});
export type CallMemberRecord = z.infer<typeof CallMemberRecordSchema>;

export const QualityPointSchema = z.object({
  member: z.string(),
  at: z.string(),
  source: z.enum(["sdk", "node"]),
  mos: z.number().nullable(),
  tracks: z.array(TrackQualitySample),
});
export type QualityPoint = z.infer<typeof QualityPointSchema>;

export const CallDetailSchema = CallSummarySchema.extend({
  endpoints: z.array(CallMemberRecordSchema),
  quality: z.array(QualityPointSchema),
});
export type CallDetail = z.infer<typeof CallDetailSchema>;

/** One page, newest first; pass `nextCursor` as `cursor` for the next (null: the last page). */
export const CallPageSchema = z.object({ calls: z.array(CallSummarySchema), nextCursor: z.string().nullable() });
export type CallPage = z.infer<typeof CallPageSchema>;

export const StatsQuery = z
  .object({
    /** ISO-8601 or unix ms; default: 24 hours before `to`. */
    from: QueryInstant.optional(),
    /** Default: now. */
    to: QueryInstant.optional(),
    /** Bucket length in seconds: 5 minutes to a day; default one hour. */
    bucket: z.coerce.number().int().min(300).max(86_400).default(3600),
  })
  .strict();
export type StatsQuery = z.infer<typeof StatsQuery>;

const Rate = z.number().min(0).max(1).nullable();
export const StatsBucketSchema = z.object({
  start: z.string(),
  /** Most rooms / members live at the same time within the bucket. */
  peakRooms: z.number().int(),
  peakUsers: z.number().int(),
  joins: z.number().int(),
  refusedJoins: z.number().int(),
  /** joins / (joins + refused joins); null without attempts. */
  joinSuccessRate: Rate,
  /** Quality reports received (SDK, every 5 s per member). */
  reports: z.number().int(),
  /** Share of reports in which received video stalled for more than 300 ms. */
  stallRate: Rate,
  /** Share of reports in which every track lost less than 5 % of packets. */
  goodTransmissionRate: Rate,
  averageMos: z.number().nullable(),
});
export type StatsBucket = z.infer<typeof StatsBucketSchema>;

export const StatsResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  bucketSeconds: z.number().int(),
  buckets: z.array(StatsBucketSchema),
});
export type StatsResponse = z.infer<typeof StatsResponseSchema>;
