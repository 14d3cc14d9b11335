/**
 * The storage half of a recording: every file it makes (a closed segment, a snapshot, an export
 * output) is hashed, journaled as pending and queued; the upload is verified (size + sha256) before
 * the file is marked uploaded and leaves the spool. A per-track recording's last upload is its
 * manifest (exports read it later, from any node). Storage outages are reported once, not per retry.
 *
 * The uploads own the recording's Storage and write through its RecordingJournal; they tell the
 * recording what happened with typed events and never reach back into it.
 */
import { EventEmitter } from "node:events";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { MANIFEST_FILE, type RecordingFile } from "@parley/shared";
import type { TrackInfo } from "./capture.js";
import { digestFile, type FileDigest } from "./checksum.js";
import { storeManifest } from "./manifest.js";
import type { RecordingJournal } from "./recording-journal.js";
import { segmentIndex } from "./segment-list.js";
import type { Storage } from "./storage.js";
import type { UploadQueue } from "./upload-queue.js";

export interface RecordingUploadsEvents {
  /** A file is in storage, verified, and gone from the spool. */
  uploaded: [file: RecordingFile];
  /** A file is neither in the spool nor in storage: it is marked failed (RECORDING_FILE_LOST). */
  lost: [file: RecordingFile];
  /** The manifest is stored (per-track recordings, after their last file). */
  manifest: [];
  /** The first failure of an outage (later retries stay quiet until an upload succeeds again). */
  outage: [message: string];
}

export class RecordingUploads extends EventEmitter<RecordingUploadsEvents> {
  readonly #journal: RecordingJournal;
  /** The recording's spool folder. */
  readonly #dir: string;
  readonly #storage: Storage;
  readonly #queue: UploadQueue;
  #outage = false;

  constructor(o: { journal: RecordingJournal; dir: string; storage: Storage; queue: UploadQueue }) {
    super();
    this.#journal = o.journal;
    this.#dir = o.dir;
    this.#storage = o.storage;
    this.#queue = o.queue;
  }

  /** A finished file in the spool: hashed, journaled as pending, queued. */
  async fileClosed(info: TrackInfo, file: string, segment: number): Promise<void> {
    const { data } = this.#journal;
    if (data.files.some((f) => f.file === file)) return;
    let digest: FileDigest;
    try {
      digest = await digestFile(join(this.#dir, file));
    } catch {
      return; // ffmpeg listed a segment it never wrote: there is nothing to upload
    }
    // A segment opened just before ffmpeg was killed may hold nothing yet.
    if (digest.bytes === 0) {
      await rm(join(this.#dir, file), { force: true });
      return;
    }
    const entry: RecordingFile = { ...fileBase(info, file), segment, ...digest, status: "pending", uploadAttempts: 0 };
    data.files.push(entry);
    await this.#journal.save();
    this.enqueue(entry);
  }

  /** Queues a pending file (a new one, or one a restarted node found in the journal). */
  enqueue(entry: RecordingFile): void {
    this.#queue.enqueue({
      id: `${this.#journal.id}/${entry.file}`,
      run: () => this.#upload(entry),
      failed: (error, attempt) => {
        entry.uploadAttempts = attempt;
        this.#failed(entry.file, error, attempt);
      },
    });
  }

  /** The last upload of a per-track recording: its manifest, so exports work without this node's memory. */
  enqueueManifest(): void {
    const journal = this.#journal;
    this.#queue.enqueue({
      id: `${journal.id}/${MANIFEST_FILE}`,
      run: async () => {
        journal.data.manifest = await storeManifest(this.#storage, this.#dir, journal.data);
        this.#storageBack();
        await journal.save();
        this.emit("manifest");
      },
      failed: (error, attempt) => this.#failed(MANIFEST_FILE, error, attempt),
    });
  }

  /** Releases the storage client (the S3 connection pool). */
  close(): void {
    this.#storage.close();
  }

  #failed(file: string, error: Error, attempt: number): void {
    this.#journal.setError("STORAGE_UNAVAILABLE", `upload of ${file} failed (attempt ${attempt}): ${error.message}`);
    if (this.#outage) return;
    this.#outage = true;
    this.emit("outage", error.message.slice(0, 900));
  }

  #storageBack(): void {
    if (!this.#outage) return;
    this.#outage = false;
    this.#journal.clearError("STORAGE_UNAVAILABLE");
  }

  async #upload(entry: RecordingFile): Promise<void> {
    const journal = this.#journal;
    const digest = { bytes: entry.bytes ?? 0, sha256: entry.sha256 ?? "" };
    const key = `${journal.data.room}/${journal.id}/${entry.file}`;
    const spoolPath = join(this.#dir, entry.file);
    const present = await digestFile(spoolPath).then(
      () => true,
      () => false,
    );
    if (present) {
      entry.location = await this.#storage.put(spoolPath, key, digest);
    } else if (!(await this.#storage.verify(key, digest))) {
      // Neither in the spool nor in storage: nothing left to retry.
      entry.status = "failed";
      journal.setError("RECORDING_FILE_LOST", `${entry.file} is missing from the spool and from storage`);
      await journal.save();
      this.emit("lost", entry);
      return;
    }
    entry.status = "uploaded";
    entry.uploadAttempts = (entry.uploadAttempts ?? 0) + 1;
    this.#storageBack();
    // Journal first: a crash between the two leaves a spool file that recovery simply deletes.
    await journal.save();
    await rm(spoolPath, { force: true });
    this.emit("uploaded", entry);
  }
}

/** A file's journal entry fields from its track and name (`…-00042.ext` is segment 42). */
export function fileBase(info: TrackInfo, file: string): Omit<RecordingFile, "status" | "segment"> & { segment: number } {
  return {
    file,
    producerId: info.producerId,
    ...(info.member ? { member: info.member } : {}),
    kind: info.kind,
    codec: info.codec,
    segment: segmentIndex(file),
  };
}
