#!/usr/bin/env node
// The parley CLI is TypeScript run through tsx, so the repo needs no build step.
import { register } from "tsx/esm/api";

// tsconfig: false — resolve the same way from any working directory, whatever tsconfig sits there
register({ tsconfig: false });
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
