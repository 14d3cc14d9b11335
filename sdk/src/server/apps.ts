import {
  type AppInfo,
  AppKey,
  CreateAppRequest,
  type CreatedApp,
  type CreatedSecret,
  Licence,
  SecretSlot,
  UpdateAppRequest,
} from "@parley/shared";
import type * as z from "zod";
import { AppInfoSchema, AppListSchema, type AppUsage, AppUsageSchema, CreatedAppSchema, CreatedSecretSchema } from "./responses.js";
import { bearerAuth, type ClientOptions, RpcClient, segment } from "./rpc.js";
import { checked } from "./validate.js";

/** Operator API (`/v1/apps`): apps, their secrets and licences. Needs the operator key. */
export class AppsClient {
  readonly #rpc: RpcClient;

  constructor(url: string, operatorKey: string, options?: ClientOptions) {
    this.#rpc = new RpcClient(url, bearerAuth(operatorKey), options);
  }

  async create(request: z.input<typeof CreateAppRequest>): Promise<CreatedApp> {
    return this.#rpc.call("POST", "/v1/apps", CreatedAppSchema, checked(CreateAppRequest, request));
  }

  async list(): Promise<AppInfo[]> {
    return (await this.#rpc.call("GET", "/v1/apps", AppListSchema)).apps;
  }

  async get(appKey: string): Promise<AppInfo> {
    return this.#rpc.call("GET", appPath(appKey), AppInfoSchema);
  }

  async update(appKey: string, patch: z.input<typeof UpdateAppRequest>): Promise<AppInfo> {
    return this.#rpc.call("PATCH", appPath(appKey), AppInfoSchema, checked(UpdateAppRequest, patch));
  }

  /** A disabled app's tokens and credentials are refused (APP_DISABLED) until it is enabled. */
  async disable(appKey: string): Promise<AppInfo> {
    return this.update(appKey, { disabled: true });
  }

  async enable(appKey: string): Promise<AppInfo> {
    return this.update(appKey, { disabled: false });
  }

  /** null removes the auth centre. */
  async setAuthCentreUrl(appKey: string, authCentreUrl: string | null): Promise<AppInfo> {
    return this.update(appKey, { authCentreUrl });
  }

  /** The longest token lifetime the edge accepts for the app (60 s to 7 days); null is the 7-day default. */
  async setMaxTokenTtl(appKey: string, maxTokenTtlSeconds: number | null): Promise<AppInfo> {
    return this.update(appKey, { maxTokenTtlSeconds });
  }

  /** Replaces the whole licence: fields left out become null (unlimited / no expiry). */
  async setLicence(appKey: string, licence: z.input<typeof Licence>): Promise<AppInfo> {
    return this.#rpc.call("PUT", `${appPath(appKey)}/licence`, AppInfoSchema, checked(Licence, licence));
  }

  /** Fills the free secret slot (for rotation); the secret is shown only in this answer. */
  async addSecret(appKey: string): Promise<CreatedSecret> {
    return this.#rpc.call("POST", `${appPath(appKey)}/secrets`, CreatedSecretSchema);
  }

  async revokeSecret(appKey: string, slot: SecretSlot): Promise<AppInfo> {
    return this.#rpc.call("DELETE", `${appPath(appKey)}/secrets/${checked(SecretSlot, slot)}`, AppInfoSchema);
  }

  /** Live concurrent rooms and users against the licence. */
  async usage(appKey: string): Promise<AppUsage> {
    return this.#rpc.call("GET", `${appPath(appKey)}/usage`, AppUsageSchema);
  }
}

function appPath(appKey: string): string {
  return `/v1/apps/${segment(checked(AppKey, appKey))}`;
}
