import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "media-fleet", include: ["src/**/*.test.ts", "test/**/*.test.ts"], environment: "node", testTimeout: 60_000, passWithNoTests: true },
});
