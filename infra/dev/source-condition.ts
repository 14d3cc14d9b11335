/**
 * The repository's own tooling runs @parley/shared and @parley/sdk from their TypeScript source;
 * everyone else (an app that installed the packages) gets the compiled `dist/`. Each package's
 * `exports` lists this condition first, so whatever turns it on resolves to `src/`: tsc
 * (`customConditions` in tsconfig.base.json), vitest (`sourceCondition()` below), Node and tsx
 * (`SOURCE_NODE_FLAG`), esbuild (`--conditions`) and wrangler (`WRANGLER_BUILD_CONDITIONS`).
 */
import type { Plugin } from "vitest/config";

export const SOURCE_CONDITION = "@parley/source";

/** For `node`/`tsx` processes that import the repo's packages. */
export const SOURCE_NODE_FLAG = `--conditions=${SOURCE_CONDITION}`;

/** Adds the source condition to every Vite environment that resolves with conditions (Node tests, workerd tests). */
export function sourceCondition(): Plugin {
  return {
    name: "parley:source-condition",
    configEnvironment(_name, environment) {
      const conditions = environment.resolve?.conditions;
      if (conditions && !conditions.includes(SOURCE_CONDITION)) conditions.unshift(SOURCE_CONDITION);
    },
  };
}
