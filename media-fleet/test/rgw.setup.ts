/**
 * Starts a throwaway Ceph RGW (real S3) for the S3 recording tests via infra/ceph/start-rgw.sh, in
 * the background so the other test files need not wait for it (~15 s); recording-s3.test.ts waits
 * for it. Skipped (and that test fails, saying why) when radosgw is not installed or PARLEY_S3=off.
 * Ports 17480 (S3) and 13300 (mon), +100 for e2e, keep clear of a developer's own RGW on 7480.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

const OFFSET = Number(process.env.PARLEY_TEST_PORT_OFFSET ?? 0); // see test/helpers.ts
/**
 * One cluster per project that uses it (media-fleet, e2e), each on its own ports: `npm test` starts
 * every project's global setup at once, and two RGWs on one port would leave the outage test
 * stopping one while the other goes on answering.
 */
const PROJECT_PORTS: Record<string, number> = { "media-fleet": 0, e2e: 100 };

interface RgwEnv {
  RGW_PORT: string;
  MON_PORT: string;
  S3_KEY: string;
  S3_SECRET: string;
}

function rgwEnv(project: string): RgwEnv {
  const shift = OFFSET + (PROJECT_PORTS[project] ?? 200);
  return { RGW_PORT: String(17480 + shift), MON_PORT: String(13300 + shift), S3_KEY: "parley", S3_SECRET: "parleysecret" };
}

declare module "vitest" {
  export interface ProvidedContext {
    rgw: { dir: string; endpoint: string; script: string; env: RgwEnv } | { unavailable: string };
  }
}

const SCRIPT = fileURLToPath(new URL("../../infra/ceph/start-rgw.sh", import.meta.url));

function installed(bin: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export default function setup(project: TestProject): () => Promise<void> {
  if (process.env.PARLEY_S3 === "off" || !installed("radosgw") || !installed("ceph-mon")) {
    project.provide("rgw", {
      unavailable: "radosgw/ceph-mon are not installed (apt-get install radosgw ceph-mon ceph-osd) or PARLEY_S3=off",
    });
    return async () => {};
  }
  const ENV = rgwEnv(project.name);
  const dir = join(mkdtempSync(join(tmpdir(), "parley-rgw-")), "cluster");
  const env = { ...process.env, ...ENV };
  const starting: ChildProcess = spawn(SCRIPT, ["start", dir], { env, stdio: ["ignore", "ignore", "inherit"] });
  const started = new Promise<void>((resolve) => starting.once("exit", () => resolve()));
  project.provide("rgw", { dir, endpoint: `http://127.0.0.1:${ENV.RGW_PORT}`, script: SCRIPT, env: ENV });
  return async () => {
    await started;
    execFileSync(SCRIPT, ["stop", dir], { env, stdio: "ignore" });
  };
}
