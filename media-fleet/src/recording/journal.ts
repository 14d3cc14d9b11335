/**
 * A recording's journal: `<spool>/<recordingId>/recording.json`, rewritten atomically (temp file +
 * rename) on every change, so after a crash or restart the node knows every file still to upload.
 * It holds the storage credentials a start request brought, hence mode 0600.
 */
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RECORDING_STATUS_MODES, RecordingErrorInfo, RecordingFile, RecordingId, RecordingState, ResolvedStorage } from "@parley/shared";
import { z } from "zod";

const TrackInfoSchema = z.object({
  producerId: z.string(),
  member: z.string().optional(),
  kind: z.enum(["audio", "video"]),
  codec: z.string(),
  dir: z.string(),
  stem: z.string(),
  ext: z.string(),
  startedAt: z.number().optional(),
});

export const JournalData = z.object({
  version: z.literal(1),
  recordingId: RecordingId,
  room: z.string(),
  mode: z.enum(RECORDING_STATUS_MODES),
  segmentSeconds: z.number().int().positive(),
  storage: ResolvedStorage,
  startedAt: z.number(),
  stoppedAt: z.number().optional(),
  state: RecordingState,
  error: RecordingErrorInfo.optional(),
  tracks: z.array(TrackInfoSchema),
  files: z.array(RecordingFile),
});
export type JournalData = z.infer<typeof JournalData>;

export const JOURNAL_FILE = "recording.json";

export class Journal {
  readonly path: string;
  #writing: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.path = join(dir, JOURNAL_FILE);
  }

  /** Queues a write of `data` (serialised, so writes never interleave); rejects if the disk refuses. */
  save(data: JournalData): Promise<void> {
    const text = JSON.stringify(data);
    const write = this.#writing.then(async () => {
      const temp = `${this.path}.tmp`;
      await writeFile(temp, text, { mode: 0o600 });
      await rename(temp, this.path);
    });
    this.#writing = write.catch(() => undefined);
    return write;
  }

  /** Every readable journal under the spool; unreadable ones are reported, not fatal. */
  static async loadAll(spoolDir: string): Promise<{ dir: string; data?: JournalData; error?: string }[]> {
    const out: { dir: string; data?: JournalData; error?: string }[] = [];
    const entries = await readdir(spoolDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return []; // no spool yet: nothing was ever recorded here
      throw error;
    });
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const dir = join(spoolDir, entry.name);
      let text: string;
      try {
        text = await readFile(join(dir, JOURNAL_FILE), "utf8");
      } catch {
        continue;
      }
      try {
        out.push({ dir, data: JournalData.parse(JSON.parse(text)) });
      } catch (error) {
        out.push({ dir, error: (error as Error).message.slice(0, 300) });
      }
    }
    return out;
  }
}
