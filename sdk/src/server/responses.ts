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
  CallDetailSchema,
  CallPageSchema,
  CloseRoomResponseSchema,
  CreatedAppSchema,
  CreatedSecretSchema,
  DeliveryPageSchema,
  ErrorEnvelopeSchema,
  KickUserResponseSchema,
  LiveRoomDetailSchema,
  LiveRoomsResponseSchema,
  MuteUserResponseSchema,
  NotifyResponseSchema,
  RecordingDownloadLinksSchema,
  RecordingInfoSchema,
  RecordingPageSchema,
  RecordingSettingsSchema,
  RecordingStatusResponseSchema,
  RoomOptionsSchema,
  RtmpPushListSchema,
  RtmpPushSchema,
  SessionsResponseSchema,
  StatsResponseSchema,
  TokenResponseSchema,
  WebhookInfoSchema,
  WebhookListSchema,
  WebhookWithSecretSchema,
} from "@parley/shared";
