/**
 * Webhooks (issue 5): per app, one or more URLs receive signed JSON events about rooms, members,
 * recordings, RTMP pushes and licences. Documented in docs/protocol.md §7.
 *
 * Delivery: `POST <url>` with the event envelope as the body and these headers:
 *   Parley-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, `${t}.${body}`)>
 *   Parley-Event-Id, Parley-Event-Type, Parley-Webhook-Id, Parley-Delivery-Attempt (1, 2, …)
 * The secret is the webhook's signing secret (UTF-8 bytes as the HMAC key). A 2xx answer means
 * delivered; anything else (or no answer within the timeout) is retried with backoff for at least
 * an hour with the same event id, so receivers deduplicate by `id`.
 */
import * as z from "zod";
import { PageLimit, SequenceCursor } from "./ids.js";
import { LEAVE_REASONS } from "./signal.js";

export const WEBHOOK_EVENT_TYPES = [
  "room.started",
  "room.finished",
  "member.joined",
  "member.left",
  "recording.started",
  "recording.available",
  "recording.failed",
  "licence.limit_reached",
  "rtmp.started",
  "rtmp.stopped",
  "rtmp.failed",
] as const;
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES, {
  error: `event type must be one of ${WEBHOOK_EVENT_TYPES.join(", ")}`,
});
export type WebhookEventType = z.infer<typeof WebhookEventType>;

export const WEBHOOK_LIMITS = {
  /** Webhooks per app. */
  maxPerApp: 10,
  /** Each delivery attempt is abandoned after this long without an answer. */
  attemptTimeoutMs: 10_000,
  /** Retries back off 1 s, 2 s, 4 s … up to this, with ±20 % jitter. */
  firstRetryMs: 1000,
  maxRetryDelayMs: 10 * 60_000,
  /** An event still failing this long after it was queued is given up (marked `failed`). */
  retryWindowMs: 60 * 60_000,
  /** Receivers should refuse signatures older than this (replay protection). */
  signatureToleranceSeconds: 300,
} as const;

export const WEBHOOK_SIGNATURE_HEADER = "Parley-Signature";

export const WebhookId = z.string().regex(/^wh_[A-Za-z0-9]{16,32}$/, "webhook ids look like wh_ followed by letters and digits");
export const WebhookEventId = z.string().regex(/^evt_[A-Za-z0-9]{16,40}$/, "event ids look like evt_ followed by letters and digits");

/** https:// anywhere; plain http:// only to this machine (local development and tests). */
export const WebhookUrl = z
  .url({ error: "url must be an absolute URL" })
  .max(2048, "url is longer than 2048 characters")
  .refine((u) => /^https:\/\/[^/]/.test(u) || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(u), {
    message: "url must be https:// (http:// only for localhost or 127.0.0.1)",
  });

const EventFilter = z
  .array(WebhookEventType)
  .min(1, "events must name at least one event type")
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((list) => new Set(list).size === list.length, "events lists a type twice");

export const CreateWebhookRequest = z
  .object({
    url: WebhookUrl,
    /** Which events this URL gets; default: all of them. */
    events: EventFilter.default([...WEBHOOK_EVENT_TYPES]),
    enabled: z.boolean().default(true),
    description: z.string().max(256).nullable().default(null),
  })
  .strict();
export type CreateWebhookRequest = z.infer<typeof CreateWebhookRequest>;

export const UpdateWebhookRequest = z
  .object({
    url: WebhookUrl.optional(),
    events: EventFilter.optional(),
    enabled: z.boolean().optional(),
    description: z.string().max(256).nullable().optional(),
  })
  .strict();
export type UpdateWebhookRequest = z.infer<typeof UpdateWebhookRequest>;

/** A webhook as the API shows it: never with its secret. */
export const WebhookInfoSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(WebhookEventType),
  enabled: z.boolean(),
  description: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WebhookInfo = z.infer<typeof WebhookInfoSchema>;

/** Answer to create and rotate: the signing secret is shown this once. */
export const WebhookWithSecretSchema = WebhookInfoSchema.extend({ secret: z.string() });
export type WebhookWithSecret = z.infer<typeof WebhookWithSecretSchema>;

export const WebhookListSchema = z.object({ webhooks: z.array(WebhookInfoSchema) });

// ── event data ───────────────────────────────────────────────────────────

const Room = z.string();
const Instant = z.iso.datetime();

export const RoomStartedData = z.object({ room: Room, callId: z.string(), startedAt: Instant });
export const RoomFinishedData = z.object({ room: Room, callId: z.string(), finishedAt: Instant });
export const MemberJoinedData = z.object({
  room: Room,
  callId: z.string().nullable(),
  member: z.string(),
  user: z.string(),
  name: z.string().nullable(),
  hidden: z.boolean(),
  joinedAt: Instant,
});
export const MemberLeftData = z.object({
  room: Room,
  callId: z.string().nullable(),
  member: z.string(),
  user: z.string(),
  reason: z.enum(LEAVE_REASONS),
  leftAt: Instant,
});
export const RecordingStartedData = z.object({ room: Room, recordingId: z.string(), mode: z.string(), startedAt: Instant });
export const WebhookRecordingFile = z.object({
  key: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().optional(),
  member: z.string().optional(),
  kind: z.enum(["audio", "video"]).optional(),
  startedAt: Instant.optional(),
  durationSeconds: z.number().nonnegative().optional(),
});
export const RecordingAvailableData = z.object({
  room: Room,
  recordingId: z.string(),
  files: z.array(WebhookRecordingFile),
  availableAt: Instant,
});
export const RecordingFailedData = z.object({
  room: Room,
  recordingId: z.string(),
  error: z.object({ code: z.string(), message: z.string() }),
  failedAt: Instant,
});
/** `rtmp.started` (frames first reached the server), `rtmp.stopped`, `rtmp.failed`: never the URL. */
export const RtmpPushEventData = z.object({
  room: Room,
  pushId: z.string(),
  /** `rtmp://host/app/…`: the URL without the stream key. */
  target: z.string(),
  source: z.object({ kind: z.enum(["member", "composite"]), member: z.string().nullable() }),
  /** Why it failed, or the last reconnect's reason; null when none. */
  error: z.string().nullable(),
  at: Instant,
});
export const LicenceLimitReachedData = z.object({
  code: z.enum(["LICENCE_EXPIRED", "LICENCE_ROOMS_EXCEEDED", "LICENCE_USERS_EXCEEDED"]),
  message: z.string(),
  room: Room,
  user: z.string(),
  licence: z.object({ expiresAt: z.string().nullable(), maxRooms: z.number().nullable(), maxUsers: z.number().nullable() }),
});

export const WEBHOOK_EVENT_DATA = {
  "room.started": RoomStartedData,
  "room.finished": RoomFinishedData,
  "member.joined": MemberJoinedData,
  "member.left": MemberLeftData,
  "recording.started": RecordingStartedData,
  "recording.available": RecordingAvailableData,
  "recording.failed": RecordingFailedData,
  "licence.limit_reached": LicenceLimitReachedData,
  "rtmp.started": RtmpPushEventData,
  "rtmp.stopped": RtmpPushEventData,
  "rtmp.failed": RtmpPushEventData,
} as const satisfies Record<WebhookEventType, z.ZodType>;

export type WebhookEventData<T extends WebhookEventType> = z.infer<(typeof WEBHOOK_EVENT_DATA)[T]>;

function envelope<T extends WebhookEventType>(type: T) {
  return z.object({
    /** Unique per event and the same on every retry: deduplicate by it. */
    id: WebhookEventId,
    type: z.literal(type),
    /** The AppKey the event belongs to. */
    app: z.string(),
    createdAt: Instant,
    data: WEBHOOK_EVENT_DATA[type],
  });
}

/** The body of every delivery. */
export const WebhookEvent = z.discriminatedUnion("type", [
  envelope("room.started"),
  envelope("room.finished"),
  envelope("member.joined"),
  envelope("member.left"),
  envelope("recording.started"),
  envelope("recording.available"),
  envelope("recording.failed"),
  envelope("licence.limit_reached"),
  envelope("rtmp.started"),
  envelope("rtmp.stopped"),
  envelope("rtmp.failed"),
]);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

// ── delivery log ─────────────────────────────────────────────────────────

/** One attempt: `retrying` failed and will be tried again; `failed` failed and was given up. */
export const DELIVERY_STATUSES = ["delivered", "retrying", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const DeliveryLogEntrySchema = z.object({
  id: z.number().int(),
  webhookId: z.string(),
  eventId: z.string(),
  eventType: WebhookEventType,
  attempt: z.number().int(),
  status: z.enum(DELIVERY_STATUSES),
  /** The receiver's HTTP status; null when there was no answer (timeout, connection refused). */
  httpStatus: z.number().int().nullable(),
  durationMs: z.number(),
  error: z.string().nullable(),
  at: z.string(),
  /** When the next attempt is due (status `retrying`). */
  nextAttemptAt: z.string().nullable(),
});
export type DeliveryLogEntry = z.infer<typeof DeliveryLogEntrySchema>;

export const DeliverySearch = z
  .object({
    webhookId: WebhookId.optional(),
    eventId: WebhookEventId.optional(),
    status: z.enum(DELIVERY_STATUSES).optional(),
    limit: PageLimit,
    /** Opaque: `nextCursor` of the previous page. */
    cursor: SequenceCursor,
  })
  .strict();
export type DeliverySearch = z.infer<typeof DeliverySearch>;

/** One page, newest first; pass `nextCursor` as `cursor` for the next (null: the last page). */
export const DeliveryPageSchema = z.object({ deliveries: z.array(DeliveryLogEntrySchema), nextCursor: z.string().nullable() });
export type DeliveryPage = z.infer<typeof DeliveryPageSchema>;

// ── signatures ───────────────────────────────────────────────────────────

async function hmacHex(secret: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, enc.encode(message));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** `t=<unix s>,v1=<hex>` for this body, as the edge sends it. */
export async function signWebhookBody(secret: string, body: string, unixSeconds: number): Promise<string> {
  return `t=${unixSeconds},v1=${await hmacHex(secret, `${unixSeconds}.${body}`)}`;
}

/**
 * Receiver side: true when `header` signs `body` (the raw request text) with `secret` and its
 * timestamp is within `toleranceSeconds` of now.
 */
export async function verifyWebhookSignature(
  secret: string,
  header: string | null,
  body: string,
  opts: { nowSeconds?: number; toleranceSeconds?: number } = {},
): Promise<boolean> {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? "");
  if (!match) return false;
  const t = Number(match[1]);
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? WEBHOOK_LIMITS.signatureToleranceSeconds)) return false;
  const expected = await hmacHex(secret, `${t}.${body}`);
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ (match[2] as string).charCodeAt(i);
  return diff === 0;
}
