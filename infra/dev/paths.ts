import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: infra/dev/ is two levels below it. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Git-ignored folder for local secrets and the dev app (never committed). */
export const DEFAULT_PARLEY_DIR = path.join(REPO_ROOT, ".parley");

/** Where `npm start` keeps local D1 / Durable Object state between runs (wrangler's own default). */
export const DEFAULT_STATE_DIR = path.join(REPO_ROOT, ".wrangler", "state");

export const WRANGLER_CONFIG = path.join(REPO_ROOT, "wrangler.toml");

/**
 * Environment for anything the launcher runs: no metrics, no cf-object fetch from the internet.
 * Applied to this process too, because unstable_startWorker runs wrangler in-process.
 */
export const QUIET_WRANGLER_ENV = { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" } as const;

export function applyQuietWranglerEnv(): void {
  Object.assign(process.env, QUIET_WRANGLER_ENV);
}
