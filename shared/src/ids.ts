import * as z from "zod";

/** Room names, user ids and AppKeys share one safe alphabet so they can sit in URLs and DO names. */
const SAFE_ID = /^[A-Za-z0-9_.@:-]+$/;

export const RoomName = z
  .string()
  .min(1, "room name is empty")
  .max(128, "room name is longer than 128 characters")
  .regex(SAFE_ID, "room name may only use letters, digits and _ . @ : -");
export const UserId = z
  .string()
  .min(1, "user id is empty")
  .max(128, "user id is longer than 128 characters")
  .regex(SAFE_ID, "user id may only use letters, digits and _ . @ : -");
export const AppKey = z.string().regex(/^ak_[A-Za-z0-9]{16,64}$/, "AppKey looks like ak_ followed by letters and digits");
export const MemberId = z.string().regex(/^m_[A-Za-z0-9]{8,32}$/, "member ids look like m_ followed by letters and digits");

export type RoomName = z.infer<typeof RoomName>;
export type UserId = z.infer<typeof UserId>;

/** A signalling request id: chosen by the client, echoed in the response. */
export const RequestId = z.union([z.string().min(1).max(64), z.number().int().nonnegative()]);
export type RequestId = z.infer<typeof RequestId>;

/** A query-string instant: ISO-8601, or unix milliseconds as digits. */
export const QueryInstant = z.preprocess(
  (v) => (typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v),
  z.coerce.date({ error: "expected an ISO-8601 instant or unix milliseconds" }),
);

/** `?limit=` of a paged search: 1 to 200, 50 when omitted. */
export const PageLimit = z.coerce.number().int().min(1).max(200).default(50);

/** `?cursor=` of a log paged by row number (audit, deliveries): the previous page's `nextCursor`. */
export const SequenceCursor = z
  .string()
  .regex(/^[0-9]{1,15}$/, "cursor is the nextCursor of a previous page")
  .optional();
