import { defineConfig } from "vitest/config";

/**
 * `npm test`: every suite. The edge runs inside workerd; the rest in Node. Files run one at a
 * time: media tests check real-time figures (durations within 10 %, frame rates) that two
 * encoders racing on a 2-core machine would distort.
 */
export default defineConfig({
  test: {
    fileParallelism: false,
    projects: [
      "edge/vitest.config.ts",
      "shared/vitest.config.ts",
      "sdk/vitest.config.ts",
      "media-fleet/vitest.config.ts",
      "test/vitest.config.ts",
      "infra/netlab/vitest.config.ts",
      "test/bench/vitest.config.ts",
    ],
  },
});
