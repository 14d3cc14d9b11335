/**
 * One ffmpeg run of a composite recording, for one fixed set of members: every producer arrives
 * over its own RtpIngest, all listed in one SDP; the filter graph lays them out and mixes the
 * audio; libx264 + AAC go to the segment muxer as fragmented mp4. The member set is fixed per run
 * because an ffmpeg filter graph cannot gain inputs while running: the CompositeRecorder ends this
 * run and starts another when members come or go.
 */
import type { ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CompositeOptions } from "@parley/shared";
import type { types } from "mediasoup";
import type { RtmpOutput } from "../outbound/pinned-rtmp.js";
import { filterGraph, followsSpeaker, speakerCommands } from "./composite-layout.js";
import { type FfmpegLauncher, stopGracefully } from "./ffmpeg-process.js";
import { boundUdpPorts, type PortPairs } from "./ports.js";
import { type FfmpegProgress, flvOutputArgs, PROGRESS_ARGS, watchProgress } from "./rtmp-output.js";
import { RtpIngest, sdpForIngests } from "./rtp-ingest.js";
import { runWatermarks, type WatermarkAsset } from "./watermarks.js";

export interface CompositeRunEvents {
  exit: [info: { code: number | null; stderr: string }];
}

export interface CompositeRunOptions {
  router: types.Router;
  /** Video tiles follow this order (the first is the speaker / single member). */
  producers: types.Producer[];
  options: CompositeOptions;
  assets: WatermarkAsset[];
  dir: string;
  stem: string;
  startNumber: number;
  segmentSeconds: number;
  ports: PortPairs;
  ffmpeg: FfmpegLauncher;
  /** RTMP push (rtmp-push.ts): FLV to this URL instead of mp4 segments; `onFrames` hears ffmpeg's progress. */
  rtmp?: { output: RtmpOutput; onFrames: (frames: number) => void };
  /** Hears ffmpeg's progress twice a second (the recording benchmark reads its speed). */
  onProgress?: (progress: FfmpegProgress) => void;
  /** Speaker layout: the member whose video starts in the main tile (else the first video). */
  speaker?: string;
}

const STOP_TIMEOUT_MS = 8000;
/** Keyframe asks after start: the decoder (and so the whole graph) waits for each video's first one. */
const KEYFRAME_RETRIES_MS = [300, 1000, 2000, 4000];

export class CompositeRun extends EventEmitter<CompositeRunEvents> {
  readonly #ffmpeg: ChildProcess;
  readonly #ingests: RtpIngest[];
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #ended: Promise<void>;
  /** Speaker layout: the members of the video tiles' inputs, in input order, and who is in the main tile. */
  readonly #videoMembers: (string | undefined)[];
  /** The main tile's video in the graph as started, and as wanted now. */
  readonly #startSpeaker: number;
  #speaker: number;
  /** ffmpeg builds its filter graph only once every input has a frame; a command sent earlier is dropped. */
  #graphUp = false;
  #stderr = "";
  #stopping: Promise<void> | undefined;

  private constructor(ffmpeg: ChildProcess, ingests: RtpIngest[], speaker: number) {
    super();
    this.#ffmpeg = ffmpeg;
    this.#ingests = ingests;
    this.#videoMembers = ingests.filter((i) => i.kind === "video").map((i) => i.member);
    this.#speaker = speaker;
    this.#startSpeaker = speaker;
    // A command written as ffmpeg exits must not crash the node.
    ffmpeg.stdin?.on("error", () => undefined);
    ffmpeg.stderr?.on("data", (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString("utf8")).slice(-4000);
    });
    this.#ended = new Promise((resolve) => {
      ffmpeg.once("exit", (code) => {
        for (const t of this.#timers) clearTimeout(t);
        for (const i of this.#ingests) i.close();
        this.emit("exit", { code, stderr: this.#stderr });
        resolve();
      });
    });
  }

  static async start(o: CompositeRunOptions): Promise<CompositeRun> {
    const live = o.producers.filter((p) => !p.closed);
    // Layout "single" shows the first tile only, so the chosen member goes first.
    const first = (p: types.Producer) => (o.options.single !== undefined && p.appData.member === o.options.single ? 0 : 1);
    const videos = live.filter((p) => p.kind === "video").sort((x, y) => first(x) - first(y));
    const ordered = [...videos, ...live.filter((p) => p.kind === "audio")];
    const ingests: RtpIngest[] = [];
    try {
      for (const p of ordered) ingests.push(await RtpIngest.open(o.router, p, o.ports));
      const videoMembers = ingests.filter((i) => i.kind === "video").map((i) => i.member);
      const speaker = Math.max(0, o.speaker === undefined ? 0 : videoMembers.indexOf(o.speaker));
      const live = followsSpeaker(o.options.layout, videoMembers.length);
      const args = await CompositeRun.#args(o, ingests, live ? speaker : undefined);
      // The speaker layout takes filter commands on stdin (ffmpeg's interactive `c` key), and
      // watches progress to know when its graph is up.
      const progress = o.rtmp || o.onProgress || live;
      const ffmpeg = o.ffmpeg.spawn(args, [live ? "pipe" : "ignore", progress ? "pipe" : "ignore", "pipe"]);
      const run = new CompositeRun(ffmpeg, ingests, speaker);
      watchProgress(ffmpeg.stdout, (p) => {
        o.rtmp?.onFrames(p.frame);
        o.onProgress?.(p);
        if (p.frame > 0) run.#graphRunning();
      });
      await run.#waitListening();
      for (const i of ingests) await i.start();
      for (const ms of KEYFRAME_RETRIES_MS) {
        const t = setTimeout(() => {
          for (const i of ingests) if (i.kind === "video") i.keyframe();
        }, ms);
        t.unref();
        run.#timers.push(t);
      }
      return run;
    } catch (error) {
      for (const i of ingests) i.close();
      throw error;
    }
  }

  static async #args(o: CompositeRunOptions, ingests: RtpIngest[], speaker: number | undefined): Promise<string[]> {
    const hasSdp = ingests.length > 0;
    const sdpPath = join(o.dir, `${o.stem}.sdp`);
    if (hasSdp) await writeFile(sdpPath, sdpForIngests(ingests));
    const { watermarks, images } = await runWatermarks(o.assets, o.dir, Date.now() / 1000, hasSdp ? 1 : 0);
    const graph = filterGraph(
      o.options,
      {
        video: ingests.flatMap((ing, idx) => (ing.kind === "video" ? [idx] : [])),
        audio: ingests.flatMap((ing, idx) => (ing.kind === "audio" ? [idx] : [])),
        hasSdp,
        ...(speaker === undefined ? {} : { speaker }),
      },
      watermarks,
    );
    const { fps, videoBitrate, audioBitrate } = o.options;
    const input = [
      ...["-hide_banner", ...(speaker === undefined ? ["-nostdin"] : []), "-loglevel", "warning"],
      ...(o.rtmp || o.onProgress || speaker !== undefined ? PROGRESS_ARGS : []),
      ...(hasSdp ? ["-protocol_whitelist", "file,udp,rtp", "-reorder_queue_size", "256", "-i", sdpPath] : []),
      ...images.flatMap((file) => ["-loop", "1", "-i", file]),
      ...["-filter_complex", graph, "-map", "[vout]", "-map", "[aout]"],
    ];
    if (o.rtmp) return [...input, ...flvOutputArgs(o.rtmp.output, { fps, videoKbps: videoBitrate, audioKbps: audioBitrate })];
    return [
      ...input,
      ...["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-r", String(fps)],
      ...["-b:v", `${videoBitrate}k`, "-maxrate", `${videoBitrate}k`, "-bufsize", `${videoBitrate * 2}k`],
      // A keyframe at every segment boundary, so each segment is cut exactly and starts decodable.
      ...["-g", String(fps * 2), "-force_key_frames", `expr:gte(t,n_forced*${o.segmentSeconds})`],
      ...["-c:a", "aac", "-b:a", `${audioBitrate}k`, "-ar", "48000", "-ac", "2"],
      ...["-f", "segment", "-segment_time", String(o.segmentSeconds), "-segment_start_number", String(o.startNumber)],
      // Fragmented mp4: the moov is written first and every fragment is self-contained, so a segment
      // cut short by a crash or SIGKILL still plays up to its last fragment (a plain mp4 would not).
      ...["-segment_format", "mp4", "-segment_format_options", "movflags=+frag_keyframe+empty_moov+default_base_moof"],
      ...["-reset_timestamps", "1", "-segment_list", join(o.dir, `${o.stem}.list`), "-segment_list_type", "csv"],
      join(o.dir, `${o.stem}-%05d.mp4`),
    ];
  }

  get members(): number {
    return this.#ingests.length;
  }

  /** The ffmpeg process id (the benchmark reads its CPU time from /proc). */
  get pid(): number | undefined {
    return this.#ffmpeg.pid;
  }

  /**
   * Speaker layout: puts `member`'s video in the main tile of the running graph. False when this
   * run has no video of theirs, or does not follow the speaker.
   */
  showSpeaker(member: string): boolean {
    const index = this.#videoMembers.indexOf(member);
    const stdin = this.#ffmpeg.stdin;
    if (index < 0 || !stdin || stdin.destroyed || this.#stopping) return false;
    if (index !== this.#speaker) {
      this.#speaker = index;
      if (this.#graphUp) this.#sendSpeaker();
    }
    return true;
  }

  #graphRunning(): void {
    if (this.#graphUp) return;
    this.#graphUp = true;
    if (this.#speaker !== this.#startSpeaker) this.#sendSpeaker();
  }

  #sendSpeaker(): void {
    const stdin = this.#ffmpeg.stdin;
    if (!stdin || stdin.destroyed) return;
    // ffmpeg reads one key per 100 ms, then the rest of that line: the tiles switch within a few tenths of a second.
    for (const command of speakerCommands(this.#videoMembers.length, this.#speaker)) stdin.write(`c${command}\n`);
  }

  /** One SIGINT closes the open segment properly; a second would abort mid-write, hence idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= stopGracefully(this.#ffmpeg, this.#ended, STOP_TIMEOUT_MS);
    return this.#stopping;
  }

  async #waitListening(): Promise<void> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (this.#ffmpeg.exitCode !== null) throw new Error(`ffmpeg exited at start: ${this.#stderr.trim().slice(-500)}`);
      const bound = boundUdpPorts();
      if (this.#ingests.every((i) => i.listening(bound))) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    void this.stop();
    throw new Error("ffmpeg did not open its RTP ports within 5 s");
  }
}
