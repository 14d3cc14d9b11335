import { defineConfig } from "vitest/config";
import { sourceCondition } from "../infra/dev/source-condition.js";

export default defineConfig({
  plugins: [sourceCondition()],
  test: {
    name: "media-fleet",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    passWithNoTests: true,
    // Resolves (building on first run, ~4 min) the mediasoup worker binary once per run.
    // …and starts a throwaway Ceph RGW for the S3 recording tests (test/rgw.setup.ts) and a Redis
    // for the Redis-backed recording journals (test/redis.setup.ts).
    globalSetup: ["test/global-setup.ts", "test/rgw.setup.ts", "test/redis.setup.ts"],
    // Sets MEDIASOUP_WORKER_BIN before any test file imports mediasoup (it reads it at import).
    setupFiles: ["test/worker-bin.setup.ts"],
    hookTimeout: 60_000,
  },
});
