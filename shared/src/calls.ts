/** Call records (CDR) and quality reports: contracts for signalling and the HTTP API. */
import { z } from "zod";
import { RequestId, RoomName, UserId } from "./ids.js";

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
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** Opaque: `nextCursor` of the previous page. */
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type CallSearch = z.infer<typeof CallSearch>;

export interface CallSummary {
  id: string;
  room: string;
  startedAt: string;
  endedAt: string | null;
  durationSeconds: number | null;
  members: number;
}

export interface CallMemberRecord {
  member: string;
  user: string;
  joinedAt: string;
  leftAt: string | null;
  durationSeconds: number | null;
  leaveReason: string | null;
  client: ClientInfo | null;
}

export interface QualityPoint {
  member: string;
  at: string;
  source: "sdk" | "node";
  mos: number | null;
  tracks: TrackQualitySample[];
}

export interface CallDetail extends CallSummary {
  endpoints: CallMemberRecord[];
  quality: QualityPoint[];
}

export interface CallPage {
  calls: CallSummary[];
  nextCursor: string | null;
}
