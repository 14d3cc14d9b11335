/**
 * `npm run bench:network`: calls through the network lab, cell by cell, with today's Parley as the
 * baseline column of the same run. Flags (all optional):
 *   --cells downlink:random:30:150,uplink:*:*:50   the cells (direction:model:loss:delay, `*` any); default all
 *   --seconds 20        the measurement window per call
 *   --warmup 5 --settle 3   clean-path time before the cell's network, and time on it before the window
 *   --variants baseline,…   what to compare (variants.ts); baseline is always run
 *   --bots 1            @roamhq/wrtc bots in each call besides the two Chromium pages
 *   --markdown FILE     also write the table (for docs/quality.md) to FILE
 *   --seed S            the lab's seed
 * Prints one JSON object on stdout; progress on stderr. A benchmark informs; it never fails on figures.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { version as MEDIASOUP_VERSION } from "mediasoup";
import { NetLab } from "../../../infra/netlab/netlab.js";
import { startStack } from "../../e2e/stack.js";
import { buildConsole, launchChromium } from "../../e2e/support/chromium-launch.js";
import { runBenchmark } from "../run.js";
import { round } from "../stats.js";
import { type CallSettings, type CellRun, runCell } from "./call.js";
import { BURST_RATIO, cellId, fullMatrix, selectCells } from "./cells.js";
import { LISTENING_IMPAIRMENT } from "./figures.js";
import { markdownTable, rowsFrom } from "./summary.js";
import { selectVariants } from "./variants.js";

/** After the window the network is clean again; audio must be back within this for "up". */
const RECOVERY_SECONDS = 15;
const TABLE_NOTE = `¹ the call stayed up, but video from the other page had not come back ${RECOVERY_SECONDS} s after the network was clean again.`;

const { values: flags } = parseArgs({
  options: {
    cells: { type: "string" },
    seconds: { type: "string", default: "20" },
    warmup: { type: "string", default: "5" },
    settle: { type: "string", default: "3" },
    variants: { type: "string", default: "baseline" },
    bots: { type: "string", default: "1" },
    markdown: { type: "string" },
    seed: { type: "string", default: "bench-network" },
  },
});

function positive(name: string, value: string | undefined, min = 0): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min} (got "${value}")`);
  return n;
}

const cells = flags.cells ? selectCells(flags.cells) : fullMatrix();
const variants = selectVariants(flags.variants ?? "baseline");
const settings: CallSettings = {
  seconds: positive("seconds", flags.seconds, 4),
  warmupSeconds: positive("warmup", flags.warmup),
  settleSeconds: positive("settle", flags.settle),
  sampleEveryMs: 2000,
  bots: positive("bots", flags.bots),
  mediaTimeoutMs: 45_000,
  recoveryTimeoutMs: RECOVERY_SECONDS * 1000,
};
/** Join, first frames, warm-up and leave cost about this much on top of the window. */
const OVERHEAD_SECONDS_ESTIMATE = 15;
const calls = cells.length * variants.length;
const deadlineMs = (calls * (settings.seconds + settings.warmupSeconds + settings.settleSeconds + 60) + 180) * 1000;

async function main(): Promise<unknown> {
  if (cells.length === 0) throw new Error("--cells matched no cell");
  const startedAt = performance.now();
  console.error(`bench:network: ${cells.length} cells × ${variants.length} variant(s), ${settings.seconds} s windows`);
  await buildConsole();
  const stack = await startStack({ nodeId: `bench-network-${process.pid}` });
  let lab: NetLab | undefined;
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
  const runs: CellRun[] = [];
  try {
    lab = await NetLab.start({ ports: stack.rtcPorts, seed: flags.seed });
    chromium = await launchChromium();
    for (const [i, cell] of cells.entries()) {
      for (const variant of variants) {
        const run = await runCell({ stack, lab, browser: chromium.browser }, cell, variant, settings);
        runs.push(run);
        const p = run.pages;
        const brief = run.error
          ? `error: ${run.error}`
          : p
              .map(
                (x) => `${x.receiver}←${x.sender} concealed ${x.audio?.concealmentPercent}% ${x.video?.fps} fps ${x.video?.medianHeight}p`,
              )
              .join("; ");
        console.error(`[${i + 1}/${cells.length}] ${cellId(cell)} ${variant.name} (${run.elapsedSeconds} s): ${brief}`);
      }
    }
  } finally {
    const labStats = await lab?.stop().catch(() => undefined);
    await chromium?.close().catch(() => {});
    await stack.stop().catch(() => {});
    if (labStats)
      console.error(
        `netlab relay (${labStats.priority} priority): ${labStats.sendErrors} send errors, ${labStats.socketDrops} socket drops, lateness ${JSON.stringify(labStats.lateness)}`,
      );
  }
  const rows = rowsFrom(runs, cells, settings.seconds);
  const markdown = markdownTable(
    rows,
    variants.map((v) => v.name),
  );
  if (flags.markdown) writeFileSync(flags.markdown, `${markdown}\n\n${TABLE_NOTE}\n`);
  console.error(`\n${markdown}\n`);

  const totalSeconds = (performance.now() - startedAt) / 1000;
  const perCall = runs.length ? runs.reduce((n, x) => n + x.elapsedSeconds, 0) / runs.length : 0;
  const clean = runs.filter((x) => x.cell.includes(":0:"));
  return {
    benchmark: "network",
    environment: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      mediasoup: MEDIASOUP_VERSION,
      chromium: chromium?.browser.version(),
      loadAverageAtStart: os.loadavg().map((l) => round(l)),
    },
    settings: {
      ...settings,
      variants: variants.map((v) => ({ name: v.name, description: v.description })),
      burstRatio: BURST_RATIO,
      listeningImpairment: LISTENING_IMPAIRMENT,
      seed: flags.seed,
      what: "two demo pages in Chromium and bots in one room; every client's path to the media node goes through the lab; figures are what each page received from the other page (mean of both directions)",
    },
    runtime: {
      totalSeconds: round(totalSeconds, 1),
      perCallSeconds: round(perCall, 1),
      fullMatrixCalls: fullMatrix().length * variants.length,
      fullMatrixEstimateMinutes: round(
        (fullMatrix().length * variants.length * Math.max(perCall, settings.seconds + OVERHEAD_SECONDS_ESTIMATE)) / 60,
        1,
      ),
    },
    // the lab's own losses: at 0 % configured loss, what the pages still missed on the wire
    relayCheck: clean.map((x) => ({
      cell: x.cell,
      variant: x.variant,
      offered: { uplink: x.lab.uplink.packets, downlink: x.lab.downlink.packets },
      delivered: { uplink: x.lab.uplink.delivered, downlink: x.lab.downlink.delivered },
      sendErrors: x.lab.sendErrors,
      socketDrops: x.lab.socketDrops,
      latenessP99Ms: x.lab.latenessP99Ms,
      pagesWireLossPercent: x.pages.map((p) => ({
        receiver: p.receiver,
        audio: p.audio?.wireLossPercent,
        video: p.video?.wireLossPercent,
      })),
    })),
    rows,
    runs,
    markdown,
  };
}

await runBenchmark({ launcher: "npm run bench:network", deadlineMs, main });
