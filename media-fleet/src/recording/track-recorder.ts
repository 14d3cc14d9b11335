/**
 * Records one producer: an RtpFeed (PlainTransport + paused consumer in the room's router) sends
 * RTP to an ffmpeg that remuxes it (`-c copy`) into segments with its segment muxer; the
 * SegmentList turns each closed segment into a `segment` event (the file is complete and may be
 * uploaded). One ffmpeg per track for the whole recording, so no packet falls between two
 * processes at a segment boundary. Video segments can only start on a keyframe, so the recorder asks
 * the producer for one just after each boundary.
 */
import type { ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { types } from "mediasoup";
import { type FfmpegLauncher, stderrTail, stopGracefully } from "../ffmpeg/ffmpeg-process.js";
import type { PortPairs } from "../ffmpeg/ports.js";
import { RtpFeed } from "../ffmpeg/rtp-feed.js";
import { type Capture, type CaptureEvents, diedOfFullDisk, type TrackInfo } from "./capture.js";
import { codecName, containerFor } from "./container.js";
import { SegmentList } from "./segment-list.js";

const STOP_TIMEOUT_MS = 5000;

export class TrackRecorder extends EventEmitter<CaptureEvents> implements Capture {
  readonly info: TrackInfo;
  readonly #feed: RtpFeed;
  readonly #ffmpeg: ChildProcess;
  readonly #stderr: () => string;
  readonly #segments: SegmentList;
  readonly #segmentMs: number;
  #keyframeTimer: NodeJS.Timeout | undefined;
  #ended: Promise<void>;
  #stopping: Promise<void> | undefined;

  private constructor(info: TrackInfo, root: string, feed: RtpFeed, ffmpeg: ChildProcess, segmentSeconds: number) {
    super();
    this.info = info;
    this.#feed = feed;
    this.#ffmpeg = ffmpeg;
    this.#stderr = stderrTail(ffmpeg);
    this.#segmentMs = segmentSeconds * 1000;
    this.#segments = new SegmentList({ root, dir: info.dir, stem: info.stem, ext: info.ext });
    this.#segments.on("segment", (file, index) => this.emit("segment", file, index));
    this.#ended = new Promise((resolve) => {
      this.#ffmpeg.once("exit", (code) => {
        void this.#finish(code).finally(resolve);
      });
    });
    // The producer (or its room) going away ends the track; what was written is kept.
    feed.ingests[0]?.consumer.observer.once("close", () => void this.stop());
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
    const feed = await RtpFeed.open(router, [producer], options.ports);
    let ffmpeg: ChildProcess | undefined;
    try {
      const sdpPath = join(dir, `${info.stem}.sdp`);
      await feed.writeSdp(sdpPath);
      ffmpeg = options.ffmpeg.spawn(
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
      const recorder = new TrackRecorder(info, options.root, feed, ffmpeg, options.segmentSeconds);
      await feed.start(ffmpeg, recorder.#stderr);
      info.startedAt = Date.now();
      if (producer.kind === "video") recorder.#armKeyframes();
      return recorder;
    } catch (error) {
      feed.close(ffmpeg);
      throw error;
    }
  }

  get producerId(): string {
    return this.info.producerId;
  }

  /** The segment ffmpeg is writing now, if any (for statuses). */
  openSegment(): Promise<string | undefined> {
    return this.#segments.openSegment();
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
    this.#segments.close();
    clearTimeout(this.#keyframeTimer);
    this.#feed.close();
    await this.#segments.collect();
    const stderr = this.#stderr();
    this.emit("end", { code, diskFull: diedOfFullDisk(stderr), stderr });
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
          this.#feed.keyframe();
          this.#feed.keyframesAfter([500]);
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
