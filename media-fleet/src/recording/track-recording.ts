/**
 * A per-track recording (mode "tracks"): one TrackRecorder per producer of the room, present at
 * start or added later, each writing its own segments without transcoding. Once every file is
 * uploaded, the recording's manifest is stored next to them (exports read it on any node).
 */
import type { RecordingFile } from "@parley/shared";
import type { types } from "mediasoup";
import type { JournalData } from "./journal.js";
import { type RecordingDeps, type RecordingInit, StoredRecording } from "./recording.js";
import { RecordingJournal } from "./recording-journal.js";
import { safeName } from "./safe-name.js";
import { TrackRecorder } from "./track-recorder.js";

export class TrackRecording extends StoredRecording {
  /** Restores a journaled recording found after a restart (`recover()` finishes it). */
  constructor(deps: RecordingDeps, data: JournalData) {
    super(deps, data);
  }

  static async start(deps: RecordingDeps, init: RecordingInit, producers: types.Producer[]): Promise<TrackRecording> {
    const recording = new TrackRecording(deps, RecordingJournal.fresh("tracks", init));
    await recording.begin();
    await Promise.all(producers.map((p) => recording.addProducer(p)));
    return recording;
  }

  /** Starts recording a producer; a no-op if it is already recorded or capture has ended. */
  override addProducer(producer: types.Producer): Promise<void> {
    // Tracked, so stop() waits for a track that is still starting.
    return this.track(this.#addProducer(producer));
  }

  async #addProducer(producer: types.Producer): Promise<void> {
    const d = this.journal.data;
    if (d.state !== "recording" || this.isCapturing(producer.id) || producer.closed) return;
    const router = this.deps.router(this.room);
    if (!router) return;
    const member = typeof producer.appData.member === "string" ? producer.appData.member : undefined;
    const info = {
      producerId: producer.id,
      ...(member ? { member } : {}),
      kind: producer.kind,
      dir: safeName(member ?? "unknown"),
      stem: `${producer.id}-${producer.kind}`,
    };
    let recorder: TrackRecorder | undefined;
    try {
      recorder = await TrackRecorder.start({
        router,
        producer,
        root: this.dir,
        info,
        segmentSeconds: d.segmentSeconds,
        ports: this.deps.ports,
        ffmpeg: this.deps.ffmpeg,
      });
    } catch (error) {
      this.deps.logger.error({ recording: this.id, producer: producer.id, err: (error as Error).message }, "could not record a track");
      this.journal.setError("RECORDER_UNAVAILABLE", `track ${producer.id}: ${(error as Error).message}`);
      return;
    }
    if (!recorder) {
      this.deps.logger.warn({ recording: this.id, producer: producer.id }, "codec cannot be recorded without transcoding; track skipped");
      return;
    }
    this.adoptCapture(producer.id, recorder, ({ code, stderr }) => {
      if (code !== 0 && code !== 255 && this.state === "recording")
        this.deps.logger.warn({ recording: this.id, producer: producer.id, code, stderr: stderr.slice(-300) }, "recorder exited");
    });
    await this.journal.save();
    // stop() ran while this track was starting: it is not among the captures stop() closed.
    if (this.state !== "recording") await recorder.stop();
  }

  /** Every file uploaded: the manifest goes last, so an export never finds a manifest of a partial recording. */
  protected override beforeFinish(lost: RecordingFile[]): boolean {
    if (lost.length > 0 || this.journal.data.manifest) return false;
    this.uploads.enqueueManifest();
    return true;
  }
}
