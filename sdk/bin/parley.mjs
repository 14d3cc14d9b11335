#!/usr/bin/env node
// The parley CLI: the compiled SDK (dist/, built by `npm run build`; `npm pack` builds it first).
const entry = new URL("../dist/cli/main.js", import.meta.url);

let cli;
try {
  cli = await import(entry.href);
} catch (err) {
  // only in a repository checkout: a published package always holds dist/
  if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes(entry.pathname)) {
    console.error("parley: the SDK is not built yet (sdk/dist is missing): run `npm run build` at the repository root");
    process.exit(1);
  }
  throw err;
}
process.exitCode = await cli.main(process.argv);
