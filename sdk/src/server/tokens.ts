import { TokenRequest, type TokenResponse } from "@parley/shared";
import type { AppSecretCredentials } from "./credentials.js";
import { TokenResponseSchema } from "./responses.js";
import { basicAuth, type ClientOptions, RpcClient } from "./rpc.js";
import { checked } from "./validate.js";

/**
 * `POST /v1/tokens`: the edge mints the token. Back ends with the AppSecret at hand can call
 * mintToken locally instead and skip the round trip; this is for those that cannot run jose.
 */
export class TokensClient {
  readonly #rpc: RpcClient;

  constructor(url: string, credentials: AppSecretCredentials, options?: ClientOptions) {
    this.#rpc = new RpcClient(url, basicAuth(credentials.appKey, credentials.appSecret), options);
  }

  async create(request: TokenRequest): Promise<TokenResponse> {
    return this.#rpc.call("POST", "/v1/tokens", TokenResponseSchema, checked(TokenRequest, request));
  }
}
