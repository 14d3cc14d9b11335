/**
 * The media benchmark proper (imported by ../media.ts once MEDIASOUP_WORKER_BIN is set).
 * `--only=join` or `--only=forwarding` runs one half. A benchmark informs; it never fails on figures.
 */
import os from "node:os";
import { version as MEDIASOUP_VERSION } from "mediasoup";
import { runBenchmark } from "../run.js";
import { round } from "../stats.js";
import { type ForwardingSettings, measureForwarding } from "./forwarding.js";
import { type JoinSettings, measureJoins } from "./join.js";

const JOIN: JoinSettings = {
  joins: 20,
  warmupJoins: 2,
  pollMs: 20,
  firstFrameTimeoutMs: 15_000,
  publisher: { width: 640, height: 360, fps: 15, audio: true },
};

const FORWARDING: ForwardingSettings = {
  steps: [1, 50, 100, 200, 300, 400, 500, 600, 700, 800, 1000, 1200, 1500, 2000, 2500, 3000],
  // 15 fps, 3 packets per frame and a 12-packet keyframe every 2 s: ~50 packets/s of 1200 bytes ≈ 480 kbps of RTP.
  publisher: { fps: 15, packetBytes: 1200, packetsPerFrame: 3, packetsPerKeyFrame: 12, keyFrameIntervalMs: 2000 },
  srtp: true,
  sinkSockets: 8,
  sinkReceiveBufferBytes: 4 * 1024 * 1024,
  settleMs: 1000,
  windowMs: 6000,
  maxCpuPercent: 80,
  maxLossPercent: 0.1,
  createConcurrency: 32,
  budgetMs: 240_000,
};

const GOALS = { consumersPerCore: 500 } as const;
const DEADLINE_MS = 420_000;

const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);

async function main(): Promise<unknown> {
  const startedAt = performance.now();
  const loadAverageAtStart = os.loadavg();
  const joins = only === "forwarding" ? null : await measureJoins(JOIN);
  const forwarding = only === "join" ? null : await measureForwarding(FORWARDING);

  const steps = forwarding?.steps ?? [];
  const baseline = steps[0];
  // The largest step that stayed within both limits; consumers per core = consumers on this one worker.
  const best = steps.filter((s) => s.withinLimits && s.consumers > 1).at(-1);
  const firstOver = steps.find((s) => !s.withinLimits);
  const consumersPerCore = best?.consumers ?? 0;

  const result = {
    benchmark: "media",
    environment: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      mediasoup: MEDIASOUP_VERSION,
      workerBin: process.env.MEDIASOUP_WORKER_BIN,
      /** Other work on the machine skews the figures (see forwarding steps' machinePercent too). */
      loadAverageAtStart: loadAverageAtStart.map((l) => round(l, 2)),
      note: "edge, media node, bots, RTP publisher and sinks all share this machine's cores and 127.0.0.1",
    },
    joins: joins && {
      settings: JOIN,
      measurement:
        `time from calling Room.connect (token already minted) to the first getQuality() report with a received video track ` +
        `whose framesDecoded > 0; getQuality is polled every ${JOIN.pollMs} ms after the previous poll returns (measured interval below)`,
      ...joins,
      /** Baseline in the same process: media join / signalling-only join. */
      ratios: {
        firstFrameP50OverSignallingP50: round(joins.joinToFirstFrameMs.p50 / joins.signallingOnlyJoinMs.p50, 2),
        firstFrameP99OverSignallingP99: round(joins.joinToFirstFrameMs.p99 / joins.signallingOnlyJoinMs.p99, 2),
      },
    },
    forwarding: forwarding && {
      settings: FORWARDING,
      publisher: "Node UDP sender replaying VP8-shaped RTP (payload descriptor with 15-bit picture id, keyframes on PLI/FIR and every 2 s)",
      consumers: `each on its own PlainTransport (comedia off, rtcp-mux${FORWARDING.srtp ? ", SRTP AES_CM_128_HMAC_SHA1_80" : ""}) → UDP sinks in this process`,
      cpu: "worker: getResourceUsage ru_utime+ru_stime delta / wall, % of one core; benchProcess: process.cpuUsage (publisher, sinks); machine: all cores",
      loss: "per consumer, gaps in its (contiguous, mediasoup-rewritten) sequence numbers over the window; a silent consumer loses all the publisher sent",
      steps,
      baseline: baseline && {
        consumers: baseline.consumers,
        workerPercent: baseline.workerPercent,
        workerMicrosPerForwardedPacket: baseline.workerMicrosPerForwardedPacket,
      },
      result: {
        consumersPerCore,
        criterion: `largest step with worker CPU ≤ ${FORWARDING.maxCpuPercent} % and loss ≤ ${FORWARDING.maxLossPercent} %`,
        limitedBy: firstOver
          ? firstOver.workerPercent > FORWARDING.maxCpuPercent
            ? `worker CPU at ${firstOver.consumers} consumers`
            : `loss at ${firstOver.consumers} consumers`
          : "none reached (ramp ended)",
        /** Linear projection from the best step: consumers at which the worker would reach the CPU limit. */
        projectedAtCpuLimit: best ? Math.floor((best.consumers * FORWARDING.maxCpuPercent) / Math.max(best.workerPercent, 0.1)) : 0,
        goal: GOALS.consumersPerCore,
        ratio: round(consumersPerCore / GOALS.consumersPerCore, 2),
        meetsGoal: consumersPerCore >= GOALS.consumersPerCore,
      },
      /** Per-packet worker cost at each step relative to the 1-consumer baseline (1 = no overhead growth). */
      ratios: baseline
        ? steps.map((s) => ({
            consumers: s.consumers,
            microsPerPacketOverBaseline: round(s.workerMicrosPerForwardedPacket / baseline.workerMicrosPerForwardedPacket, 3),
          }))
        : [],
      notes: forwarding.notes,
    },
    seconds: round((performance.now() - startedAt) / 1000, 1),
  };
  return result;
}

await runBenchmark({ launcher: "test/bench/media.ts (npm run bench:media)", deadlineMs: DEADLINE_MS, main });
