/**
 * Every producer one ffmpeg reads, each over its own RtpIngest and all listed in one SDP: the
 * start sequence every recorder, snapshot and RTMP push shares. ffmpeg must have bound every RTP
 * port before RTP flows (the first packets, and so the first keyframe, would go into the void), and
 * a video decoder waits for its first keyframe, so keyframes are asked for again after the start.
 */
import type { ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { ParleyError } from "@parley/shared";
import type { types } from "mediasoup";
import { boundUdpPorts, type PortPairs } from "./ports.js";
import { RtpIngest } from "./rtp-ingest.js";

/** How long ffmpeg gets to open its RTP ports. */
const LISTEN_TIMEOUT_MS = 5000;
const LISTEN_POLL_MS = 25;
/** Keyframe asks after a start, for pipelines that decode (composites, RTMP pushes): their decoders wait for a first one. */
export const DECODER_KEYFRAME_RETRIES_MS = [300, 1000, 2000, 4000] as const;

export class RtpFeed {
  readonly ingests: readonly RtpIngest[];
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  private constructor(ingests: RtpIngest[]) {
    this.ingests = ingests;
  }

  /** One ingest per producer, in order (the SDP's media sections follow it); nothing is left open on failure. */
  static async open(router: types.Router, producers: readonly types.Producer[], ports: PortPairs): Promise<RtpFeed> {
    const ingests: RtpIngest[] = [];
    try {
      for (const producer of producers) ingests.push(await RtpIngest.open(router, producer, ports));
    } catch (error) {
      for (const ingest of ingests) ingest.close();
      throw error;
    }
    return new RtpFeed(ingests);
  }

  has(kind: "audio" | "video"): boolean {
    return this.ingests.some((i) => i.kind === kind);
  }

  /** Writes the SDP ffmpeg reads with `-i` (one media section per ingest, in order). */
  async writeSdp(path: string): Promise<void> {
    const head = ["v=0", "o=- 0 0 IN IP4 127.0.0.1", "s=parley-composite", "c=IN IP4 127.0.0.1", "t=0 0"];
    await writeFile(path, `${[...head, ...this.ingests.flatMap((i) => i.sdpSection())].join("\n")}\n`);
  }

  /**
   * Waits until `ffmpeg` has bound every RTP port, then lets RTP flow (each video asked for a
   * keyframe). Refuses with RECORDER_UNAVAILABLE when ffmpeg exits first or does not listen in time;
   * `stderr` explains the exit (callers scrub what must not be reported).
   */
  async start(ffmpeg: ChildProcess, stderr: () => string): Promise<void> {
    const deadline = Date.now() + LISTEN_TIMEOUT_MS;
    for (;;) {
      if (ffmpeg.exitCode !== null || ffmpeg.signalCode !== null)
        throw new ParleyError("RECORDER_UNAVAILABLE", `ffmpeg exited at start: ${stderr().trim().slice(-500)}`);
      const bound = boundUdpPorts();
      if (this.ingests.every((i) => i.listening(bound))) break;
      if (Date.now() > deadline)
        throw new ParleyError("RECORDER_UNAVAILABLE", `ffmpeg did not open its RTP ports within ${LISTEN_TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, LISTEN_POLL_MS));
    }
    for (const ingest of this.ingests) await ingest.start();
  }

  /** Asks every video producer for a keyframe now. */
  keyframe(): void {
    for (const ingest of this.ingests) if (ingest.kind === "video") ingest.keyframe();
  }

  /** Asks again after each delay (a request can be lost, and the decoder waits for its first keyframe). */
  keyframesAfter(delaysMs: readonly number[]): void {
    for (const ms of delaysMs) this.#later(ms, () => this.keyframe());
  }

  /** Asks every `ms` until the feed closes (a snapshot waits for the first decodable picture). */
  keyframesEvery(ms: number): void {
    const timer = setInterval(() => this.keyframe(), ms);
    timer.unref();
    this.#timers.add(timer);
  }

  /** Runs `action` after `ms` unless the feed has closed by then. */
  #later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  /**
   * Closes every ingest (and its PlainTransport) and stops asking for keyframes. Idempotent. An
   * `ffmpeg` given that still runs (a start that failed) is killed first.
   */
  close(ffmpeg?: ChildProcess): void {
    if (ffmpeg?.exitCode === null && ffmpeg.signalCode === null) ffmpeg.kill("SIGKILL");
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const ingest of this.ingests) ingest.close();
  }
}
