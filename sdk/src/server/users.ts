import { NotifyRequest, type NotifyResponse, type SessionsResponse, UserId } from "@parley/shared";
import type { AppCredentials } from "./credentials.js";
import { NotifyResponseSchema, SessionsResponseSchema } from "./responses.js";
import { appRpc, type ClientOptions, type RpcClient, segment } from "./rpc.js";
import { checked } from "./validate.js";

/** Signal locator: where a user is connected, and reaching them there. */
export class UsersClient {
  readonly #rpc: RpcClient;

  constructor(url: string, credentials: AppCredentials, options?: ClientOptions) {
    this.#rpc = appRpc(url, credentials, options);
  }

  async sessions(user: string): Promise<SessionsResponse> {
    return this.#rpc.call("GET", `${userPath(user)}/sessions`, SessionsResponseSchema);
  }

  /** Sends `{type: "notification", data}` to every socket the user has joined with; answers how many. */
  async notify(user: string, data: Record<string, unknown>): Promise<NotifyResponse> {
    return this.#rpc.call("POST", `${userPath(user)}/notify`, NotifyResponseSchema, checked(NotifyRequest, { data }));
  }
}

function userPath(user: string): string {
  return `/v1/users/${segment(checked(UserId, user))}`;
}
