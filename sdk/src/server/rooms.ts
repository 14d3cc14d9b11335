import {
  CloseRoomRequest,
  type CloseRoomResponse,
  KickUserRequest,
  type KickUserResponse,
  type LiveRoomDetail,
  type LiveRoomsResponse,
  MuteUserRequest,
  type MuteUserResponse,
  RoomName,
  RoomOptionsRequest,
  type RoomOptionsView,
  UserId,
} from "@parley/shared";
import type { AppCredentials } from "./credentials.js";
import {
  CloseRoomResponseSchema,
  KickUserResponseSchema,
  LiveRoomDetailSchema,
  LiveRoomsResponseSchema,
  MuteUserResponseSchema,
  RoomOptionsSchema,
} from "./responses.js";
import { appRpc, type ClientOptions, type RpcClient, segment } from "./rpc.js";
import { checked } from "./validate.js";

/** Room administration for the app's own rooms. */
export class RoomsClient {
  readonly #rpc: RpcClient;

  constructor(url: string, credentials: AppCredentials, options?: ClientOptions) {
    this.#rpc = appRpc(url, credentials, options);
  }

  /** The app's live rooms (members in their resume window included). */
  async list(): Promise<LiveRoomsResponse> {
    return this.#rpc.call("GET", "/v1/rooms", LiveRoomsResponseSchema);
  }

  /** One room's members; an empty room answers no members. */
  async get(room: string): Promise<LiveRoomDetail> {
    return this.#rpc.call("GET", roomPath(room), LiveRoomDetailSchema);
  }

  /** Everyone in the room gets room.closed and is removed; answers how many were removed. */
  async close(room: string, reason?: string): Promise<CloseRoomResponse> {
    const body = checked(CloseRoomRequest, reason === undefined ? {} : { reason });
    return this.#rpc.call("DELETE", roomPath(room), CloseRoomResponseSchema, body);
  }

  /**
   * Removes every member with this user id (each gets `kicked`) and refuses the user's tokens for
   * this room issued up to now; answers how many members were removed.
   */
  async kick(room: string, user: string, reason?: string): Promise<KickUserResponse> {
    const body = checked(KickUserRequest, reason === undefined ? {} : { reason });
    return this.#rpc.call("DELETE", memberPath(room, user), KickUserResponseSchema, body);
  }

  /** The room's options as they apply now (`autoRecordFrom`: the room's own, or the app's settings). */
  async options(room: string): Promise<RoomOptionsView> {
    return this.#rpc.call("GET", `${roomPath(room)}/options`, RoomOptionsSchema);
  }

  /** `autoRecord`: an object or null wins over the app's setting for this room; leave it out to follow the app. */
  async setOptions(room: string, options: RoomOptionsRequest): Promise<RoomOptionsView> {
    return this.#rpc.call("PUT", `${roomPath(room)}/options`, RoomOptionsSchema, checked(RoomOptionsRequest, options));
  }

  /** Pauses the user's matching tracks (all of them without a filter); answers how many. */
  async mute(room: string, user: string, filter: MuteUserRequest = {}): Promise<MuteUserResponse> {
    return this.#rpc.call("POST", `${memberPath(room, user)}/mute`, MuteUserResponseSchema, checked(MuteUserRequest, filter));
  }
}

function roomPath(room: string): string {
  return `/v1/rooms/${segment(checked(RoomName, room))}`;
}

function memberPath(room: string, user: string): string {
  return `${roomPath(room)}/members/${segment(checked(UserId, user))}`;
}
