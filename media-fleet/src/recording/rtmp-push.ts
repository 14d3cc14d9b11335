/**
 * RTMP push (issue 4): a member's camera + microphone, or the room's composite, encoded live and
 * published to an RTMP(S) URL. Member pushes consume the member's first video and first audio
 * producer over RtpIngests (a missing one is replaced by black video / silence, since streaming
 * services want both); composite pushes reuse CompositeRun with FLV output instead of segments.
 *
 * One ffmpeg per push. Like the composite recorder, the push restarts ffmpeg ("rolls") when the
 * producers it shows change, and when ffmpeg dies on its own (the server dropped or refused the
 * connection) it reconnects with a backoff, giving up ("failed") after MAX_RETRIES in a row. Stop
 * sends SIGINT (ffmpeg flushes and closes the FLV stream), SIGKILL after 5 s. The URL carries the
 * stream key: it is never logged or reported, only its host.
 */
import type { ChildProcess } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CompositeOptions, type RtmpState, type RtmpStatus, type StartRtmpRequest } from "@parley/shared";
import type { types } from "mediasoup";
import type { Logger } from "../logger.js";
import { type RtmpOutput, rtmpOutput } from "../outbound/pinned-rtmp.js";
import { CompositeRun } from "./composite-run.js";
import { type FfmpegLauncher, stopGracefully } from "./ffmpeg-process.js";
import { boundUdpPorts, type PortPairs } from "./ports.js";
import { flvOutputArgs, PROGRESS_ARGS, redactRtmpUrl, scrubUrl, watchProgress } from "./rtmp-output.js";
import { RtpIngest, sdpForIngests } from "./rtp-ingest.js";
import { SpeakerFollower } from "./speaker-follower.js";
import { prepareWatermarks, type WatermarkAsset } from "./watermarks.js";

export interface RtmpPushDeps {
  router: types.Router;
  /** The room's producers now. */
  producers: () => types.Producer[];
  ports: PortPairs;
  ffmpeg: FfmpegLauncher;
  /** A private work folder (SDP, watermark files); removed when the push ends. */
  dir: string;
  logger: Logger;
  /** Hears every state change: live, back to starting for a reconnect, and the end (stopped or failed). */
  onState?: (status: RtmpStatus) => void;
}

/** Member pushes: kbit/s of the re-encoded camera and microphone. */
export const MEMBER_VIDEO_KBPS = 2500;
export const MEMBER_AUDIO_KBPS = 128;
const STOP_TIMEOUT_MS = 5000;
const ROLL_DEBOUNCE_MS = 800;
const MAX_RETRIES = 5;
const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 15_000;
/** A run that stayed live this long resets the retry count (a drop after hours is not a bad URL). */
const HEALTHY_RUN_MS = 30_000;
const KEYFRAME_RETRIES_MS = [300, 1000, 2000, 4000];

/** One running ffmpeg (member or composite pipeline). */
interface Run {
  exited: Promise<{ code: number | null; stderr: string }>;
  stop(): Promise<void>;
  /** Composite runs: puts the member in the speaker layout's main tile (CompositeRun.showSpeaker). */
  showSpeaker?(member: string): void;
}

type Source = { kind: "member"; member: string } | { kind: "composite"; composite: CompositeOptions };

export class RtmpPush {
  readonly id: string;
  readonly room: string;
  readonly #url: string;
  readonly #source: Source;
  readonly #deps: RtmpPushDeps;
  readonly startedAt = Date.now();
  #state: RtmpState = "starting";
  #error: string | undefined;
  #endedAt: number | undefined;
  #assets: WatermarkAsset[] = [];
  #run: Run | undefined;
  #runLiveAt: number | undefined;
  #shown = "";
  #retries = 0;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;
  /** Composite pushes in the speaker layout: the debounced active speaker, as the composite recording follows it. */
  readonly #speaker = new SpeakerFollower((member) => this.#run?.showSpeaker?.(member));

  private constructor(room: string, request: StartRtmpRequest, deps: RtmpPushDeps) {
    this.id = request.pushId;
    this.room = room;
    this.#url = request.url;
    this.#source =
      request.source.kind === "member"
        ? { kind: "member", member: request.source.member }
        : { kind: "composite", composite: CompositeOptions.parse(request.source.composite ?? {}) };
    this.#deps = deps;
  }

  /** Starts the first run (the caller checked the source exists); the push is "starting" until frames flow. */
  static async start(room: string, request: StartRtmpRequest, deps: RtmpPushDeps): Promise<RtmpPush> {
    const push = new RtmpPush(room, request, deps);
    await mkdir(deps.dir, { recursive: true, mode: 0o700 });
    if (push.#source.kind === "composite") push.#assets = await prepareWatermarks(push.#source.composite, deps.dir, deps.ffmpeg.path);
    push.#shown = push.#key();
    try {
      await push.#launch();
    } catch (error) {
      await rm(deps.dir, { recursive: true, force: true });
      throw error;
    }
    deps.logger.info({ room, push: push.id, host: redactRtmpUrl(push.#url), source: push.#source.kind }, "rtmp push started");
    return push;
  }

  /** The member's (or room's) producers that this push shows. */
  #producers(): types.Producer[] {
    const all = this.#deps.producers().filter((p) => !p.closed);
    if (this.#source.kind === "composite") return all;
    const member = this.#source.member;
    const mine = all.filter((p) => p.appData.member === member);
    return [mine.find((p) => p.kind === "video"), mine.find((p) => p.kind === "audio")].filter((p): p is types.Producer => !!p);
  }

  #key(): string {
    return this.#producers()
      .map((p) => p.id)
      .sort()
      .join(",");
  }

  /** The room's producers changed: roll if this push's set did. */
  producersChanged(): void {
    if (this.#stopping || this.#key() === this.#shown) return;
    this.#schedule(ROLL_DEBOUNCE_MS);
  }

  /** The room's active speaker changed (composite pushes in the speaker layout only; debounced). */
  speakerChanged(member: string): void {
    if (this.#source.kind === "composite" && this.#source.composite.layout === "speaker" && !this.#stopping) this.#speaker.speaking(member);
  }

  status(): RtmpStatus {
    return {
      pushId: this.id,
      room: this.room,
      state: this.#state,
      startedAt: this.startedAt,
      ...(this.#endedAt === undefined ? {} : { endedAt: this.#endedAt }),
      ...(this.#error === undefined ? {} : { error: this.#error.slice(0, 500) }),
    };
  }

  get ended(): boolean {
    return this.#state === "stopped" || this.#state === "failed";
  }

  stop(reason?: string): Promise<void> {
    this.#stopping ??= (async () => {
      clearTimeout(this.#timer);
      this.#speaker.close();
      await this.#chain;
      await this.#run?.stop();
      this.#run = undefined;
      if (reason && this.#state !== "failed") this.#error = reason;
      this.#endedAt = Date.now();
      this.#setState(this.#state === "failed" ? "failed" : "stopped", { always: true });
      await rm(this.#deps.dir, { recursive: true, force: true });
      this.#deps.logger.info({ room: this.room, push: this.id, state: this.#state, reason }, "rtmp push ended");
    })();
    return this.#stopping;
  }

  #setState(state: RtmpState, options: { always?: boolean } = {}): void {
    if (state === this.#state && !options.always) return;
    this.#state = state;
    this.#deps.onState?.(this.status());
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#chain = this.#chain.then(() => this.#roll()).catch((error: Error) => this.#failed(error.message));
    }, ms);
    this.#timer.unref();
  }

  async #roll(): Promise<void> {
    if (this.#stopping) return;
    const previous = this.#run;
    this.#run = undefined;
    await previous?.stop();
    if (this.#stopping) return;
    await this.#launch();
  }

  async #launch(): Promise<void> {
    const producers = this.#producers();
    this.#shown = producers
      .map((p) => p.id)
      .sort()
      .join(",");
    if (this.#source.kind === "member" && producers.length === 0) {
      void this.stop(`member ${this.#source.member} stopped publishing`);
      return;
    }
    this.#runLiveAt = undefined;
    // resolved and checked again for every run: a reconnect must not follow a changed DNS answer inward
    const output = await rtmpOutput(this.#url);
    const onFrames = (frames: number) => {
      if (frames > 0 && this.#runLiveAt === undefined && this.#run === run) {
        this.#runLiveAt = Date.now();
        if (!this.#stopping) this.#setState("live");
      }
    };
    let run: Run;
    if (this.#source.kind === "composite") {
      const composite = await CompositeRun.start({
        router: this.#deps.router,
        producers,
        options: this.#source.composite,
        assets: this.#assets,
        dir: this.#deps.dir,
        stem: "rtmp",
        startNumber: 0,
        segmentSeconds: 2,
        ports: this.#deps.ports,
        ffmpeg: this.#deps.ffmpeg,
        rtmp: { output, onFrames: (f) => onFrames(f) },
        ...(this.#speaker.current === undefined ? {} : { speaker: this.#speaker.current }),
      });
      run = {
        exited: new Promise((resolve) => composite.once("exit", resolve)),
        stop: () => composite.stop(),
        showSpeaker: (member) => composite.showSpeaker(member),
      };
    } else {
      run = await memberRun(this.#deps, producers, output, (f) => onFrames(f));
    }
    this.#run = run;
    void run.exited.then((exit) => {
      if (this.#run !== run || this.#stopping) return;
      this.#run = undefined;
      const healthy = this.#runLiveAt !== undefined && Date.now() - this.#runLiveAt >= HEALTHY_RUN_MS;
      if (healthy) this.#retries = 0;
      this.#failed(`ffmpeg exited with ${exit.code}: ${scrubUrl(exit.stderr.trim(), this.#url).slice(-300)}`);
    });
  }

  /** A run died or could not start: reconnect after a backoff, or give up. */
  #failed(message: string): void {
    if (this.#stopping) return;
    this.#retries++;
    this.#error = message;
    this.#deps.logger.warn(
      { room: this.room, push: this.id, host: redactRtmpUrl(this.#url), retries: this.#retries, err: message },
      "rtmp push dropped",
    );
    if (this.#retries > MAX_RETRIES) {
      this.#state = "failed"; // announced once stop() has ended it
      void this.stop();
      return;
    }
    this.#setState("starting");
    this.#schedule(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (this.#retries - 1)));
  }
}

/** ffmpeg for one member: its video and audio over RTP (black / silence standing in for a missing one). */
async function memberRun(
  deps: RtmpPushDeps,
  producers: types.Producer[],
  output: RtmpOutput,
  onFrames: (frames: number) => void,
): Promise<Run> {
  const { url } = output;
  const ordered = [...producers].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "video" ? -1 : 1));
  const ingests: RtpIngest[] = [];
  const timers: NodeJS.Timeout[] = [];
  let ffmpeg: ChildProcess | undefined;
  try {
    for (const p of ordered) ingests.push(await RtpIngest.open(deps.router, p, deps.ports));
    const sdpPath = join(deps.dir, "member.sdp");
    await writeFile(sdpPath, sdpForIngests(ingests));
    const hasVideo = ingests.some((i) => i.kind === "video");
    const hasAudio = ingests.some((i) => i.kind === "audio");
    let next = 1;
    const video = hasVideo ? "0:v:0" : `${next++}:v:0`;
    const audio = hasAudio ? "0:a:0" : `${next}:a:0`;
    const args = [
      ...["-hide_banner", "-nostdin", "-loglevel", "warning", ...PROGRESS_ARGS],
      ...["-protocol_whitelist", "file,udp,rtp", "-reorder_queue_size", "256", "-i", sdpPath],
      ...(hasVideo ? [] : ["-f", "lavfi", "-i", "color=c=black:s=640x360:r=15"]),
      ...(hasAudio ? [] : ["-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo"]),
      ...["-map", video, "-map", audio],
      ...flvOutputArgs(output, { videoKbps: MEMBER_VIDEO_KBPS, audioKbps: MEMBER_AUDIO_KBPS }),
    ];
    const child = deps.ffmpeg.spawn(args, ["ignore", "pipe", "pipe"]);
    ffmpeg = child;
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => {
      stderr = (stderr + c.toString("utf8")).slice(-4000);
    });
    watchProgress(child.stdout, (p) => onFrames(p.frame));
    const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
      child.once("exit", (code) => {
        for (const t of timers) clearTimeout(t);
        for (const i of ingests) i.close();
        resolve({ code, stderr });
      }),
    );
    const deadline = Date.now() + 5000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`ffmpeg exited at start: ${scrubUrl(stderr.trim(), url).slice(-300)}`);
      const bound = boundUdpPorts();
      if (ingests.every((i) => i.listening(bound))) break;
      if (Date.now() > deadline) throw new Error("ffmpeg did not open its RTP ports within 5 s");
      await new Promise((r) => setTimeout(r, 25));
    }
    for (const i of ingests) await i.start();
    for (const ms of KEYFRAME_RETRIES_MS) {
      const t = setTimeout(() => {
        for (const i of ingests) if (i.kind === "video") i.keyframe();
      }, ms);
      t.unref();
      timers.push(t);
    }
    let stopping: Promise<void> | undefined;
    return {
      exited,
      stop: () => (stopping ??= stopGracefully(child, exited, STOP_TIMEOUT_MS)),
    };
  } catch (error) {
    if (ffmpeg && ffmpeg.exitCode === null) ffmpeg.kill("SIGKILL");
    for (const t of timers) clearTimeout(t);
    for (const i of ingests) i.close();
    throw error;
  }
}
