/**
 * zod schemas for what the edge answers. shared/src/api.ts types these bodies as interfaces;
 * the SDK checks them at runtime because the edge is outside input to the caller's process.
 */
import { type AppInfo, type CreatedApp, type CreatedSecret, Licence, SecretSlot } from "@parley/shared";
import { z } from "zod";

export const AppInfoSchema = z.object({
  appKey: z.string(),
  name: z.string(),
  disabled: z.boolean(),
  licence: Licence,
  authCentreUrl: z.string().nullable(),
  secretSlots: z.array(SecretSlot),
  createdAt: z.string(),
}) satisfies z.ZodType<AppInfo>;

export const CreatedAppSchema = AppInfoSchema.extend({ appSecret: z.string(), slot: SecretSlot }) satisfies z.ZodType<CreatedApp>;

export const CreatedSecretSchema = z.object({
  appKey: z.string(),
  slot: SecretSlot,
  appSecret: z.string(),
}) satisfies z.ZodType<CreatedSecret>;

export const AppListSchema = z.object({ apps: z.array(AppInfoSchema) });

export const AppUsageSchema = z.object({
  appKey: z.string(),
  licence: Licence,
  usage: z.object({ rooms: z.number().int(), users: z.number().int() }),
});
export type AppUsage = z.infer<typeof AppUsageSchema>;

export const TokenResponseSchema = z.object({ token: z.string().min(1), expiresAt: z.string() });

export const SessionsResponseSchema = z.object({
  user: z.string(),
  sessions: z.array(z.object({ room: z.string(), member: z.string(), user: z.string(), joinedAt: z.number(), connected: z.boolean() })),
});

export const NotifyResponseSchema = z.object({ delivered: z.number().int() });

export const CloseRoomResponseSchema = z.object({ room: z.string(), removed: z.number().int() });

/** `{error: {code, message}}`: every refusal from the edge. */
export const ErrorEnvelopeSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
