import { defineConfig } from "vitest/config";
import { sourceCondition } from "../infra/dev/source-condition.js";

export default defineConfig({ plugins: [sourceCondition()], test: { name: "shared", include: ["src/**/*.test.ts"], environment: "node" } });
