/**
 * A composite recording (mode "composite"): one CompositeRecorder lays out and mixes every
 * producer of the room into one mp4 series, following the active speaker in the speaker layout.
 */
import { type CompositeOptions, ParleyError } from "@parley/shared";
import type { types } from "mediasoup";
import { CompositeRecorder } from "./composite-recorder.js";
import type { JournalData } from "./journal.js";
import { type RecordingDeps, type RecordingInit, StoredRecording } from "./recording.js";
import { RecordingJournal } from "./recording-journal.js";

export class CompositeRecording extends StoredRecording {
  #composite: CompositeRecorder | undefined;

  /** Restores a journaled recording found after a restart (`recover()` finishes it). */
  constructor(deps: RecordingDeps, data: JournalData) {
    super(deps, data);
  }

  /** Refused (e.g. WATERMARK_UNREADABLE) before anything is captured leaves no trace. */
  static async start(
    deps: RecordingDeps,
    init: RecordingInit & { composite: CompositeOptions },
    producers: types.Producer[],
  ): Promise<CompositeRecording> {
    const recording = new CompositeRecording(deps, RecordingJournal.fresh("composite", init));
    await recording.begin();
    try {
      await recording.#start(init.composite, producers);
    } catch (error) {
      await recording.forget();
      throw error;
    }
    return recording;
  }

  async #start(options: CompositeOptions, producers: types.Producer[]): Promise<void> {
    const router = this.deps.router(this.room);
    if (!router) throw new ParleyError("ROOM_NOT_ON_NODE", "this node has no router for that room");
    const composite = await CompositeRecorder.start(
      {
        router,
        root: this.dir,
        options,
        segmentSeconds: this.journal.data.segmentSeconds,
        ports: this.deps.ports,
        ffmpeg: this.deps.ffmpeg,
        logger: this.deps.logger,
      },
      producers,
    );
    this.#composite = composite;
    this.adoptCapture(composite.info.producerId, composite);
    await this.journal.save();
  }

  /** A producer joined the room: the composite's next run includes it. */
  override async addProducer(producer: types.Producer): Promise<void> {
    if (this.state === "recording") this.#composite?.addProducer(producer);
  }

  override speakerChanged(member: string): void {
    this.#composite?.speakerChanged(member);
  }
}
