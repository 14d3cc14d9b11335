import type { AppDO } from "./licences/app-do.js";
import type { RoomDO } from "./rooms/room-do.js";

/** Bindings from wrangler.toml and secrets (`wrangler secret put`). Validated by config/. */
export interface Env {
  DB: D1Database;
  ROOMS: DurableObjectNamespace<RoomDO>;
  APPS: DurableObjectNamespace<AppDO>;
  /** Bearer key for operator routes (apps, licences). At least 32 characters. */
  OPERATOR_KEY: string;
  /** Base64 of 32 random bytes: seals app secrets at rest (AES-256-GCM). */
  MASTER_KEY: string;
  /** Seconds a dropped member may resume; default 120. */
  RESUME_WINDOW_SECONDS?: string;
}

export type HonoEnv = { Bindings: Env };
