/** Makes sure the mediasoup worker binary exists (infra/mediasoup/ensure-worker.sh) and hands its path to the tests. */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    mediasoupWorkerBin: string;
  }
}

const ENSURE_WORKER = fileURLToPath(new URL("../../infra/mediasoup/ensure-worker.sh", import.meta.url));

export default function setup(project: TestProject): void {
  let bin = process.env.MEDIASOUP_WORKER_BIN;
  if (!bin) {
    try {
      bin = execFileSync(ENSURE_WORKER, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 20 * 60_000 }).trim();
    } catch (error) {
      throw new Error(
        `media-fleet tests need a mediasoup worker binary: ${ENSURE_WORKER} failed (${(error as Error).message}). Run it by hand to see why, or set MEDIASOUP_WORKER_BIN.`,
      );
    }
  }
  project.provide("mediasoupWorkerBin", bin);
}
