/**
 * vitest globalSetup for suites that spawn the `parley` CLI: its bin runs the compiled SDK, so
 * bring `sdk/dist` (and `shared/dist`) up to date with the source first. `tsc -b` is incremental:
 * about a second when nothing changed.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./paths.js";

export default async function buildSdk(): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  try {
    await promisify(execFile)(process.execPath, [tsc, "-b", path.join(REPO_ROOT, "sdk", "tsconfig.build.json")], { cwd: REPO_ROOT });
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    throw new Error(`building the SDK for the CLI tests failed:\n${stdout}${stderr}`);
  }
}
