/** Public HTTP API bodies (`/v1/...`): requests are validated with these, responses typed by them. */
import * as z from "zod";
import { MediaKind, NodeLoad, Region, TrackSource } from "./control.js";
import { RoomName, UserId } from "./ids.js";
import { LIMITS, utf8Bytes } from "./limits.js";
import { Grants, SecretSlot } from "./token.js";

export const Licence = z
  .object({
    /** ISO-8601 instant after which joins are refused; null: no expiry. */
    expiresAt: z.iso.datetime({ offset: true }).nullable().default(null),
    /** Concurrent rooms across the app; null: unlimited. */
    maxRooms: z.number().int().min(0).max(1_000_000).nullable().default(null),
    /** Concurrent members across all rooms; null: unlimited. */
    maxUsers: z.number().int().min(0).max(10_000_000).nullable().default(null),
  })
  .strict();
export type Licence = z.infer<typeof Licence>;

const HttpsOrLocalUrl = z.url().refine((u) => /^https:\/\//.test(u) || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(u), {
  message: "must be an https:// URL (http:// only for localhost)",
});

/** An app's maximum access-token lifetime, in seconds; null (or absent) is LIMITS.maxTokenTtlSeconds. */
const AppMaxTokenTtl = z.number().int().min(LIMITS.minAppTokenTtlSeconds).max(LIMITS.maxTokenTtlSeconds);

export const CreateAppRequest = z
  .object({
    name: z.string().min(1).max(128),
    licence: Licence.optional(),
    authCentreUrl: HttpsOrLocalUrl.nullable().optional(),
    maxTokenTtlSeconds: AppMaxTokenTtl.nullable().optional(),
  })
  .strict();
export type CreateAppRequest = z.infer<typeof CreateAppRequest>;

export const UpdateAppRequest = z
  .object({
    name: z.string().min(1).max(128).optional(),
    disabled: z.boolean().optional(),
    authCentreUrl: HttpsOrLocalUrl.nullable().optional(),
    maxTokenTtlSeconds: AppMaxTokenTtl.nullable().optional(),
  })
  .strict();
export type UpdateAppRequest = z.infer<typeof UpdateAppRequest>;

/** A licence as the API answers it: every field present (Licence, the request, has defaults). */
export const LicenceInfoSchema = z.object({
  expiresAt: z.string().nullable(),
  maxRooms: z.number().int().nullable(),
  maxUsers: z.number().int().nullable(),
});

/** An app as the API shows it; secrets are shown only when created. */
export const AppInfoSchema = z.object({
  appKey: z.string(),
  name: z.string(),
  disabled: z.boolean(),
  licence: LicenceInfoSchema,
  authCentreUrl: z.string().nullable(),
  /** Which secret slots hold a valid secret. Secrets themselves are shown only when created. */
  secretSlots: z.array(SecretSlot),
  /** Longest lifetime (exp − iat) of a token the edge accepts for this app, in seconds. */
  maxTokenTtlSeconds: z.number().int(),
  createdAt: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/** Answer to `POST /v1/apps`: the first secret, shown this once. */
export const CreatedAppSchema = AppInfoSchema.extend({ appSecret: z.string(), slot: SecretSlot });
export type CreatedApp = z.infer<typeof CreatedAppSchema>;

/** Answer to `POST /v1/apps/:appKey/secrets`: the new slot's secret, shown this once. */
export const CreatedSecretSchema = z.object({ appKey: z.string(), slot: SecretSlot, appSecret: z.string() });
export type CreatedSecret = z.infer<typeof CreatedSecretSchema>;

export const AppListSchema = z.object({ apps: z.array(AppInfoSchema) });
export type AppList = z.infer<typeof AppListSchema>;

/** Live use against the licence: `GET /v1/apps/:appKey/usage`. */
export const AppUsageSchema = z.object({
  appKey: z.string(),
  licence: LicenceInfoSchema,
  usage: z.object({ rooms: z.number().int(), users: z.number().int() }),
});
export type AppUsage = z.infer<typeof AppUsageSchema>;

export const TokenRequest = z
  .object({
    room: z.union([RoomName, z.literal("*")]),
    user: UserId,
    ttl: z.number().int().min(1).max(LIMITS.maxTokenTtlSeconds).default(3600),
    grants: Grants.optional(),
    name: z.string().max(LIMITS.nameChars).optional(),
  })
  .strict();
export type TokenRequest = z.input<typeof TokenRequest>;

export const TokenResponseSchema = z.object({ token: z.string().min(1), expiresAt: z.string() });
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

export const UserSessionSchema = z.object({
  room: z.string(),
  member: z.string(),
  user: z.string(),
  /** Unix ms. */
  joinedAt: z.number(),
  /** False while the member is inside its resume window. */
  connected: z.boolean(),
});
export type UserSession = z.infer<typeof UserSessionSchema>;

export const SessionsResponseSchema = z.object({ user: z.string(), sessions: z.array(UserSessionSchema) });
export type SessionsResponse = z.infer<typeof SessionsResponseSchema>;

export const NotifyRequest = z
  .object({
    data: z.record(z.string(), z.json()).refine((d) => utf8Bytes(JSON.stringify(d)) <= LIMITS.notifyBytes, {
      message: `data is larger than ${LIMITS.notifyBytes} bytes of JSON`,
      params: { parleyCode: "PAYLOAD_TOO_LARGE" },
    }),
  })
  .strict();
export type NotifyRequest = z.infer<typeof NotifyRequest>;

export const NotifyResponseSchema = z.object({ delivered: z.number().int() });
export type NotifyResponse = z.infer<typeof NotifyResponseSchema>;

export const CloseRoomRequest = z.object({ reason: z.string().max(256).optional() }).strict();

export const CloseRoomResponseSchema = z.object({ room: z.string(), removed: z.number().int() });
export type CloseRoomResponse = z.infer<typeof CloseRoomResponseSchema>;

/** `DELETE /v1/rooms/:room/members/:user`: the body is optional. */
export const KickUserRequest = z.object({ reason: z.string().max(256).optional() }).strict();
export type KickUserRequest = z.infer<typeof KickUserRequest>;

export const KickUserResponseSchema = z.object({ room: z.string(), user: z.string(), removed: z.number().int() });
export type KickUserResponse = z.infer<typeof KickUserResponseSchema>;

/** `POST /v1/rooms/:room/members/:user/mute`: which of the user's tracks; none given = all of them. */
export const MuteUserRequest = z.object({ kind: MediaKind.optional(), source: TrackSource.optional() }).strict();
export type MuteUserRequest = z.infer<typeof MuteUserRequest>;

export const MuteUserResponseSchema = z.object({ muted: z.number().int() });
export type MuteUserResponse = z.infer<typeof MuteUserResponseSchema>;

/** `GET /healthz`. */
export const HealthSchema = z.object({ ok: z.literal(true) });

/** `POST /v1/dev/token` (local stack only): a token for the dev app. */
export const DevTokenResponseSchema = TokenResponseSchema.extend({ appKey: z.string() });

/** What a customer's auth centre answers (2xx) for an opaque token it accepts. */
export const AuthCentreAnswer = z.object({
  user: UserId,
  name: z.string().max(LIMITS.nameChars).optional(),
  grants: Grants.optional(),
  /**
   * When the customer issued the token, unix seconds: a kick refuses tokens issued up to it. Absent,
   * the token counts as issued before any kick, so a kicked user stays out until the answer has one.
   */
  iat: z.number().int().nonnegative().optional(),
});
export type AuthCentreAnswer = z.infer<typeof AuthCentreAnswer>;

/** One media node as `GET /v1/fleet/nodes` shows it. */
export const FleetNodeSchema = z.object({
  node: z.string(),
  region: z.string(),
  controlUrl: z.string(),
  publicAddress: z.string(),
  workers: z.number().int(),
  load: NodeLoad,
  /** `down` after 15 s without a heartbeat. */
  status: z.enum(["up", "draining", "down"]),
  /** Unix ms. */
  lastSeen: z.number(),
  startedAt: z.number(),
  version: z.string(),
});

export const FleetNodesResponseSchema = z.object({ region: Region, nodes: z.array(FleetNodeSchema) });
