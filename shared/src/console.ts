/** Contracts of the operator console's read APIs: the audit log and live rooms (docs/protocol.md §4). */
import * as z from "zod";
import { PageLimit, SequenceCursor } from "./ids.js";

/** `GET /v1/audit?limit=&cursor=`: newest first; `cursor` is the `nextCursor` of the previous page. */
export const AuditSearch = z
  .object({
    limit: PageLimit,
    cursor: SequenceCursor,
  })
  .strict();
export type AuditSearch = z.infer<typeof AuditSearch>;

/** One administrative action: who (`operator` or `app:<AppKey>`), what, on what, when, from where. */
export const AuditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  ip: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditPageSchema = z.object({ entries: z.array(AuditEntrySchema), nextCursor: z.string().nullable() });
export type AuditPage = z.infer<typeof AuditPageSchema>;

/** A live room of an app, from the App DO's member table. */
export const LiveRoomSchema = z.object({
  room: z.string(),
  /** The media node carrying the room, once a member has used media. */
  node: z.string().nullable(),
  /** Members, including dropped ones still inside their resume window. */
  members: z.number().int(),
  connected: z.number().int(),
  /** When the earliest current member joined (ISO). */
  since: z.string(),
});
export type LiveRoom = z.infer<typeof LiveRoomSchema>;

export const LiveRoomsResponseSchema = z.object({ appKey: z.string(), rooms: z.array(LiveRoomSchema), nextCursor: z.string().nullable() });

/** `GET /v1/rooms?limit=&cursor=`: rooms by name; `cursor` is the previous page's `nextCursor`. */
export const LiveRoomsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(128).optional(),
});

/** A member's latest quality report, summarised (live view; the call record keeps the timeline). */
export const LiveQualitySchema = z.object({
  at: z.string(),
  mos: z.number().nullable(),
  sendBitrate: z.number(),
  receiveBitrate: z.number(),
  worstLoss: z.number(),
  rttMs: z.number().nullable(),
});
export type LiveQuality = z.infer<typeof LiveQualitySchema>;

export const LiveTrackSchema = z.object({
  id: z.string(),
  member: z.string(),
  kind: z.enum(["audio", "video"]),
  source: z.string(),
  muted: z.boolean(),
});
export type LiveRoomsResponse = z.infer<typeof LiveRoomsResponseSchema>;

export const LiveRoomMemberSchema = z.object({
  id: z.string(),
  user: z.string(),
  name: z.string().nullable(),
  joinedAt: z.string(),
  connected: z.boolean(),
  hidden: z.boolean(),
  /** The member's latest quality report, or null before the first one. */
  quality: LiveQualitySchema.nullable(),
});
export type LiveRoomMember = z.infer<typeof LiveRoomMemberSchema>;

export const LiveRoomDetailSchema = z.object({
  appKey: z.string(),
  room: z.string(),
  node: z.string().nullable(),
  members: z.array(LiveRoomMemberSchema),
  /** Every published track, by member id. */
  tracks: z.array(LiveTrackSchema),
});
export type LiveRoomDetail = z.infer<typeof LiveRoomDetailSchema>;
