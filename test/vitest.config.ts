import { defineConfig } from "vitest/config";

/** Cross-component and end-to-end suites: the real local stack (edge in workerd, a mediasoup node), Node clients. */
export default defineConfig({
  test: {
    name: "e2e",
    include: ["e2e/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    passWithNoTests: true,
    // the same worker-binary resolution as the media-fleet suite, and its throwaway Ceph RGW for
    // the per-app S3 settings suite (started in the background; skipped with PARLEY_S3=off)
    globalSetup: ["../media-fleet/test/global-setup.ts", "../media-fleet/test/rgw.setup.ts"],
    setupFiles: ["../media-fleet/test/worker-bin.setup.ts"],
    // real media is CPU-heavy on a 2-core machine: one file at a time
    fileParallelism: false,
  },
});
