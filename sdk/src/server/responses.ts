/**
 * zod schemas for what the edge answers. They are the shared contracts (shared/src/) the edge's
 * OpenAPI document is built from; the SDK checks answers at runtime because the edge is outside
 * input to the caller's process.
 */
export {
  AppInfoSchema,
  AppListSchema,
  type AppUsage,
  AppUsageSchema,
  CloseRoomResponseSchema,
  CreatedAppSchema,
  CreatedSecretSchema,
  ErrorEnvelopeSchema,
  NotifyResponseSchema,
  SessionsResponseSchema,
  TokenResponseSchema,
} from "@parley/shared";
