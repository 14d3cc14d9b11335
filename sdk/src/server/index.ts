/** Parley server SDK: mint tokens and call the HTTP API from a customer back end or an operator tool. */
export {
  type AppInfo,
  type CloseRoomResponse,
  type CreatedApp,
  type CreatedSecret,
  type ErrorCode,
  type Grants,
  type Licence,
  type MintTokenOptions,
  mintToken,
  type NotifyResponse,
  ParleyError,
  type SecretSlot,
  type SessionsResponse,
  type TokenRequest,
  type TokenResponse,
  type UserSession,
} from "@parley/shared";
export { AppsClient } from "./apps.js";
export type { AppCredentials } from "./credentials.js";
export type { AppUsage } from "./responses.js";
export { RoomsClient } from "./rooms.js";
export { type ClientOptions, ParleyTransportError } from "./rpc.js";
export { TokensClient } from "./tokens.js";
export { UsersClient } from "./users.js";
