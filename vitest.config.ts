import { defineConfig } from "vitest/config";

/** `npm test`: every suite. The edge runs inside workerd; the rest in Node. */
export default defineConfig({
  test: {
    projects: [
      "edge/vitest.config.ts",
      "shared/vitest.config.ts",
      "sdk/vitest.config.ts",
      "media-fleet/vitest.config.ts",
      "test/vitest.config.ts",
    ],
  },
});
