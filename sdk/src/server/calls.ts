import type { CallDetail, CallPage } from "@parley/shared";
import type { AppCredentials } from "./credentials.js";
import { CallDetailSchema, CallPageSchema } from "./responses.js";
import { appRpc, type ClientOptions, type QueryValue, queryString, type RpcClient, segment } from "./rpc.js";

/** What to search calls by; `from`/`to` bound the start (Date, ISO text or unix ms). */
export interface CallQuery {
  room?: string;
  user?: string;
  from?: QueryValue;
  to?: QueryValue;
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** Call records (CDRs): who was in which room when, and the quality they had. */
export class CallsClient {
  readonly #rpc: RpcClient;

  constructor(url: string, credentials: AppCredentials, options?: ClientOptions) {
    this.#rpc = appRpc(url, credentials, options);
  }

  /** One page of calls, newest first. */
  async search(query: CallQuery = {}): Promise<CallPage> {
    return this.#rpc.call("GET", `/v1/calls${queryString({ ...query })}`, CallPageSchema);
  }

  /** One call with its members and quality timeline. */
  async get(id: string): Promise<CallDetail> {
    return this.#rpc.call("GET", `/v1/calls/${segment(id)}`, CallDetailSchema);
  }
}
