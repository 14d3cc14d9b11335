/**
 * Composite capacity: K concurrent CompositeRuns (the node's own class: an RtpIngest per producer,
 * one ffmpeg decoding, laying out 640×480 and encoding H.264 + AAC to fragmented mp4), each of a
 * two-member call (two videos, two audios). Every composite ffmpeg is pinned to one core with
 * taskset, so "K per core" is read directly. Each ffmpeg reports progress on a pipe; its real-time
 * speed over the window is Δ media time out / Δ wall time, and ffmpeg's own `speed=` (media time /
 * wall time since it started) is reported beside it but not used: with live RTP input it reads
 * above 1.0 (not investigated; its out_time evidently does not start at ffmpeg's own start). A
 * window in which a composite is still catching up after its start is measured again.
 */
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CompositeOptions } from "@parley/shared";
import type { types } from "mediasoup";
import { CompositeRun } from "../../../media-fleet/src/composite/composite-run.js";
import { FfmpegLauncher } from "../../../media-fleet/src/ffmpeg/ffmpeg-process.js";
import type { FfmpegProgress } from "../../../media-fleet/src/ffmpeg/ffmpeg-progress.js";
import { PortPairs } from "../../../media-fleet/src/ffmpeg/ports.js";
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
  /** Above this media-out/wall a composite is still catching up: measure again (up to maxCatchUpWindows). */
  catchUpSpeed: number;
  maxCatchUpWindows: number;
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
  /** Extra windows measured because a composite was still catching up after its start. */
  catchUpWindows: number;
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
          ffmpeg: new FfmpegLauncher(pinned),
          onProgress,
        });
      }),
    );
    await sleep(s.settleMs);
    const pids = runs.flatMap((r) => (r.pid === undefined ? [] : [r.pid]));
    // A composite still catching up after its start (media out faster than the wall) is not in its
    // steady state yet: measure another window, a few times at most.
    let window = await measureWindow(s, pids, latest);
    let catchUpWindows = 0;
    while (Math.max(...window.speeds) > s.catchUpSpeed && catchUpWindows < s.maxCatchUpWindows) {
      catchUpWindows++;
      window = await measureWindow(s, pids, latest);
    }
    const { speeds: windowSpeeds, last, cpuPercent, machinePercent, socketDrops } = window;
    const wall = (Date.now() - startedAt) / 1000;
    await Promise.all(runs.map((r) => r.stop()));
    const outputRatios: number[] = [];
    for (let i = 0; i < k; i++) {
      const dir = join(env.dir, `composite-${k}-${i}`);
      outputRatios.push((await folderSeconds(dir, /^composite-\d+\.mp4$/)) / wall);
      await rm(dir, { recursive: true, force: true });
    }
    const ffmpegSpeeds = last.map((l) => l?.speed ?? 0);
    const step: CompositeStep = {
      composites: k,
      windowSpeed: { min: round(Math.min(...windowSpeeds), 3), max: round(Math.max(...windowSpeeds), 3) },
      ffmpegSpeed: { min: round(Math.min(...ffmpegSpeeds), 3), max: round(Math.max(...ffmpegSpeeds), 3) },
      cpuPercent: round(cpuPercent, 1),
      cpuPercentPerComposite: round(cpuPercent / k, 1),
      socketDrops,
      catchUpWindows,
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

/** One window: each composite's media out / wall from its progress reports, CPU of the pinned ffmpegs, drops. */
async function measureWindow(s: CompositeSettings, pids: number[], latest: (Sample | undefined)[]) {
  const meter = new CpuMeter();
  meter.start(pids);
  const machine = new MachineMeter();
  machine.start();
  const drops0 = udpDrops(s.ports.min, s.ports.max);
  const first = [...latest];
  await sleep(s.windowMs);
  meter.sample(pids);
  const last = [...latest];
  const speeds = first.map((f, i) => {
    const l = last[i];
    // No progress at all, or none during the window: the composite is not running in real time.
    if (!f || !l || l.at <= f.at) return 0;
    return (l.outTimeMs - f.outTimeMs) / (l.at - f.at);
  });
  return {
    speeds,
    last,
    cpuPercent: meter.percentOfOneCore(),
    machinePercent: machine.percent(),
    socketDrops: udpDrops(s.ports.min, s.ports.max) - drops0,
  };
}
