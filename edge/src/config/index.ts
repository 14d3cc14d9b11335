import { LIMITS, OutboundAllowSetting, type OutboundPolicy, ParleyError, Region } from "@parley/shared";
import { z } from "zod";
import type { Env } from "../env.js";

const Config = z.object({
  OPERATOR_KEY: z
    .string({ error: "OPERATOR_KEY is not set (wrangler secret put OPERATOR_KEY, or .dev.vars locally)" })
    .min(32, "OPERATOR_KEY must be at least 32 characters"),
  MASTER_KEY: z
    .string({ error: "MASTER_KEY is not set (base64 of 32 random bytes: openssl rand -base64 32)" })
    .refine((v) => decodeBase64(v)?.byteLength === 32, "MASTER_KEY must be base64 of exactly 32 bytes"),
  RESUME_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1, "RESUME_WINDOW_SECONDS must be at least 1")
    .max(3600, "RESUME_WINDOW_SECONDS must be at most 3600")
    .default(LIMITS.resumeWindowSeconds),
  FLEET_SECRET: z.string().min(32, "FLEET_SECRET must be at least 32 characters (media nodes use the same value)").optional(),
  DEFAULT_REGION: Region.default("local"),
  DEV_MODE: z.enum(["0", "1"], { error: 'DEV_MODE must be "1" (local dev routes on) or "0"' }).default("0"),
  // Where recordings go in S3 (the same settings the media nodes use), to presign download links.
  S3_ENDPOINT: z.url("S3_ENDPOINT must be a URL").optional(),
  S3_REGION: z.string().min(1).default("us-east-1"),
  S3_BUCKET: z.string().min(3).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z.enum(["true", "false"]).default("false"),
  // Hosts tenants' URLs may reach although loopback or private (shared/src/outbound-target.ts).
  OUTBOUND_ALLOW: OutboundAllowSetting,
});

export interface EdgeConfig {
  operatorKey: string;
  masterKey: Uint8Array;
  resumeWindowMs: number;
  /** Signs control calls to media nodes and verifies their events; without it media is off. */
  fleetSecret: string | null;
  /** Region whose Fleet DO places this edge's rooms. */
  defaultRegion: string;
  /** Dev-only routes (edge/src/dev) answer; only the local launcher turns this on. */
  devMode: boolean;
  /** S3 settings for presigned recording links; null when S3_BUCKET / keys are not set. */
  s3: { endpoint?: string; region: string; bucket: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean } | null;
  /** Which targets tenants' URLs (webhooks, S3 endpoints, RTMP, watermarks) may name: OUTBOUND_ALLOW. */
  outbound: OutboundPolicy;
}

const cache = new WeakMap<object, EdgeConfig>();

/**
 * Validated configuration. Bindings are fixed for an isolate's life, so this parses once;
 * a bad value refuses every request with CONFIG_INVALID naming the variable, never its value.
 */
export function config(env: Env): EdgeConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = Config.safeParse(env);
  if (!parsed.success) {
    const messages = parsed.error.issues.map((i) => i.message).join("; ");
    throw new ParleyError("CONFIG_INVALID", `edge configuration is invalid: ${messages}`);
  }
  const value: EdgeConfig = {
    operatorKey: parsed.data.OPERATOR_KEY,
    masterKey: decodeBase64(parsed.data.MASTER_KEY) as Uint8Array,
    resumeWindowMs: parsed.data.RESUME_WINDOW_SECONDS * 1000,
    fleetSecret: parsed.data.FLEET_SECRET ?? null,
    defaultRegion: parsed.data.DEFAULT_REGION,
    devMode: parsed.data.DEV_MODE === "1",
    s3:
      parsed.data.S3_BUCKET && parsed.data.S3_ACCESS_KEY_ID && parsed.data.S3_SECRET_ACCESS_KEY
        ? {
            endpoint: parsed.data.S3_ENDPOINT,
            region: parsed.data.S3_REGION,
            bucket: parsed.data.S3_BUCKET,
            accessKeyId: parsed.data.S3_ACCESS_KEY_ID,
            secretAccessKey: parsed.data.S3_SECRET_ACCESS_KEY,
            forcePathStyle: parsed.data.S3_FORCE_PATH_STYLE === "true",
          }
        : null,
    outbound: parsed.data.OUTBOUND_ALLOW,
  };
  cache.set(env, value);
  return value;
}

export function decodeBase64(value: string): Uint8Array | null {
  try {
    const bin = atob(value);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

export function encodeBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}
