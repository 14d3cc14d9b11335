/**
 * Composite capacity: K concurrent CompositeRuns (the node's own class: an RtpIngest per producer,
 * one ffmpeg decoding, laying out 640×480 and encoding H.264 + AAC to fragmented mp4), each of a
 * two-member call (two videos, two audios). Every composite ffmpeg is pinned to one core with
 * taskset, so "K per core" is read directly. Each ffmpeg reports progress on a pipe; its real-time
 * speed over the window is Δ media time out / Δ wall time, and ffmpeg's own `speed=` (media time /
 * wall time since it started, so including the wait for the first keyframe) is reported beside it.
 */
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CompositeOptions } from "@parley/shared";
import type { types } from "mediasoup";
import { CompositeRun } from "../../../media-fleet/src/recording/composite-run.js";
import { PortPairs } from "../../../media-fleet/src/recording/ports.js";
import type { FfmpegProgress } from "../../../media-fleet/src/recording/rtmp-output.js";
import { round } from "../stats.js";
import { folderSeconds } from "./probe.js";
import { CpuMeter, MachineMeter, udpDrops } from "./proc.js";
import type { ClipMember } from "./sources.js";

export interface CompositeSettings {
  steps: number[];
  canvas: { width: number; height: number; fps: number; videoBitrate: number };
  /** The core every composite ffmpeg is pinned to. */
  core: number;
  settleMs: number;
  windowMs: number;
  /** Real time: Δ media out / Δ wall over the window at least this (live input cannot run ahead of 1.0). */
  minSpeed: number;
  ports: { min: number; max: number };
  budgetMs: number;
}

export interface CompositeStep {
  composites: number;
  /** Per composite: media seconds out per wall second over the window. */
  windowSpeed: { min: number; max: number };
  /** Per composite: ffmpeg's last `speed=` (cumulative since it started). */
  ffmpegSpeed: { min: number; max: number };
  /** All composite ffmpegs together, % of the one core they are pinned to. */
  cpuPercent: number;
  cpuPercentPerComposite: number;
  socketDrops: number;
  /** Every process on the machine (others' work included), % of all cores, over the same window. */
  machinePercent: number;
  /** Per composite: ffprobe's media duration of what it wrote / wall time from its start to stop. */
  outputRatio: { min: number; max: number };
  withinLimits: boolean;
}

interface Sample {
  at: number;
  outTimeMs: number;
  speed: number;
}

const log = (msg: string) => process.stderr.write(`[composite] ${msg}\n`);

export async function measureComposites(
  s: CompositeSettings,
  env: { router: types.Router; members: ClipMember[]; dir: string },
): Promise<CompositeStep[]> {
  const ports = new PortPairs(s.ports.min, s.ports.max);
  const pinned = join(env.dir, "ffmpeg-pinned.sh");
  await writeFile(pinned, `#!/bin/sh\nexec taskset -c ${s.core} ffmpeg "$@"\n`);
  await chmod(pinned, 0o755);
  const options = CompositeOptions.parse({ layout: "grid", ...s.canvas, audioBitrate: 64 });
  const [a, b] = env.members as [ClipMember, ClipMember];
  const producers = [a.video, b.video, a.audio, b.audio];
  const steps: CompositeStep[] = [];
  const started = performance.now();
  for (const k of s.steps) {
    if (performance.now() - started > s.budgetMs) {
      log(`budget spent; stopping before ${k} composites`);
      break;
    }
    const latest: (Sample | undefined)[] = Array.from({ length: k }, () => undefined);
    const startedAt = Date.now();
    const runs = await Promise.all(
      Array.from({ length: k }, async (_, i) => {
        const dir = join(env.dir, `composite-${k}-${i}`);
        await mkdir(dir, { recursive: true });
        const onProgress = (p: FfmpegProgress) => {
          latest[i] = { at: performance.now(), outTimeMs: p.outTimeMs, speed: p.speed };
        };
        return CompositeRun.start({
          router: env.router,
          producers,
          options,
          assets: [],
          dir,
          stem: "composite",
          startNumber: 0,
          segmentSeconds: 3600,
          ports,
          ffmpegPath: pinned,
          onProgress,
        });
      }),
    );
    await sleep(s.settleMs);
    const meter = new CpuMeter();
    const pids = runs.flatMap((r) => (r.pid === undefined ? [] : [r.pid]));
    meter.start(pids);
    const machine = new MachineMeter();
    machine.start();
    const drops0 = udpDrops(s.ports.min, s.ports.max);
    const first = [...latest];
    await sleep(s.windowMs);
    meter.sample(pids);
    const machinePercent = machine.percent();
    const socketDrops = udpDrops(s.ports.min, s.ports.max) - drops0;
    const last = [...latest];
    const wall = (Date.now() - startedAt) / 1000;
    await Promise.all(runs.map((r) => r.stop()));
    const outputRatios: number[] = [];
    for (let i = 0; i < k; i++) {
      const dir = join(env.dir, `composite-${k}-${i}`);
      outputRatios.push((await folderSeconds(dir, /^composite-\d+\.mp4$/)) / wall);
      await rm(dir, { recursive: true, force: true });
    }
    const windowSpeeds = first.map((f, i) => {
      const l = last[i];
      // No progress at all, or none during the window: the composite is not running in real time.
      if (!f || !l || l.at <= f.at) return 0;
      return (l.outTimeMs - f.outTimeMs) / (l.at - f.at);
    });
    const ffmpegSpeeds = last.map((l) => l?.speed ?? 0);
    const cpuPercent = meter.percentOfOneCore();
    const step: CompositeStep = {
      composites: k,
      windowSpeed: { min: round(Math.min(...windowSpeeds), 3), max: round(Math.max(...windowSpeeds), 3) },
      ffmpegSpeed: { min: round(Math.min(...ffmpegSpeeds), 3), max: round(Math.max(...ffmpegSpeeds), 3) },
      cpuPercent: round(cpuPercent, 1),
      cpuPercentPerComposite: round(cpuPercent / k, 1),
      socketDrops,
      machinePercent: round(machinePercent, 1),
      outputRatio: { min: round(Math.min(...outputRatios), 3), max: round(Math.max(...outputRatios), 3) },
      withinLimits: Math.min(...windowSpeeds) >= s.minSpeed && socketDrops === 0,
    };
    log(JSON.stringify(step));
    steps.push(step);
    if (!step.withinLimits && k > 1) break;
  }
  return steps;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
