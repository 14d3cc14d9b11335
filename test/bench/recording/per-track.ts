/**
 * Per-track recording capacity: N TrackRecorders (the node's own class: PlainTransport → consumer →
 * one ffmpeg remuxing to the spool) on the clip members' producers, half audio and half video. N
 * ramps; a step holds when every output's media duration is within the tolerance of its wall time,
 * the recorders' sockets dropped nothing during the window, and the mediasoup worker plus every
 * recorder ffmpeg used at most the CPU limit of one core.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { types } from "mediasoup";
import { FfmpegLauncher } from "../../../media-fleet/src/ffmpeg/ffmpeg-process.js";
import { PortPairs } from "../../../media-fleet/src/ffmpeg/ports.js";
import { TrackRecorder } from "../../../media-fleet/src/recording/track-recorder.js";
import { pooled, round } from "../stats.js";
import { folderSeconds } from "./probe.js";
import { CpuMeter, childrenNamed, MachineMeter, pssMiB, udpDrops } from "./proc.js";
import type { ClipMember } from "./sources.js";

export interface PerTrackSettings {
  steps: number[];
  settleMs: number;
  windowMs: number;
  maxCpuPercent: number;
  maxDurationError: number;
  ports: { min: number; max: number };
  startConcurrency: number;
  budgetMs: number;
}

export interface PerTrackStep {
  streams: number;
  /** mediasoup worker + recorder ffmpegs, % of one core. */
  cpuPercent: number;
  workerPercent: number;
  ffmpegPercent: number;
  cpuPercentPerStream: number;
  /** Datagrams the kernel dropped on recorder sockets during the window. */
  socketDrops: number;
  /** Memory of the recorder ffmpegs together (PSS), MiB, at the end of the window. */
  ffmpegPssMiB: number;
  /** Every process on the machine (others' work included), % of all cores, over the same window. */
  machinePercent: number;
  /** Media duration / wall time from consumer resume to stop, over all outputs. */
  durationRatio: { min: number; max: number };
  outputsOff: number;
  withinLimits: boolean;
  startSeconds: number;
}

const log = (msg: string) => process.stderr.write(`[per-track] ${msg}\n`);

export async function measurePerTrack(
  s: PerTrackSettings,
  env: { router: types.Router; worker: types.Worker; members: ClipMember[]; dir: string; sourcePids: number[] },
): Promise<PerTrackStep[]> {
  const ports = new PortPairs(s.ports.min, s.ports.max);
  const steps: PerTrackStep[] = [];
  const started = performance.now();
  for (const n of s.steps) {
    if (performance.now() - started > s.budgetMs) {
      log(`budget spent; stopping before ${n} streams`);
      break;
    }
    const root = join(env.dir, `tracks-${n}`);
    await mkdir(root, { recursive: true });
    const t0 = performance.now();
    const recorders = await pooled(
      Array.from({ length: n }, (_, i) => i),
      s.startConcurrency,
      async (i) => {
        const member = env.members[Math.floor(i / 2) % env.members.length]!;
        const producer = i % 2 === 0 ? member.video : member.audio;
        const recorder = await TrackRecorder.start({
          router: env.router,
          producer,
          root,
          info: { producerId: `s${i}`, kind: producer.kind, dir: `s${i}`, stem: "track" },
          segmentSeconds: 3600,
          ports,
          ffmpeg: new FfmpegLauncher("ffmpeg"),
        });
        if (!recorder) throw new Error(`codec of ${producer.kind} cannot be recorded`);
        return recorder;
      },
    );
    const startSeconds = (performance.now() - t0) / 1000;
    await sleep(s.settleMs);
    const pids = () => [env.worker.pid, ...childrenNamed("ffmpeg").filter((p) => !env.sourcePids.includes(p))];
    const worker = new CpuMeter();
    const ffmpegs = new CpuMeter();
    worker.start([env.worker.pid]);
    ffmpegs.start(pids().slice(1));
    const machine = new MachineMeter();
    machine.start();
    const drops0 = udpDrops(s.ports.min, s.ports.max);
    for (let waited = 0; waited < s.windowMs; waited += 1000) {
      await sleep(Math.min(1000, s.windowMs - waited));
      ffmpegs.sample(pids().slice(1));
    }
    worker.sample([env.worker.pid]);
    const ffmpegPssMiB = pssMiB(pids().slice(1));
    const machinePercent = machine.percent();
    const socketDrops = udpDrops(s.ports.min, s.ports.max) - drops0;
    const stoppedAt = Date.now();
    await Promise.all(recorders.map((r) => r.stop()));
    const ratios = await pooled(recorders, 2, async (r) => {
      const wall = (stoppedAt - (r.info.startedAt ?? stoppedAt)) / 1000;
      const media = await folderSeconds(join(root, r.info.dir), /^track-\d+\.(ogg|webm)$/);
      return wall > 0 ? media / wall : 0;
    });
    await rm(root, { recursive: true, force: true });
    const workerPercent = worker.percentOfOneCore();
    const ffmpegPercent = ffmpegs.percentOfOneCore();
    const cpuPercent = workerPercent + ffmpegPercent;
    const outputsOff = ratios.filter((r) => Math.abs(r - 1) > s.maxDurationError).length;
    const step: PerTrackStep = {
      streams: n,
      cpuPercent: round(cpuPercent, 1),
      workerPercent: round(workerPercent, 1),
      ffmpegPercent: round(ffmpegPercent, 1),
      cpuPercentPerStream: round(cpuPercent / n, 3),
      socketDrops,
      ffmpegPssMiB: Math.round(ffmpegPssMiB),
      machinePercent: round(machinePercent, 1),
      durationRatio: { min: round(Math.min(...ratios), 3), max: round(Math.max(...ratios), 3) },
      outputsOff,
      withinLimits: outputsOff === 0 && socketDrops === 0 && cpuPercent <= s.maxCpuPercent,
      startSeconds: round(startSeconds, 2),
    };
    log(JSON.stringify(step));
    steps.push(step);
    if (!step.withinLimits && n > 1) break;
  }
  return steps;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
