/**
 * A composite recording's capture: one mixed mp4 of the whole room in numbered segments
 * (`composite/composite-00000.mp4`, …). It is a Capture like a TrackRecorder (same `info`,
 * `segment`/`end` events, openSegment, stop), so uploads, journaling and recovery are shared.
 *
 * Members joining or leaving change the picture, and a running ffmpeg graph cannot gain inputs, so
 * the recorder rolls: the current run closes its segment (SIGINT) and a new run starts with the
 * new layout, numbering on from the last segment. Between the two there is a short gap (ffmpeg
 * start + the first keyframe, typically 0.5–1.5 s) that is not recorded. Changes are debounced so a
 * member publishing audio and video rolls once.
 */
import { EventEmitter } from "node:events";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { CompositeOptions } from "@parley/shared";
import type { types } from "mediasoup";
import { CompositeRun } from "../composite/composite-run.js";
import { SpeakerFollower } from "../composite/speaker-follower.js";
import { prepareWatermarks, type WatermarkAsset } from "../composite/watermarks.js";
import type { FfmpegLauncher } from "../ffmpeg/ffmpeg-process.js";
import type { PortPairs } from "../ffmpeg/ports.js";
import { RollSchedule } from "../ffmpeg/roll-schedule.js";
import type { Logger } from "../logger.js";
import { type Capture, type CaptureEvents, diedOfFullDisk, type TrackInfo } from "./capture.js";
import { SegmentList } from "./segment-list.js";

export interface CompositeRecorderOptions {
  router: types.Router;
  root: string;
  options: CompositeOptions;
  segmentSeconds: number;
  ports: PortPairs;
  ffmpeg: FfmpegLauncher;
  logger: Logger;
}

/** The composite's pseudo-track: its files carry this producer id in statuses. */
export const COMPOSITE_TRACK: TrackInfo = {
  producerId: "composite",
  kind: "video",
  codec: "h264+aac",
  dir: "composite",
  stem: "composite",
  ext: "mp4",
};

const ROLL_DEBOUNCE_MS = 800;
/** Give up after this many runs in a row that die on their own (e.g. ffmpeg cannot start). */
const MAX_FAILED_RUNS = 5;

export class CompositeRecorder extends EventEmitter<CaptureEvents> implements Capture {
  readonly info: TrackInfo = COMPOSITE_TRACK;
  readonly #o: CompositeRecorderOptions;
  readonly #assets: WatermarkAsset[];
  readonly #dir: string;
  readonly #producers = new Map<string, types.Producer>();
  /** Every run writes into the same numbered series, so one list covers them all. */
  readonly #segments: SegmentList;
  #run: CompositeRun | undefined;
  readonly #rolls = new RollSchedule(
    () => this.#roll(),
    (message) => this.#runFailed(message),
  );
  #failedRuns = 0;
  #lastExit: { code: number | null; stderr: string } = { code: 0, stderr: "" };
  #stopping: Promise<void> | undefined;
  /** Speaker layout: the debounced active speaker, shown in the running graph without a roll. */
  readonly #speaker = new SpeakerFollower((member) => this.#run?.showSpeaker(member));

  private constructor(o: CompositeRecorderOptions, assets: WatermarkAsset[]) {
    super();
    this.#o = o;
    this.#assets = assets;
    this.#dir = join(o.root, COMPOSITE_TRACK.dir);
    this.#segments = new SegmentList({ root: o.root, ...COMPOSITE_TRACK });
    this.#segments.on("segment", (file, index) => this.emit("segment", file, index));
  }

  /** Prepares watermarks (WATERMARK_UNREADABLE refuses the start) and starts the first run. */
  static async start(o: CompositeRecorderOptions, producers: types.Producer[]): Promise<CompositeRecorder> {
    const dir = join(o.root, COMPOSITE_TRACK.dir);
    await mkdir(dir, { recursive: true });
    const assets = await prepareWatermarks(o.options, dir, o.ffmpeg.path);
    const recorder = new CompositeRecorder(o, assets);
    for (const p of producers) recorder.#watch(p);
    try {
      await recorder.#roll();
    } catch (error) {
      recorder.#segments.close();
      throw error;
    }
    return recorder;
  }

  /** A producer joined the room: the next run includes it. */
  addProducer(producer: types.Producer): void {
    if (this.#stopping || this.#producers.has(producer.id) || producer.closed) return;
    this.#watch(producer);
    this.#scheduleRoll();
  }

  /** The room's active speaker changed (speaker layout only; debounced). */
  speakerChanged(member: string): void {
    if (this.#o.options.layout === "speaker" && !this.#stopping) this.#speaker.speaking(member);
  }

  openSegment(): Promise<string | undefined> {
    return this.#segments.openSegment();
  }

  /** Ends capture: the current run closes its segment; resolves once every segment is reported. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#speaker.close();
      await this.#rolls.settle();
      await this.#run?.stop();
      this.#segments.close();
      await this.#segments.collect();
      const { code, stderr } = this.#lastExit;
      this.emit("end", { code, diskFull: diedOfFullDisk(stderr), stderr });
    })();
    return this.#stopping;
  }

  #watch(producer: types.Producer): void {
    this.#producers.set(producer.id, producer);
    producer.observer.once("close", () => {
      this.#producers.delete(producer.id);
      if (!this.#stopping) this.#scheduleRoll();
    });
  }

  #scheduleRoll(): void {
    this.#rolls.after(ROLL_DEBOUNCE_MS);
  }

  /** Ends the current run (its segments reported) and starts the next with the members present now. */
  async #roll(): Promise<void> {
    if (this.#stopping && this.#run) return;
    const previous = this.#run;
    this.#run = undefined;
    if (previous) {
      await previous.stop();
      await this.#segments.collect();
    }
    if (this.#stopping) return;
    const startNumber = await this.#segments.nextNumber();
    const run = await CompositeRun.start({
      router: this.#o.router,
      producers: [...this.#producers.values()],
      options: this.#o.options,
      assets: this.#assets,
      dir: this.#dir,
      stem: COMPOSITE_TRACK.stem,
      startNumber,
      segmentSeconds: this.#o.segmentSeconds,
      ports: this.#o.ports,
      ffmpeg: this.#o.ffmpeg,
      ...(this.#speaker.current === undefined ? {} : { speaker: this.#speaker.current }),
    });
    this.#run = run;
    this.#o.logger.debug({ root: this.#o.root, members: run.members, startNumber }, "composite run started");
    run.once("exit", (exit) => {
      this.#lastExit = exit;
      // A run that dies on its own (not stopped by a roll or stop) is replaced after a pause.
      if (this.#run === run && !this.#stopping) {
        this.#run = undefined;
        this.#runFailed(`ffmpeg exited with ${exit.code}: ${exit.stderr.trim().slice(-300)}`);
      } else this.#failedRuns = 0;
    });
  }

  #runFailed(message: string): void {
    this.#failedRuns++;
    this.#o.logger.warn({ root: this.#o.root, failedRuns: this.#failedRuns, err: message }, "composite run failed");
    if (this.#failedRuns >= MAX_FAILED_RUNS) {
      void this.stop();
      return;
    }
    this.#scheduleRoll();
  }
}
