import { z } from "zod";

/**
 * Stable error codes. Clients switch on `code`; `message` is for people.
 * The HTTP status is what the edge answers with when the error ends an HTTP request.
 */
export const ERROR_STATUS = {
  // input
  INVALID_REQUEST: 400,
  MALFORMED_FRAME: 400,
  FRAME_TOO_LARGE: 413,
  UNKNOWN_TYPE: 400,
  MESSAGE_TOO_LARGE: 413,
  METADATA_TOO_LARGE: 413,
  PAYLOAD_TOO_LARGE: 413,
  // auth
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  TOKEN_MISSING: 401,
  TOKEN_MALFORMED: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_NOT_YET_VALID: 401,
  TOKEN_BAD_SIGNATURE: 401,
  TOKEN_REVOKED: 403,
  TOKEN_WRONG_ROOM: 403,
  APP_UNKNOWN: 401,
  APP_DISABLED: 403,
  GRANT_MISSING: 403,
  AUTH_CENTRE_REFUSED: 401,
  AUTH_CENTRE_TIMEOUT: 504,
  AUTH_CENTRE_FAILED: 502,
  // licence
  LICENCE_EXPIRED: 403,
  LICENCE_ROOMS_EXCEEDED: 403,
  LICENCE_USERS_EXCEEDED: 403,
  // rooms
  NOT_IN_ROOM: 409,
  ALREADY_JOINED: 409,
  MEMBER_NOT_FOUND: 404,
  RESUME_FAILED: 403,
  RATE_LIMITED: 429,
  ROOM_CLOSED: 410,
  NODE_UNAVAILABLE: 503,
  // media node control API (shared/src/control.ts)
  TOKEN_WRONG_NODE: 403,
  TOKEN_REPLAYED: 401,
  NODE_DRAINING: 503,
  ROOM_NOT_ON_NODE: 404,
  TRANSPORT_NOT_FOUND: 404,
  PRODUCER_NOT_FOUND: 404,
  CONSUMER_NOT_FOUND: 404,
  CANNOT_CONSUME: 409,
  MEDIA_REJECTED: 422,
  // recordings (shared/src/recording.ts)
  RECORDING_NOT_FOUND: 404,
  RECORDING_EXISTS: 409,
  RECORDING_STOPPED: 409,
  SPOOL_FULL: 507,
  STORAGE_UNAVAILABLE: 503,
  /** The node's recording journal store (Redis, REDIS_URL) does not answer: new recordings are refused. */
  RECORDING_QUEUE_UNAVAILABLE: 503,
  RECORDER_UNAVAILABLE: 503,
  /** A composite's image watermark could not be fetched or decoded (recording-composite.ts). */
  WATERMARK_UNREADABLE: 422,
  /** A snapshot named no producer with video in the room, or none arrived in time. */
  SNAPSHOT_FAILED: 422,
  /** An export of a recording this node no longer holds in memory found no manifest in its storage (recording-manifest.ts). */
  RECORDING_MANIFEST_NOT_FOUND: 404,
  /** The manifest is there but cannot be read: too large, not JSON, not a manifest of this recording. */
  RECORDING_MANIFEST_INVALID: 422,
  // RTMP push (shared/src/room-rtmp.ts)
  RTMP_PUSH_NOT_FOUND: 404,
  RTMP_PUSHES_FULL: 409,
  // recording downloads (shared/src/download-url.ts)
  RECORDING_FILE_NOT_FOUND: 404,
  RANGE_NOT_SATISFIABLE: 416,
  // apps
  NOT_FOUND: 404,
  SECRET_SLOTS_FULL: 409,
  LAST_SECRET: 409,
  // webhooks (shared/src/webhooks.ts)
  WEBHOOKS_FULL: 409,
  // outbound targets (shared/src/outbound-target.ts)
  /** A URL a tenant gave (webhook, S3 endpoint, RTMP push, watermark image) reaches an address that is not allowed. */
  TARGET_NOT_ALLOWED: 422,
  // server
  CONFIG_INVALID: 500,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/**
 * `{error: {code, message}}`: every HTTP refusal. `code` is a string, not an enum of ERROR_CODES,
 * because an edge newer than a client may send a code the client does not know yet.
 */
export const ErrorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string().meta({ description: "a stable code from the error table; switch on it", examples: ["INVALID_REQUEST"] }),
    message: z.string().meta({ description: "for people; names the field or limit" }),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

/** An error a caller can act on: it carries a stable code and a human message. */
export class ParleyError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "ParleyError";
    this.code = code;
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && value in ERROR_STATUS;
}
