/** Contracts of the operator console's read APIs: the audit log and live rooms (docs/protocol.md §4). */
import { z } from "zod";

/** `GET /v1/audit?limit=&cursor=`: newest first; `cursor` is the `nextCursor` of the previous page. */
export const AuditSearch = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .regex(/^[0-9]{1,15}$/, "cursor is the nextCursor of a previous page")
      .optional(),
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
  /** Members, including dropped ones still inside their resume window. */
  members: z.number().int(),
  connected: z.number().int(),
  /** When the earliest current member joined (ISO). */
  since: z.string(),
});
export type LiveRoom = z.infer<typeof LiveRoomSchema>;

export const LiveRoomsResponseSchema = z.object({ appKey: z.string(), rooms: z.array(LiveRoomSchema) });
export type LiveRoomsResponse = z.infer<typeof LiveRoomsResponseSchema>;

export const LiveRoomMemberSchema = z.object({
  id: z.string(),
  user: z.string(),
  name: z.string().nullable(),
  joinedAt: z.string(),
  connected: z.boolean(),
  hidden: z.boolean(),
});
export type LiveRoomMember = z.infer<typeof LiveRoomMemberSchema>;

export const LiveRoomDetailSchema = z.object({ appKey: z.string(), room: z.string(), members: z.array(LiveRoomMemberSchema) });
export type LiveRoomDetail = z.infer<typeof LiveRoomDetailSchema>;
