import {
  CreateWebhookRequest,
  type DeliveryPage,
  type DeliveryStatus,
  UpdateWebhookRequest,
  type WebhookInfo,
  type WebhookWithSecret,
} from "@parley/shared";
import * as z from "zod";
import type { AppCredentials } from "./credentials.js";
import { DeliveryPageSchema, WebhookInfoSchema, WebhookListSchema, WebhookWithSecretSchema } from "./responses.js";
import { appRpc, type ClientOptions, queryString, type RpcClient, segment } from "./rpc.js";
import { checked } from "./validate.js";

export interface DeliveryQuery {
  webhookId?: string;
  eventId?: string;
  status?: DeliveryStatus;
  limit?: number;
  cursor?: string;
}

/** The app's webhook endpoints and their delivery log. */
export class WebhooksClient {
  readonly #rpc: RpcClient;

  constructor(url: string, credentials: AppCredentials, options?: ClientOptions) {
    this.#rpc = appRpc(url, credentials, options);
  }

  /** The answer carries the signing `secret`, shown this once. */
  async create(webhook: z.input<typeof CreateWebhookRequest>): Promise<WebhookWithSecret> {
    return this.#rpc.call("POST", "/v1/webhooks", WebhookWithSecretSchema, checked(CreateWebhookRequest, webhook));
  }

  async list(): Promise<WebhookInfo[]> {
    return (await this.#rpc.call("GET", "/v1/webhooks", WebhookListSchema)).webhooks;
  }

  async get(id: string): Promise<WebhookInfo> {
    return this.#rpc.call("GET", hookPath(id), WebhookInfoSchema);
  }

  async update(id: string, patch: z.input<typeof UpdateWebhookRequest>): Promise<WebhookInfo> {
    return this.#rpc.call("PATCH", hookPath(id), WebhookInfoSchema, checked(UpdateWebhookRequest, patch));
  }

  async delete(id: string): Promise<void> {
    await this.#rpc.call("DELETE", hookPath(id), z.undefined());
  }

  /** A new signing secret (shown this once); the old one stops signing at once. */
  async rotateSecret(id: string): Promise<WebhookWithSecret> {
    return this.#rpc.call("POST", `${hookPath(id)}/rotate-secret`, WebhookWithSecretSchema);
  }

  /** The delivery log, one entry per attempt, newest first. */
  async deliveries(query: DeliveryQuery = {}): Promise<DeliveryPage> {
    return this.#rpc.call("GET", `/v1/webhooks/deliveries${queryString({ ...query })}`, DeliveryPageSchema);
  }
}

function hookPath(id: string): string {
  return `/v1/webhooks/${segment(id)}`;
}
