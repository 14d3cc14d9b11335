import { defineConfig } from "vitest/config";

/** Cross-component and end-to-end suites: real local stack, Node clients. */
export default defineConfig({
  test: { name: "e2e", include: ["e2e/**/*.test.ts"], environment: "node", testTimeout: 120_000, hookTimeout: 120_000, passWithNoTests: true },
});
