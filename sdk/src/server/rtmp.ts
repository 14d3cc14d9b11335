import { RoomName, type RtmpPush, RtmpPushId, StartRoomRtmpRequest } from "@parley/shared";
import type { AppCredentials } from "./credentials.js";
import { RtmpPushListSchema, RtmpPushSchema } from "./responses.js";
import { appRpc, type ClientOptions, type RpcClient, segment } from "./rpc.js";
import { checked } from "./validate.js";

/** Live RTMP pushes of a member or of a room's composite (the URL, with its stream key, is never answered). */
export class RtmpClient {
  readonly #rpc: RpcClient;

  constructor(url: string, credentials: AppCredentials, options?: ClientOptions) {
    this.#rpc = appRpc(url, credentials, options);
  }

  /** `{url: "rtmp://host/app/<key>", source: {kind: "member", member}}` or `{kind: "composite", composite?: {layout, …}}`. */
  async start(room: string, request: StartRoomRtmpRequest): Promise<RtmpPush> {
    return this.#rpc.call("POST", `${roomPath(room)}/rtmp`, RtmpPushSchema, checked(StartRoomRtmpRequest, request));
  }

  /** The room's pushes, newest first. */
  async list(room: string): Promise<RtmpPush[]> {
    return (await this.#rpc.call("GET", `${roomPath(room)}/rtmp`, RtmpPushListSchema)).pushes;
  }

  async get(room: string, id: string): Promise<RtmpPush> {
    return this.#rpc.call("GET", pushPath(room, id), RtmpPushSchema);
  }

  async stop(room: string, id: string): Promise<RtmpPush> {
    return this.#rpc.call("POST", `${pushPath(room, id)}/stop`, RtmpPushSchema);
  }
}

function roomPath(room: string): string {
  return `/v1/rooms/${segment(checked(RoomName, room))}`;
}

function pushPath(room: string, id: string): string {
  return `${roomPath(room)}/rtmp/${segment(checked(RtmpPushId, id))}`;
}
