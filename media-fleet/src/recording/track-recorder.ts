/**
 * Records one producer: an RtpIngest (PlainTransport + paused consumer in the room's router) sends
 * RTP to an ffmpeg that remuxes it (`-c copy`) into segments with its segment muxer. ffmpeg appends a line to
 * its segment list as each segment closes; those become `segment` events (the file is complete and
 * may be uploaded). One ffmpeg per track for the whole recording, so no packet falls between two
 * processes at a segment boundary. Video segments can only start on a keyframe, so the recorder asks
 * the producer for one just after each boundary.
 */
import type { ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { types } from "mediasoup";
import { type FfmpegLauncher, readSegmentList, stopGracefully } from "../ffmpeg/ffmpeg-process.js";
import type { PortPairs } from "../ffmpeg/ports.js";
import { RtpIngest, sdpForIngests } from "../ffmpeg/rtp-ingest.js";
import { codecName, containerFor } from "./container.js";

export interface TrackInfo {
  producerId: string;
  member?: string;
  kind: "audio" | "video";
  codec: string;
  /** Folder (relative to the recording's spool folder) and file name stem of this track's segments. */
  dir: string;
  stem: string;
  ext: string;
  /** Wall-clock ms when RTP started flowing to ffmpeg (consumer resumed): places the track for exports. */
  startedAt?: number;
}

export interface TrackRecorderEvents {
  /** A segment is closed: `file` is relative to the recording's spool folder. */
  segment: [file: string, index: number];
  /** ffmpeg is gone; `diskFull` when it died writing to a full spool. */
  end: [info: { code: number | null; diskFull: boolean; stderr: string }];
}

const STOP_TIMEOUT_MS = 5000;
const LIST_POLL_MS = 300;

export class TrackRecorder extends EventEmitter<TrackRecorderEvents> {
  readonly info: TrackInfo;
  readonly #root: string;
  readonly #ingest: RtpIngest;
  readonly #ffmpeg: ChildProcess;
  readonly #seen = new Set<string>();
  readonly #segmentMs: number;
  #stderr = "";
  #pollTimer: NodeJS.Timeout | undefined;
  #keyframeTimer: NodeJS.Timeout | undefined;
  #ended: Promise<void>;
  #stopping: Promise<void> | undefined;

  private constructor(info: TrackInfo, root: string, ingest: RtpIngest, ffmpeg: ChildProcess, segmentSeconds: number) {
    super();
    this.info = info;
    this.#root = root;
    this.#ingest = ingest;
    this.#ffmpeg = ffmpeg;
    this.#segmentMs = segmentSeconds * 1000;
    this.#ffmpeg.stderr?.on("data", (chunk: Buffer) => {
      // Keep the tail only: enough to explain an exit.
      this.#stderr = (this.#stderr + chunk.toString("utf8")).slice(-4000);
    });
    this.#ended = new Promise((resolve) => {
      this.#ffmpeg.once("exit", (code) => {
        void this.#finish(code).finally(resolve);
      });
    });
    // The producer (or its room) going away ends the track; what was written is kept.
    ingest.consumer.observer.once("close", () => void this.stop());
    this.#pollTimer = setInterval(() => void this.#readList(), LIST_POLL_MS);
    this.#pollTimer.unref();
  }

  /**
   * Sets up transport, consumer and ffmpeg; resolves once ffmpeg listens and RTP flows.
   * Returns undefined when the codec cannot be recorded without transcoding.
   */
  static async start(options: {
    router: types.Router;
    producer: types.Producer;
    root: string;
    info: Omit<TrackInfo, "codec" | "ext">;
    segmentSeconds: number;
    ports: PortPairs;
    ffmpeg: FfmpegLauncher;
  }): Promise<TrackRecorder | undefined> {
    const { router, producer } = options;
    const mime = producer.rtpParameters.codecs[0]?.mimeType ?? "";
    const container = containerFor(mime);
    if (!container) return undefined;
    const info: TrackInfo = { ...options.info, codec: codecName(mime), ext: container.ext };
    const dir = join(options.root, info.dir);
    await mkdir(dir, { recursive: true });
    const ingest = await RtpIngest.open(router, producer, options.ports);
    try {
      const sdpPath = join(dir, `${info.stem}.sdp`);
      await writeFile(sdpPath, sdpForIngests([ingest]));
      const ffmpeg = options.ffmpeg.spawn(
        [
          ...["-hide_banner", "-nostdin", "-loglevel", "warning"],
          ...["-protocol_whitelist", "file,udp,rtp", "-reorder_queue_size", "256", "-i", sdpPath],
          ...["-map", "0:0", "-c", "copy", "-f", "segment", "-segment_time", String(options.segmentSeconds)],
          ...["-segment_format", container.format, "-segment_format_options", container.flushOptions, "-reset_timestamps", "1"],
          ...["-segment_list", join(dir, `${info.stem}.list`), "-segment_list_type", "csv"],
          join(dir, `${info.stem}-%05d.${container.ext}`),
        ],
        ["ignore", "ignore", "pipe"],
      );
      const recorder = new TrackRecorder(info, options.root, ingest, ffmpeg, options.segmentSeconds);
      await recorder.#waitListening();
      await ingest.start();
      info.startedAt = Date.now();
      if (ingest.kind === "video") recorder.#armKeyframes();
      return recorder;
    } catch (error) {
      ingest.close();
      throw error;
    }
  }

  get producerId(): string {
    return this.info.producerId;
  }

  /** The segment ffmpeg is writing now, if any (for statuses). */
  async openSegment(): Promise<string | undefined> {
    const names = await this.#segmentFiles();
    const open = names.filter((n) => !this.#seen.has(n)).sort();
    const last = open.at(-1);
    return last === undefined ? undefined : join(this.info.dir, last);
  }

  /**
   * Ends capture: one SIGINT makes ffmpeg close the open segment properly (a second one would make
   * it abort mid-write, so stop() is idempotent). RTP keeps flowing until it exits. Resolves once
   * every segment has been reported.
   */
  stop(): Promise<void> {
    this.#stopping ??= stopGracefully(this.#ffmpeg, this.#ended, STOP_TIMEOUT_MS);
    return this.#stopping;
  }

  async #finish(code: number | null): Promise<void> {
    clearInterval(this.#pollTimer);
    clearTimeout(this.#keyframeTimer);
    this.#ingest.close();
    await this.#readList();
    // A segment ffmpeg never listed (it was killed) still holds everything up to its tail.
    for (const name of (await this.#segmentFiles()).sort()) if (!this.#seen.has(name)) this.#announce(name);
    const diskFull = /No space left on device/i.test(this.#stderr);
    this.emit("end", { code, diskFull, stderr: this.#stderr });
  }

  async #readList(): Promise<void> {
    for (const name of await readSegmentList(join(this.#root, this.info.dir, `${this.info.stem}.list`))) {
      if (!this.#seen.has(name)) this.#announce(name);
    }
  }

  #announce(name: string): void {
    this.#seen.add(name);
    const index = Number(/-(\d+)\.[a-z0-9]+$/.exec(name)?.[1] ?? 0);
    this.emit("segment", join(this.info.dir, name), index);
  }

  async #segmentFiles(): Promise<string[]> {
    const pattern = new RegExp(`^${this.info.stem}-\\d+\\.${this.info.ext}$`);
    try {
      return (await readdir(join(this.#root, this.info.dir))).filter((n) => pattern.test(n));
    } catch {
      return [];
    }
  }

  /** Waits until ffmpeg has bound its RTP port, so the first packets (and keyframe) are not lost. */
  async #waitListening(): Promise<void> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (this.#ffmpeg.exitCode !== null) throw new Error(`ffmpeg exited at start: ${this.#stderr.trim().slice(-500)}`);
      if (this.#ingest.listening()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error("ffmpeg did not open its RTP port within 5 s");
  }

  /**
   * The segment muxer cuts video at the first keyframe after each boundary; asking just after the
   * boundary (and once more in case the first request is lost) keeps segments close to their length.
   */
  #armKeyframes(): void {
    const startedAt = Date.now();
    let boundary = 1;
    const schedule = () => {
      const at = startedAt + boundary * this.#segmentMs + 150;
      this.#keyframeTimer = setTimeout(
        () => {
          this.#ingest.keyframe();
          setTimeout(() => this.#ingest.keyframe(), 500).unref();
          boundary++;
          schedule();
        },
        Math.max(0, at - Date.now()),
      );
      this.#keyframeTimer.unref();
    };
    schedule();
  }
}
