/** Parley server SDK: mint tokens and call the HTTP API from a customer back end or an operator tool. */
export {
  type AppInfo,
  type CallDetail,
  type CallPage,
  type CallSummary,
  type CloseRoomResponse,
  type CompositeOptions,
  type CreatedApp,
  type CreatedSecret,
  type DeliveryLogEntry,
  type DeliveryPage,
  type ErrorCode,
  type Grants,
  type KickUserResponse,
  type Licence,
  type LiveRoom,
  type LiveRoomDetail,
  type LiveRoomMember,
  type LiveRoomsResponse,
  type MintTokenOptions,
  type MuteUserRequest,
  type MuteUserResponse,
  mintToken,
  type NotifyResponse,
  ParleyError,
  type RecordingDownloadLinks,
  type RecordingInfo,
  type RecordingPage,
  type RecordingSettingsRequest,
  type RecordingSettingsView,
  type RecordingStatusResponse,
  type RoomOptionsRequest,
  type RoomOptionsView,
  type RoomRtmpSource,
  type RtmpPush,
  type SecretSlot,
  type SessionsResponse,
  type StartRoomRecordingRequest,
  type StartRoomRtmpRequest,
  type StatsResponse,
  type TokenRequest,
  type TokenResponse,
  type UserSession,
  type WebhookInfo,
  type WebhookWithSecret,
} from "@parley/shared";
export { AppsClient } from "./apps.js";
export { type CallQuery, CallsClient } from "./calls.js";
export type { AdminTokenCredentials, AppCredentials, AppSecretCredentials } from "./credentials.js";
export { type RecordingQuery, RecordingsClient } from "./recordings.js";
export type { AppUsage } from "./responses.js";
export { RoomsClient } from "./rooms.js";
export { type ClientOptions, ParleyTransportError, type QueryValue } from "./rpc.js";
export { RtmpClient } from "./rtmp.js";
export { StatsClient, type StatsQueryOptions } from "./stats.js";
export { TokensClient } from "./tokens.js";
export { UsersClient } from "./users.js";
export { type DeliveryQuery, WebhooksClient } from "./webhooks.js";
