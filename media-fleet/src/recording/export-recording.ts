/**
 * An export (mode "export"): files made from a finished per-track recording in the background
 * (ExportQueue), answered at once in state "recording" while they are made into the spool folder,
 * then stored like segments. Making them failing ends the export failed (EXPORT_FAILED).
 */
import { join } from "node:path";
import type { RecordingFile, ResolvedStorage } from "@parley/shared";
import type { TrackInfo } from "./capture.js";
import type { JournalData } from "./journal.js";
import { type Failure, type RecordingDeps, StoredRecording } from "./recording.js";
import { RecordingJournal } from "./recording-journal.js";

export class ExportRecording extends StoredRecording {
  /** Restores a journaled export found after a restart (its files were made; `recover()` uploads them). */
  constructor(deps: RecordingDeps, data: JournalData) {
    super(deps, data);
  }

  /** Starts `make` (which writes the export's files into the folder it is given) and answers at once. */
  static start(
    deps: RecordingDeps,
    init: { room: string; exportId: string; storage: ResolvedStorage },
    make: (dir: string) => Promise<TrackInfo[]>,
  ): ExportRecording {
    const recording = new ExportRecording(deps, RecordingJournal.fresh("export", { recordingId: init.exportId, ...init }));
    void recording.track(recording.#make(make)).then(() => recording.stop());
    return recording;
  }

  /** Journaled only once the files exist: a restart mid-export leaves nothing to resume. */
  async #make(make: (dir: string) => Promise<TrackInfo[]>): Promise<void> {
    const d = this.journal.data;
    try {
      const made = await make(this.dir);
      d.tracks.push(...made);
      for (const info of made) await this.uploads.fileClosed(info, join(info.dir, `${info.stem}-00000.${info.ext}`), 0);
    } catch (error) {
      this.deps.logger.error({ recording: this.id, err: (error as Error).message }, "export failed");
      this.journal.setError("EXPORT_FAILED", (error as Error).message);
    }
  }

  /** An export that made no file failed while making it (the reason is in the journal's error). */
  protected override failure(lost: RecordingFile[]): Failure | undefined {
    const d = this.journal.data;
    if (d.files.length > 0) return super.failure(lost);
    return { code: d.error?.code ?? "EXPORT_FAILED", message: d.error?.message ?? "the export made no file", files: [] };
  }
}
