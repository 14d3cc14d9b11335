/**
 * The storage half of a recording: every file it makes (a closed segment, a snapshot, an export
 * output) is hashed, journaled as pending and queued; the upload is verified (size + sha256) before
 * the file is marked uploaded and leaves the spool. A per-track recording's last upload is its
 * manifest (exports read it later, from any node). Storage outages are reported once, not per retry.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { MANIFEST_FILE, type RecordingEvent, type RecordingFile } from "@parley/shared";
import type { TrackInfo } from "./capture.js";
import { digestFile } from "./checksum.js";
import type { JournalData } from "./journal.js";
import { storeManifest } from "./manifest.js";
import type { Storage } from "./storage.js";
import type { UploadQueue } from "./upload-queue.js";

/** A recording event without what the recording fills in itself. */
export type EventBody<T extends RecordingEvent["type"]> = Omit<
  Extract<RecordingEvent, { type: T }>,
  "room" | "at" | "recordingId" | "type"
>;

/** What the uploads need of their recording. */
export interface UploadHost {
  readonly id: string;
  readonly room: string;
  /** The recording's spool folder. */
  readonly dir: string;
  readonly data: JournalData;
  save(): Promise<void>;
  /** Called after each upload: the recording decides whether it is now complete. */
  maybeFinish(): Promise<void>;
  setError(code: string, message: string): void;
  emit<T extends RecordingEvent["type"]>(type: T, body: EventBody<T>): void;
}

export class RecordingUploads {
  readonly #host: UploadHost;
  readonly #storage: Storage;
  readonly #queue: UploadQueue;
  #outage = false;

  constructor(host: UploadHost, storage: Storage, queue: UploadQueue) {
    this.#host = host;
    this.#storage = storage;
    this.#queue = queue;
  }

  /** A finished file in the spool: hashed, journaled as pending, queued. */
  async fileClosed(info: TrackInfo, file: string, segment: number): Promise<void> {
    const { data, dir } = this.#host;
    if (data.files.some((f) => f.file === file)) return;
    let digest: { bytes: number; sha256: string };
    try {
      digest = await digestFile(join(dir, file));
    } catch {
      return; // ffmpeg listed a segment it never wrote
    }
    // A segment opened just before ffmpeg was killed may hold nothing yet.
    if (digest.bytes === 0) {
      await rm(join(dir, file), { force: true });
      return;
    }
    const entry: RecordingFile = { ...fileBase(info, file), segment, ...digest, status: "pending", uploadAttempts: 0 };
    data.files.push(entry);
    await this.#host.save();
    this.enqueue(entry);
  }

  enqueue(entry: RecordingFile): void {
    this.#queue.enqueue({
      id: `${this.#host.id}/${entry.file}`,
      run: () => this.#upload(entry),
      failed: (error, attempt) => {
        entry.uploadAttempts = attempt;
        this.#failed(entry.file, error, attempt);
      },
    });
  }

  /** The last upload of a per-track recording: its manifest, so exports work without this node's memory. */
  enqueueManifest(): void {
    const host = this.#host;
    this.#queue.enqueue({
      id: `${host.id}/${MANIFEST_FILE}`,
      run: async () => {
        host.data.manifest = await storeManifest(this.#storage, host.dir, host.data);
        this.#storageBack();
        await host.save();
        await host.maybeFinish();
      },
      failed: (error, attempt) => this.#failed(MANIFEST_FILE, error, attempt),
    });
  }

  close(): void {
    this.#storage.close();
  }

  #failed(file: string, error: Error, attempt: number): void {
    this.#host.setError("STORAGE_UNAVAILABLE", `upload of ${file} failed (attempt ${attempt}): ${error.message}`);
    if (this.#outage) return;
    this.#outage = true;
    this.#host.emit("recording.failed", {
      code: "STORAGE_UNAVAILABLE",
      message: error.message.slice(0, 900),
      fatal: false,
      files: this.#host.data.files,
    });
  }

  #storageBack(): void {
    if (!this.#outage) return;
    this.#outage = false;
    if (this.#host.data.error?.code === "STORAGE_UNAVAILABLE") delete this.#host.data.error;
  }

  async #upload(entry: RecordingFile): Promise<void> {
    const host = this.#host;
    const digest = { bytes: entry.bytes ?? 0, sha256: entry.sha256 ?? "" };
    const key = `${host.room}/${host.id}/${entry.file}`;
    const spoolPath = join(host.dir, entry.file);
    const present = await digestFile(spoolPath).then(
      () => true,
      () => false,
    );
    if (present) {
      entry.location = await this.#storage.put(spoolPath, key, digest);
    } else if (!(await this.#storage.verify(key, digest))) {
      // Neither in the spool nor in storage: nothing left to retry.
      entry.status = "failed";
      host.setError("RECORDING_FILE_LOST", `${entry.file} is missing from the spool and from storage`);
      await host.save();
      await host.maybeFinish();
      return;
    }
    entry.status = "uploaded";
    entry.uploadAttempts = (entry.uploadAttempts ?? 0) + 1;
    this.#storageBack();
    // Journal first: a crash between the two leaves a spool file that recovery simply deletes.
    await host.save();
    await rm(spoolPath, { force: true });
    host.emit("recording.progress", { state: host.data.state, files: [entry] });
    await host.maybeFinish();
  }
}

/** A file's journal entry fields from its track and name (`…-00042.ext` is segment 42). */
export function fileBase(info: TrackInfo, file: string): Omit<RecordingFile, "status" | "segment"> & { segment: number } {
  const segment = Number(/-(\d+)\.[a-z0-9]+$/.exec(file)?.[1] ?? 0);
  return {
    file,
    producerId: info.producerId,
    ...(info.member ? { member: info.member } : {}),
    kind: info.kind,
    codec: info.codec,
    segment,
  };
}
