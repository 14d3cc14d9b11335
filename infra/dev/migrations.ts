import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { QUIET_WRANGLER_ENV, REPO_ROOT, WRANGLER_CONFIG } from "./paths.js";

const require = createRequire(import.meta.url);
export const WRANGLER_BIN = path.join(path.dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");

/**
 * Applies edge/migrations to the local D1 in `stateDir` with wrangler's own command, so the
 * d1_migrations bookkeeping matches what `wrangler d1 migrations apply --local` expects later.
 */
export async function applyLocalMigrations(stateDir: string): Promise<void> {
  const args = [WRANGLER_BIN, "d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir, "--config", WRANGLER_CONFIG];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...QUIET_WRANGLER_ENV, CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code !== 0) throw new Error(`applying D1 migrations failed (exit ${code}):\n${output.trim()}`);
}
