import { defineConfig } from "vitest/config";

/** The benchmarks' pure parts (matrix selection, figures); the benchmarks themselves run with npm run bench:*. */
export default defineConfig({
  test: {
    name: "bench",
    include: ["**/*.test.ts"],
    environment: "node",
  },
});
