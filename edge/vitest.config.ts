import { createServer } from "node:net";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Fixed test-only keys: the edge's config validation needs real-shaped values.
const TEST_OPERATOR_KEY = "test-operator-key-0123456789abcdef0123456789";
const TEST_FLEET_SECRET = "test-fleet-secret-0123456789abcdef0123456789";
const TEST_MASTER_KEY = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i)));

/** A port free now on 127.0.0.1: the webhook receiver's, known before workerd starts so its allow-list can name it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  // test/webhook-receiver.ts listens here; the global setup runs in this process
  process.env.PARLEY_WEBHOOK_RECEIVER_PORT ??= String(await freePort());
  return {
    plugins: [
      cloudflareTest({
        main: "./src/index.ts",
        wrangler: { configPath: "../wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            OPERATOR_KEY: TEST_OPERATOR_KEY,
            MASTER_KEY: TEST_MASTER_KEY,
            FLEET_SECRET: TEST_FLEET_SECRET,
            // the only private target these tests reach: the webhook receiver
            OUTBOUND_ALLOW: `127.0.0.1:${process.env.PARLEY_WEBHOOK_RECEIVER_PORT}`,
          },
        },
      }),
    ],
    test: {
      name: "edge",
      include: ["src/**/*.test.ts"],
      setupFiles: ["./test/apply-migrations.ts"],
      globalSetup: ["./test/auth-centre-server.ts", "./test/webhook-receiver.ts"],
      testTimeout: 60_000,
    },
  };
});
