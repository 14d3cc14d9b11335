import { CloseRoomRequest, type CloseRoomResponse, RoomName } from "@parley/shared";
import type { AppCredentials } from "./credentials.js";
import { CloseRoomResponseSchema } from "./responses.js";
import { basicAuth, type ClientOptions, RpcClient, segment } from "./rpc.js";
import { checked } from "./validate.js";

/** Room administration for the app's own rooms. */
export class RoomsClient {
  readonly #rpc: RpcClient;

  constructor(url: string, credentials: AppCredentials, options?: ClientOptions) {
    this.#rpc = new RpcClient(url, basicAuth(credentials.appKey, credentials.appSecret), options);
  }

  /** Everyone in the room gets room.closed and is removed; answers how many were removed. */
  async close(room: string, reason?: string): Promise<CloseRoomResponse> {
    const body = checked(CloseRoomRequest, reason === undefined ? {} : { reason });
    return this.#rpc.call("DELETE", `/v1/rooms/${segment(checked(RoomName, room))}`, CloseRoomResponseSchema, body);
  }
}
