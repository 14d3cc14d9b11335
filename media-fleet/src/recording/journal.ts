/**
 * Recording journals: one record per recording, rewritten on every change, so after a crash or
 * restart the node knows every file still to upload. `JournalStore` holds the logic (validation,
 * one write at a time per recording); where the records live is a `JournalBackend`: the spool
 * (`<spool>/<recordingId>/recording.json`, mode 0600 since it holds the storage credentials a start
 * request brought) or Redis (redis-journals.ts, credentials sealed). Spool files stay on local disk
 * either way.
 */
import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
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
  /** Per-track recordings: where their manifest was stored (recording-manifest.ts), once it was. */
  manifest: z.object({ location: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string() }).optional(),
});
export type JournalData = z.infer<typeof JournalData>;

/** A journal found at start; `error` when it could not be read or validated (reported, not fatal). */
export interface FoundJournal {
  id: string;
  data?: JournalData;
  error?: string;
}

/** Raw records by recording id; the store above validates them. */
export interface JournalBackend {
  /** "spool" or a Redis address without its password: for logs and health answers. */
  readonly description: string;
  /** False while the backend cannot be written (Redis unreachable); the spool is always ready. */
  readonly ready: boolean;
  /** Resolves once ready, or after `timeoutMs` with false. */
  waitReady(timeoutMs: number): Promise<boolean>;
  write(data: JournalData): Promise<void>;
  delete(id: string): Promise<void>;
  /** Every record, parsed as JSON but not validated. */
  readAll(): Promise<{ id: string; value?: unknown; error?: string }[]>;
  close(): Promise<void>;
}

export class JournalStore {
  readonly #backend: JournalBackend;
  readonly #migrateFrom: JournalBackend | undefined;
  readonly #writing = new Map<string, Promise<void>>();

  /** `migrateFrom`: journals left by an earlier configuration (the spool, before REDIS_URL) move into `backend` at load. */
  constructor(backend: JournalBackend, migrateFrom?: JournalBackend) {
    this.#backend = backend;
    this.#migrateFrom = migrateFrom;
  }

  get description(): string {
    return this.#backend.description;
  }

  get ready(): boolean {
    return this.#backend.ready;
  }

  waitReady(timeoutMs: number): Promise<boolean> {
    return this.#backend.waitReady(timeoutMs);
  }

  /** Queues a write of `data` (one at a time per recording, so writes never interleave); rejects if refused. */
  save(data: JournalData): Promise<void> {
    const snapshot = structuredClone(data);
    return this.#serialise(data.recordingId, () => this.#backend.write(snapshot));
  }

  remove(id: string): Promise<void> {
    return this.#serialise(id, () => this.#backend.delete(id));
  }

  async loadAll(): Promise<FoundJournal[]> {
    const found = (await this.#backend.readAll()).map(validate);
    if (!this.#migrateFrom) return found;
    for (const old of (await this.#migrateFrom.readAll()).map(validate)) {
      if (found.some((f) => f.id === old.id)) continue;
      if (old.data) {
        await this.#backend.write(old.data);
        await this.#migrateFrom.delete(old.id);
      }
      found.push(old);
    }
    return found;
  }

  close(): Promise<void> {
    return this.#backend.close();
  }

  #serialise(id: string, write: () => Promise<void>): Promise<void> {
    const next = (this.#writing.get(id) ?? Promise.resolve()).then(write);
    // The next write waits for this one, failed or not; the caller hears of a failure through `next`.
    const settled = next.catch(() => undefined);
    this.#writing.set(id, settled);
    void settled.then(() => {
      if (this.#writing.get(id) === settled) this.#writing.delete(id);
    });
    return next;
  }
}

function validate({ id, value, error }: { id: string; value?: unknown; error?: string }): FoundJournal {
  if (error !== undefined) return { id, error };
  const parsed = JournalData.safeParse(value);
  return parsed.success ? { id, data: parsed.data } : { id, error: parsed.error.message.slice(0, 300) };
}

export const JOURNAL_FILE = "recording.json";

/** Journals in the spool, next to the files they list; written atomically (temp file + rename). */
export class SpoolJournals implements JournalBackend {
  readonly description = "spool";
  readonly ready = true;
  readonly #spoolDir: string;

  constructor(spoolDir: string) {
    this.#spoolDir = spoolDir;
  }

  async waitReady(): Promise<boolean> {
    return true;
  }

  async write(data: JournalData): Promise<void> {
    const path = join(this.#spoolDir, data.recordingId, JOURNAL_FILE);
    await writeFile(`${path}.tmp`, JSON.stringify(data), { mode: 0o600 });
    await rename(`${path}.tmp`, path);
  }

  async delete(id: string): Promise<void> {
    await rm(join(this.#spoolDir, id, JOURNAL_FILE), { force: true });
  }

  async readAll(): Promise<{ id: string; value?: unknown; error?: string }[]> {
    const out: { id: string; value?: unknown; error?: string }[] = [];
    const entries = await readdir(this.#spoolDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return []; // no spool yet: nothing was ever recorded here
      throw error;
    });
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      let text: string;
      try {
        text = await readFile(join(this.#spoolDir, entry.name, JOURNAL_FILE), "utf8");
      } catch {
        continue; // a folder without a journal (e.g. an export being made) is not a recording to resume
      }
      try {
        out.push({ id: entry.name, value: JSON.parse(text) });
      } catch (error) {
        out.push({ id: entry.name, error: (error as Error).message.slice(0, 300) });
      }
    }
    return out;
  }

  async close(): Promise<void> {}
}
