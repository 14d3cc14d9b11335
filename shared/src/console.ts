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
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  ip: string | null;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

/** A live room of an app, from the App DO's member table. */
export interface LiveRoom {
  room: string;
  /** Members, including dropped ones still inside their resume window. */
  members: number;
  connected: number;
  /** When the earliest current member joined (ISO). */
  since: string;
}

export interface LiveRoomsResponse {
  appKey: string;
  rooms: LiveRoom[];
}

export interface LiveRoomMember {
  id: string;
  user: string;
  name: string | null;
  joinedAt: string;
  connected: boolean;
  hidden: boolean;
}

export interface LiveRoomDetail {
  appKey: string;
  room: string;
  members: LiveRoomMember[];
}
