/**
 * The recording benchmark proper (run through ../recording.ts, which sets MEDIASOUP_WORKER_BIN).
 * One mediasoup worker and router with the node's codecs; two clip members (sources.ts) sending
 * real VP8 + Opus; then the per-track ramp and the composite ramp. `--quick` runs short ramps and
 * windows; `--only=tracks` or `--only=composite` runs one half. A benchmark informs; it never fails
 * on figures.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { createWorker, version as MEDIASOUP_VERSION } from "mediasoup";
import { MEDIA_CODECS } from "../../../media-fleet/src/codecs.js";
import { runBenchmark } from "../run.js";
import { round } from "../stats.js";
import { type CompositeSettings, type CompositeStep, measureComposites } from "./composite.js";
import { measurePerTrack, type PerTrackSettings, type PerTrackStep } from "./per-track.js";
import { ClipMember, type ClipSettings, encodeClip } from "./sources.js";

const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
/** `--max-streams=N` ramps per-track recording on past 200, in steps of 100 (for an idle machine with memory to spare: ~10 MiB per stream). */
const maxStreams = Number(process.argv.find((a) => a.startsWith("--max-streams="))?.slice("--max-streams=".length) ?? 200);
const extraSteps = Array.from({ length: Math.max(0, Math.floor((maxStreams - 200) / 100)) }, (_, i) => 300 + i * 100);
/**
 * Port blocks sit below the kernel's ephemeral range (32768+, where the clip senders' sockets land)
 * and away from the test suites' blocks; shifted like theirs so two checkouts can run side by side.
 */
const OFFSET = Number(process.env.PARLEY_TEST_PORT_OFFSET ?? 0);

const CLIP: ClipSettings = { width: 640, height: 360, fps: 15, videoKbps: 500, keyframeSeconds: 0.5, seconds: 10 };

const PER_TRACK: PerTrackSettings = {
  steps: quick ? [1, 10, 25] : [1, 25, 50, 100, 150, 200, ...extraSteps],
  // Long enough that the wait for a first keyframe (≤ 0.5 s; nothing answers PLIs) stays well inside the duration tolerance.
  settleMs: quick ? 3000 : 3000,
  windowMs: quick ? 6000 : 9000,
  maxCpuPercent: 80,
  maxDurationError: 0.05,
  // Two ports per stream: up to 750 streams.
  ports: { min: 27000 + OFFSET, max: 28499 + OFFSET },
  startConcurrency: 4,
  budgetMs: quick ? 60_000 : 150_000 + extraSteps.length * 40_000,
};

const COMPOSITE: CompositeSettings = {
  steps: quick ? [1, 2] : [1, 2, 4, 6, 8, 10, 12, 14, 16],
  canvas: { width: 640, height: 480, fps: 15, videoBitrate: 800 },
  core: os.cpus().length - 1,
  // Several ffmpegs starting at once on one core take seconds to probe their inputs and catch up; the window starts after.
  settleMs: quick ? 4000 : 6000,
  windowMs: quick ? 5000 : 6000,
  minSpeed: 0.97,
  catchUpSpeed: 1.03,
  maxCatchUpWindows: 2,
  ports: { min: 28500 + OFFSET, max: 29999 + OFFSET },
  budgetMs: quick ? 40_000 : 150_000,
};

const GOALS = { perTrackStreamsPerCore: 100, compositesPerCore: 4 } as const;
const DEADLINE_MS = quick ? 180_000 : 420_000 + extraSteps.length * 60_000;

function perTrackResult(steps: PerTrackStep[]) {
  const baseline = steps[0];
  const best = steps.filter((s) => s.withinLimits && s.streams > 1).at(-1);
  const firstOver = steps.find((s) => !s.withinLimits);
  // CPU is summed over the worker and every ffmpeg, so "per core" = streams at ≤ the limit of one core's time.
  const streamsPerCore = best?.streams ?? 0;
  return {
    settings: PER_TRACK,
    steps,
    baseline: baseline && { streams: baseline.streams, cpuPercentPerStream: baseline.cpuPercentPerStream },
    result: {
      streamsPerCore,
      cpuPercentPerStream: best?.cpuPercentPerStream ?? null,
      criterion:
        `largest step where every output's media duration is within ${PER_TRACK.maxDurationError * 100} % of its wall time, ` +
        `no datagram was dropped on a recorder socket, and worker + recorder ffmpegs used ≤ ${PER_TRACK.maxCpuPercent} % of one core`,
      limitedBy: firstOver ? limitOf(firstOver) : "none reached (ramp ended)",
      /** Linear projection from the best step's CPU per stream. */
      projectedAtCpuLimit: best ? Math.floor(PER_TRACK.maxCpuPercent / Math.max(best.cpuPercentPerStream, 0.001)) : 0,
      goal: GOALS.perTrackStreamsPerCore,
      ratio: round(streamsPerCore / GOALS.perTrackStreamsPerCore, 2),
      meetsGoal: streamsPerCore >= GOALS.perTrackStreamsPerCore,
    },
    /** CPU per stream at each step relative to the 1-stream baseline (1 = no overhead growth). */
    ratios: baseline
      ? steps.map((s) => ({ streams: s.streams, cpuPerStreamOverBaseline: round(s.cpuPercentPerStream / baseline.cpuPercentPerStream, 3) }))
      : [],
  };
}

function limitOf(s: PerTrackStep): string {
  if (s.outputsOff > 0) return `${s.outputsOff} outputs' durations off by > ${PER_TRACK.maxDurationError * 100} % at ${s.streams} streams`;
  if (s.socketDrops > 0) return `${s.socketDrops} datagrams dropped at ${s.streams} streams`;
  return `CPU at ${s.streams} streams`;
}

function compositeResult(steps: CompositeStep[]) {
  const baseline = steps[0];
  const best = steps.filter((s) => s.withinLimits).at(-1);
  const firstOver = steps.find((s) => !s.withinLimits);
  const perCore = best?.composites ?? 0;
  return {
    settings: COMPOSITE,
    input: "each composite: 2 members (2 × VP8 640×360 15 fps ~500 kbps + 2 × Opus) → grid 640×480 15 fps, libx264 veryfast + AAC",
    steps,
    baseline: baseline && { composites: 1, windowSpeed: baseline.windowSpeed.min, cpuPercent: baseline.cpuPercent },
    result: {
      compositesPerCore: perCore,
      criterion: `largest K where every composite's media-out/wall over the window ≥ ${COMPOSITE.minSpeed} and no ingest datagram was dropped, all pinned to core ${COMPOSITE.core}`,
      limitedBy: firstOver
        ? `at ${firstOver.composites}: slowest ${firstOver.windowSpeed.min}×, ${firstOver.socketDrops} datagrams dropped`
        : "none reached (ramp ended)",
      /** Linear projection from the baseline's CPU: composites that would fill the core. */
      projectedFromBaselineCpu: baseline ? round(100 / Math.max(baseline.cpuPercent, 0.1), 1) : 0,
      goal: GOALS.compositesPerCore,
      ratio: round(perCore / GOALS.compositesPerCore, 2),
      meetsGoal: perCore >= GOALS.compositesPerCore,
    },
    /** CPU per composite at each step relative to the 1-composite baseline. */
    ratios: baseline
      ? steps.map((s) => ({
          composites: s.composites,
          cpuPerCompositeOverBaseline: round(s.cpuPercentPerComposite / baseline.cpuPercentPerComposite, 3),
        }))
      : [],
  };
}

async function main(): Promise<unknown> {
  const startedAt = performance.now();
  const loadAverageAtStart = os.loadavg();
  const dir = await mkdtemp(join(os.tmpdir(), "parley-bench-recording-"));
  const worker = await createWorker({ logLevel: "error", rtcMinPort: 26000 + OFFSET, rtcMaxPort: 26999 + OFFSET });
  const members: ClipMember[] = [];
  try {
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    process.stderr.write("[recording] encoding the member clip\n");
    const clip = await encodeClip(dir, CLIP);
    for (const [i, name] of ["m_a", "m_b"].entries()) members.push(await ClipMember.start(router, clip, name, 11110 + i * 10));
    await Promise.all(members.map((m) => m.flowing()));
    const sourcePids = members.flatMap((m) => (m.pid === undefined ? [] : [m.pid]));
    const tracks = only === "composite" ? null : await measurePerTrack(PER_TRACK, { router, worker, members, dir, sourcePids });
    const composites = only === "tracks" ? null : await measureComposites(COMPOSITE, { router, members, dir });
    const result = {
      benchmark: "recording",
      quick,
      environment: {
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        mediasoup: MEDIASOUP_VERSION,
        loadAverageAtStart: loadAverageAtStart.map((l) => round(l, 2)),
        loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)),
        note: "the clip senders (ffmpeg -c copy, not counted), the worker and every recorder share this machine; on a busy machine figures are low",
      },
      clip: { ...CLIP, sender: "ffmpeg -re -stream_loop -1 -c copy → RTP → mediasoup PlainTransport producers (comedia)" },
      perTrack: tracks && perTrackResult(tracks),
      composite: composites && compositeResult(composites),
      seconds: round((performance.now() - startedAt) / 1000, 1),
    };
    return result;
  } finally {
    for (const m of members) m.close();
    worker.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await runBenchmark({ launcher: "test/bench/recording.ts (npm run bench:recording)", deadlineMs: DEADLINE_MS, main });
