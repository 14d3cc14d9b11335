import { defineConfig } from "vitest/config";

/** The network lab: pure logic (loss models, queue, link) and the relay with real sockets and nftables. */
export default defineConfig({
  test: {
    name: "netlab",
    include: ["**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
