import { defineConfig } from "vitest/config";
import { sourceCondition } from "../infra/dev/source-condition.js";

/** Cross-component and end-to-end suites: the real local stack (edge in workerd, a mediasoup node), Node clients. */
export default defineConfig({
  plugins: [sourceCondition()],
  test: {
    name: "e2e",
    include: ["e2e/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    passWithNoTests: true,
    // the same worker-binary resolution as the media-fleet suite, and its throwaway Ceph RGW for
    // the per-app S3 settings suite (started in the background; skipped with PARLEY_S3=off); the
    // compiled SDK for the suites that spawn the `parley` CLI
    globalSetup: ["../media-fleet/test/global-setup.ts", "../media-fleet/test/rgw.setup.ts", "../infra/dev/sdk-build.setup.ts"],
    setupFiles: ["../media-fleet/test/worker-bin.setup.ts"],
    // real media is CPU-heavy on a 2-core machine: one file at a time
    fileParallelism: false,
  },
});
