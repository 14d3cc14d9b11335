/**
 * The launcher every media benchmark runs through (`npm run bench:media`, `bench:recording`).
 *
 * Two reasons. mediasoup reads MEDIASOUP_WORKER_BIN when it is imported, so the variable must be set
 * (from infra/mediasoup/ensure-worker.sh, which builds the binary offline if it is not cached) before
 * anything imports it. And the media node logs with pino straight to fd 1, which would break "one
 * JSON object on stdout": the benchmark runs as a child whose stdout goes to our stderr, and hands
 * its result back on fd 3.
 */
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SOURCE_NODE_FLAG } from "../../infra/dev/source-condition.js";

const RESULT_FD = 3;

/** Runs the benchmark module at `main` (a file URL) as a child with the worker binary set; its JSON result goes to stdout. */
export function launchBenchmark(main: URL): void {
  const env: NodeJS.ProcessEnv = { ...process.env, PARLEY_BENCH_RESULT_FD: String(RESULT_FD) };
  if (!env.MEDIASOUP_WORKER_BIN) {
    const script = fileURLToPath(new URL("../../infra/mediasoup/ensure-worker.sh", import.meta.url));
    try {
      env.MEDIASOUP_WORKER_BIN = execFileSync(script, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
    } catch {
      console.error(`benchmark failed: no mediasoup worker binary (${script} failed; see its message above)`);
      process.exit(1);
    }
  }
  const child = spawn(process.execPath, ["--import", "tsx", SOURCE_NODE_FLAG, fileURLToPath(main), ...process.argv.slice(2)], {
    env,
    stdio: ["ignore", "pipe", "inherit", "pipe"],
  });
  child.stdout?.pipe(process.stderr);
  let result = "";
  child.stdio[RESULT_FD]?.on("data", (chunk: Buffer) => (result += chunk.toString("utf8")));
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  child.on("close", (code, signal) => {
    if (result) process.stdout.write(result);
    if (signal) console.error(`benchmark process ended by ${signal}`);
    process.exitCode = code ?? 1;
  });
}
