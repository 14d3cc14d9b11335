/**
 * How a benchmark's child process (started by launch.ts) runs: refuse to start without the worker
 * binary, give up after a deadline, write the JSON result on the result fd, exit explicitly.
 */
import { writeSync } from "node:fs";

export async function runBenchmark(o: { launcher: string; deadlineMs: number; main: () => Promise<unknown> }): Promise<void> {
  if (!process.env.MEDIASOUP_WORKER_BIN) {
    console.error(`run this through ${o.launcher}, which sets MEDIASOUP_WORKER_BIN`);
    process.exit(1);
  }
  const deadline = setTimeout(() => {
    console.error(`benchmark did not finish within ${o.deadlineMs / 1000} s; giving up`);
    process.exit(1);
  }, o.deadlineMs);
  deadline.unref();
  try {
    const result = await o.main();
    writeSync(Number(process.env.PARLEY_BENCH_RESULT_FD ?? 1), `${JSON.stringify(result, null, 2)}\n`);
  } catch (err) {
    console.error(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  }
  // Exit explicitly: @roamhq/wrtc 0.10 segfaults during Node's natural teardown once a video source
  // track has existed. Everything was closed by main and the result written synchronously.
  process.exit();
}
