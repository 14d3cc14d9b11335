import { defineConfig } from "vitest/config";
import { sourceCondition } from "../infra/dev/source-condition.js";

export default defineConfig({
  plugins: [sourceCondition()],
  test: {
    name: "sdk",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    // beforeAll starts a real edge (wrangler, workerd): over a minute on a loaded machine, as e2e allows
    hookTimeout: 120_000,
    passWithNoTests: true,
    // the CLI tests spawn bin/parley.mjs, which runs dist/
    globalSetup: ["../infra/dev/sdk-build.setup.ts"],
  },
});
