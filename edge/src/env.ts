import type { FleetDO } from "./fleet/fleet-do.js";
import type { AppDO } from "./licences/app-do.js";
import type { RoomDO } from "./rooms/room-do.js";
import type { WebhookDO } from "./webhooks/webhook-do.js";

/** Bindings from wrangler.toml and secrets (`wrangler secret put`). Validated by config/. */
export interface Env {
  DB: D1Database;
  ROOMS: DurableObjectNamespace<RoomDO>;
  APPS: DurableObjectNamespace<AppDO>;
  FLEET: DurableObjectNamespace<FleetDO>;
  /** One per app: the app's webhook event queue and deliveries. */
  WEBHOOKS: DurableObjectNamespace<WebhookDO>;
  /** Bearer key for operator routes (apps, licences). At least 32 characters. */
  OPERATOR_KEY: string;
  /** Base64 of 32 random bytes: seals app secrets at rest (AES-256-GCM). */
  MASTER_KEY: string;
  /** Seconds a dropped member may resume; default 120. */
  RESUME_WINDOW_SECONDS?: string;
  /** Shared with the media nodes: signs control calls, verifies their heartbeats and events. */
  FLEET_SECRET?: string;
  /** Region whose media nodes take this edge's rooms; default "local". */
  DEFAULT_REGION?: string;
  /** S3 settings of the recordings bucket (secrets: wrangler secret put), for presigned links. */
  S3_ENDPOINT?: string;
  S3_REGION?: string;
  S3_BUCKET?: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
  S3_FORCE_PATH_STYLE?: string;
  /**
   * Hosts (`host` or `host:port`, comma-separated) that tenants' URLs may reach although loopback or
   * private; link-local and metadata addresses are refused whatever it says. Unset: public only.
   */
  OUTBOUND_ALLOW?: string;
  /**
   * "1" turns on the dev-only routes (edge/src/dev: tokens for the dev app without credentials).
   * Set only by the local launcher (infra/dev/edge.ts); never in wrangler.toml.
   */
  DEV_MODE?: string;
}

export type HonoEnv = { Bindings: Env };
