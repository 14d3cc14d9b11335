/** Public HTTP API bodies (`/v1/...`): requests are validated with these, responses typed by them. */
import { z } from "zod";
import { RoomName, UserId } from "./ids.js";
import { LIMITS, utf8Bytes } from "./limits.js";
import { Grants, type SecretSlot } from "./token.js";

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

export const CreateAppRequest = z
  .object({
    name: z.string().min(1).max(128),
    licence: Licence.optional(),
    authCentreUrl: HttpsOrLocalUrl.nullable().optional(),
  })
  .strict();
export type CreateAppRequest = z.infer<typeof CreateAppRequest>;

export const UpdateAppRequest = z
  .object({
    name: z.string().min(1).max(128).optional(),
    disabled: z.boolean().optional(),
    authCentreUrl: HttpsOrLocalUrl.nullable().optional(),
  })
  .strict();
export type UpdateAppRequest = z.infer<typeof UpdateAppRequest>;

export interface AppInfo {
  appKey: string;
  name: string;
  disabled: boolean;
  licence: Licence;
  authCentreUrl: string | null;
  /** Which secret slots hold a valid secret. Secrets themselves are shown only when created. */
  secretSlots: SecretSlot[];
  createdAt: string;
}

export interface CreatedApp extends AppInfo {
  appSecret: string;
  slot: SecretSlot;
}

export interface CreatedSecret {
  appKey: string;
  slot: SecretSlot;
  appSecret: string;
}

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

export interface TokenResponse {
  token: string;
  expiresAt: string;
}

export interface UserSession {
  room: string;
  member: string;
  user: string;
  joinedAt: number;
  connected: boolean;
}

export interface SessionsResponse {
  user: string;
  sessions: UserSession[];
}

export const NotifyRequest = z
  .object({
    data: z.record(z.string(), z.json()).refine((d) => utf8Bytes(JSON.stringify(d)) <= LIMITS.notifyBytes, {
      message: `data is larger than ${LIMITS.notifyBytes} bytes of JSON`,
      params: { parleyCode: "PAYLOAD_TOO_LARGE" },
    }),
  })
  .strict();
export type NotifyRequest = z.infer<typeof NotifyRequest>;

export interface NotifyResponse {
  delivered: number;
}

export const CloseRoomRequest = z.object({ reason: z.string().max(256).optional() }).strict();

export interface CloseRoomResponse {
  room: string;
  removed: number;
}

/** What a customer's auth centre answers (2xx) for an opaque token it accepts. */
export const AuthCentreAnswer = z.object({
  user: UserId,
  name: z.string().max(LIMITS.nameChars).optional(),
  grants: Grants.optional(),
});
export type AuthCentreAnswer = z.infer<typeof AuthCentreAnswer>;
