import type { StatsResponse } from "@parley/shared";
import type { AppCredentials } from "./credentials.js";
import { StatsResponseSchema } from "./responses.js";
import { appRpc, type ClientOptions, type QueryValue, queryString, type RpcClient } from "./rpc.js";

export interface StatsQueryOptions {
  /** Default: 24 hours before `to`. */
  from?: QueryValue;
  /** Default: now. */
  to?: QueryValue;
  /** Bucket length in seconds (300 to 86400; default 3600). */
  bucket?: number;
}

/** The app's usage and quality figures over time. */
export class StatsClient {
  readonly #rpc: RpcClient;

  constructor(url: string, credentials: AppCredentials, options?: ClientOptions) {
    this.#rpc = appRpc(url, credentials, options);
  }

  async get(query: StatsQueryOptions = {}): Promise<StatsResponse> {
    return this.#rpc.call("GET", `/v1/stats${queryString({ ...query })}`, StatsResponseSchema);
  }
}
