/**
 * The media benchmark proper (imported by ../media.ts once MEDIASOUP_WORKER_BIN is set).
 * `--only=forwarding|meeting|join` (comma-separated) runs only those parts. A benchmark informs; it never fails on figures.
 */
import os from "node:os";
import { version as MEDIASOUP_VERSION } from "mediasoup";
import { runBenchmark } from "../run.js";
import { round } from "../stats.js";
import { compareLanes, ratio } from "./compare.js";
import { type ForwardingSettings, measureForwarding } from "./forwarding.js";
import { type JoinSettings, measureJoins } from "./join.js";
import { type MeetingSettings, measureMeeting, projectConsumersPerCore } from "./meeting.js";

const JOIN: JoinSettings = {
  joins: 20,
  gapMs: 1200,
  warmupJoins: 2,
  pollMs: 20,
  firstFrameTimeoutMs: 15_000,
  publisher: { width: 640, height: 360, fps: 15, audio: true },
};

const FORWARDING: ForwardingSettings = {
  steps: [1, 100, 200, 400, 600, 800, 1000, 1200, 1500, 2000, 2500, 3000],
  // 15 fps, 3 packets per frame and a 12-packet keyframe every 2 s: ~50 packets/s of 1200 bytes ≈ 480 kbps of RTP.
  publisher: { fps: 15, packetBytes: 1200, packetsPerFrame: 3, packetsPerKeyFrame: 12, keyFrameIntervalMs: 2000 },
  srtp: true,
  sinkSockets: 8,
  sinkReceiveBufferBytes: 4 * 1024 * 1024,
  settleMs: 1000,
  windowMs: 5000,
  maxCpuPercent: 80,
  maxLossPercent: 0.1,
  minDeliveryPercent: 90,
  lossAttempts: 3,
  createConcurrency: 32,
  budgetMs: 420_000,
};

const MEETING: MeetingSettings = {
  publishers: 10,
  // One synthetic camera shared by the publishers (each encodes it). Small, because every subscriber
  // decodes all 10 streams in this process, which bounds the ramp long before the worker does.
  video: { width: 160, height: 120, fps: 15 },
  subscriberSteps: [1, 5, 10, 15, 20, 30, 40, 60, 80, 100, 125],
  settleMs: 1000,
  windowMs: 5000,
  maxCpuPercent: 80,
  maxLossPercent: 0.1,
  minDeliveryPercent: 90,
  lossAttempts: 2,
  abortLossPercent: 10,
  createConcurrency: 8,
  budgetMs: 360_000,
};

/** The projection of meeting capacity uses steps with at most this loss. */
const MEETING_PROJECTION_LOSS_PERCENT = 2;

function meetingSteps(meeting: Awaited<ReturnType<typeof measureMeeting>>, side: "bare" | "parley") {
  return meeting.lanes.find((l) => l.side === side)?.steps ?? [];
}

const GOALS = {
  forwardingParleyOverBare: 0.9,
  meetingConsumersPerCore: 1000,
  meetingBareReference: 1250,
  joinFirstFrameP50Ms: 250,
  joinParleyOverMinimalApp: 1.2,
} as const;

function withGoal<T>(
  report: T,
  goal: (report: T) => { goal: string; meetsGoal: boolean },
): T & { result: { goal: string; meetsGoal: boolean } } {
  return { ...report, result: goal(report) };
}
const DEADLINE_MS = 900_000;

const PARTS = ["forwarding", "meeting", "join"] as const;
type Part = (typeof PARTS)[number];

function selectedParts(): Set<Part> {
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  if (!only) return new Set(PARTS);
  const parts = only.split(",");
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`--only takes ${PARTS.join(", ")} (comma-separated); not ${unknown.join(", ")}`);
  return new Set(parts as Part[]);
}

async function main(): Promise<unknown> {
  const parts = selectedParts();
  const startedAt = performance.now();
  const loadAverageAtStart = os.loadavg();
  const joins = parts.has("join") ? await measureJoins(JOIN) : null;
  const forwarding = parts.has("forwarding") ? await measureForwarding(FORWARDING) : null;
  const meeting = parts.has("meeting") ? await measureMeeting(MEETING) : null;

  return {
    benchmark: "media",
    environment: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      mediasoup: MEDIASOUP_VERSION,
      workerBin: process.env.MEDIASOUP_WORKER_BIN,
      /** Other work on the machine skews the figures (see the steps' machinePercent too); ratios in one run are the point. */
      loadAverageAtStart: loadAverageAtStart.map((l) => round(l, 2)),
      loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)),
      note: "edge, media workers, bots, RTP publisher and sinks all share this machine's cores and 127.0.0.1",
    },
    joins: joins && {
      settings: JOIN,
      measurement:
        `Parley: from calling Room.connect (token already minted) to the first getQuality() report with a received video track ` +
        `whose framesDecoded > 0. Minimal app: from opening its WebSocket to the first receive-transport stats report with an ` +
        `inbound video stream whose framesDecoded > 0. Both poll every ${JOIN.pollMs} ms after the previous poll returns; ` +
        `joins alternate between the two`,
      ...joins,
      ratios: {
        /** Parley ÷ the minimal mediasoup app, same run, same clients. */
        firstFrameP50ParleyOverMinimalApp: ratio(joins.parley.joinToFirstFrameMs.p50, joins.minimalApp.joinToFirstFrameMs.p50),
        firstFrameP99ParleyOverMinimalApp: ratio(joins.parley.joinToFirstFrameMs.p99, joins.minimalApp.joinToFirstFrameMs.p99),
        /** Parley's media join ÷ its signalling-only join. */
        firstFrameP50OverSignallingP50: ratio(joins.parley.joinToFirstFrameMs.p50, joins.parley.signallingOnlyJoinMs.p50),
      },
      goals: {
        parleyFirstFrameP50Ms: GOALS.joinFirstFrameP50Ms,
        parleyOverMinimalApp: GOALS.joinParleyOverMinimalApp,
        meetsP50: joins.parley.joinToFirstFrameMs.p50 <= GOALS.joinFirstFrameP50Ms,
        meetsRatio: joins.parley.joinToFirstFrameMs.p50 <= GOALS.joinParleyOverMinimalApp * joins.minimalApp.joinToFirstFrameMs.p50,
      },
    },
    forwarding: forwarding && {
      settings: FORWARDING,
      shape:
        "one producer, N consumers each on its own PlainTransport, bare mediasoup and Parley's room measured alternately at every step",
      publisher: "Node UDP sender replaying VP8-shaped RTP (payload descriptor with 15-bit picture id, keyframes on PLI/FIR and every 2 s)",
      consumers: `each on its own PlainTransport (comedia off, rtcp-mux${FORWARDING.srtp ? ", SRTP AES_CM_128_HMAC_SHA1_80" : ""}) → UDP sinks in this process`,
      cpu: "worker: getResourceUsage ru_utime+ru_stime delta / wall, % of one core; benchProcess: process.cpuUsage (publisher, sinks); machine: all cores",
      loss: "per consumer, gaps in its (contiguous, mediasoup-rewritten) sequence numbers over the window; a silent consumer loses all the publisher sent",
      ...withGoal(compareLanes(forwarding.lanes, FORWARDING), (c) => ({
        goal: `Parley ÷ bare ≥ ${GOALS.forwardingParleyOverBare} in consumers per core`,
        meetsGoal: (c.consumersPerCore.parleyOverBare ?? 0) >= GOALS.forwardingParleyOverBare,
      })),
      notes: [...forwarding.notes, ...forwarding.lanes.flatMap((l) => l.notes.map((n) => `${l.side}: ${n}`))],
    },
    meeting: meeting && {
      settings: MEETING,
      shape:
        `${MEETING.publishers} publishers and S WebRTC subscribers (mediasoup-client on @roamhq/wrtc, iceServers [], 127.0.0.1), ` +
        `each subscriber receiving all ${MEETING.publishers} video streams on its one receive transport; bare mediasoup and ` +
        `Parley's room measured alternately at every step (the idle side's publishers paused)`,
      loss: "from the subscribers' inbound-rtp stats over the window (packetsLost over packetsReceived + packetsLost); a step also fails when a subscriber stopped decoding a stream",
      ...withGoal(compareLanes(meeting.lanes, MEETING), (c) => ({
        goal: `Parley ≥ ${GOALS.meetingConsumersPerCore} consumers per core (bare mediasoup ~${GOALS.meetingBareReference} on this machine, by the issue)`,
        meetsGoal: c.consumersPerCore.parley >= GOALS.meetingConsumersPerCore,
      })),
      /** Where the measured ramp stops short (this process's decoding), each worker's own limit by projection. */
      projected: {
        lossAtMostPercent: MEETING_PROJECTION_LOSS_PERCENT,
        bare: projectConsumersPerCore(
          meetingSteps(meeting, "bare"),
          MEETING.maxCpuPercent,
          MEETING_PROJECTION_LOSS_PERCENT,
          MEETING.minDeliveryPercent,
        ),
        parley: projectConsumersPerCore(
          meetingSteps(meeting, "parley"),
          MEETING.maxCpuPercent,
          MEETING_PROJECTION_LOSS_PERCENT,
          MEETING.minDeliveryPercent,
        ),
      },
      notes: meeting.notes,
    },
    seconds: round((performance.now() - startedAt) / 1000, 1),
  };
}

await runBenchmark({ launcher: "test/bench/media.ts (npm run bench:media)", deadlineMs: DEADLINE_MS, main });
