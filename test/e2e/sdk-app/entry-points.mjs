// What each entry point of the installed @parley/sdk gives a plain Node app, as one JSON line:
// the exports it finds, or the error message importing it threw.
const result = {};
for (const entry of ["@parley/sdk", "@parley/sdk/server", "@parley/sdk/client", "@parley/sdk/node", "@parley/shared"]) {
  try {
    result[entry] = { exports: Object.keys(await import(entry)).sort() };
  } catch (err) {
    result[entry] = { error: err instanceof Error ? err.message : String(err) };
  }
}
console.log(JSON.stringify(result));
