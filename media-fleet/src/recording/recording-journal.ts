/**
 * One recording's journal: its JournalData (state, tracks, files, last error, manifest) and the
 * writes that keep it in the JournalStore, so a restarted node finishes what this one started. The
 * recording and its uploads both change the data; only this object saves it. A write refused for
 * lack of space does not throw: the data lives on in memory, is saved next time, and `spoolfull`
 * tells the recording to stop capture.
 */
import { EventEmitter } from "node:events";
import type { RecordingErrorCode, ResolvedStorage } from "@parley/shared";
import type { Logger } from "../logger.js";
import type { JournalData, JournalStore } from "./journal.js";

export interface RecordingJournalEvents {
  /** A write failed with ENOSPC: the spool cannot take even the journal. */
  spoolfull: [message: string];
}

export class RecordingJournal extends EventEmitter<RecordingJournalEvents> {
  readonly data: JournalData;
  readonly #store: JournalStore;
  readonly #logger: Logger;

  constructor(store: JournalStore, data: JournalData, logger: Logger) {
    super();
    this.#store = store;
    this.data = data;
    this.#logger = logger;
  }

  /** A fresh journal in state "recording"; one-offs (snapshots, exports) have a single "segment" per file. */
  static fresh(
    mode: JournalData["mode"],
    init: { recordingId: string; room: string; storage: ResolvedStorage; segmentSeconds?: number },
  ): JournalData {
    const { recordingId, room, storage, segmentSeconds = 1 } = init;
    return {
      version: 1,
      recordingId,
      room,
      mode,
      segmentSeconds,
      storage,
      startedAt: Date.now(),
      state: "recording",
      tracks: [],
      files: [],
    };
  }

  get id(): string {
    return this.data.recordingId;
  }

  /** Writes the data as it is now; never throws (see above). */
  async save(): Promise<void> {
    try {
      await this.#store.save(this.data);
    } catch (error) {
      // A full spool or an unreachable Redis must not crash the node: the state is saved next time.
      this.#logger.error({ recording: this.id, err: (error as Error).message }, "could not write the recording journal");
      if ((error as NodeJS.ErrnoException).code === "ENOSPC") this.emit("spoolfull", "no space left on the spool for the journal");
    }
  }

  /** The last error, reported in the status (and so in the edge's index). */
  setError(code: RecordingErrorCode, message: string): void {
    this.data.error = { code, message: message.slice(0, 1000) };
  }

  /** Clears the last error if it is `code` (e.g. storage answers again). */
  clearError(code: RecordingErrorCode): void {
    if (this.data.error?.code === code) delete this.data.error;
  }

  /** Removes the journal; a failure is logged and left for the next start's recovery to finish. */
  async remove(): Promise<void> {
    await this.#store.remove(this.id).catch((error: Error) => {
      this.#logger.error({ recording: this.id, err: error.message }, "could not remove the recording journal");
    });
  }
}
