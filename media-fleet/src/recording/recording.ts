/**
 * A recording on this node, whatever made its files: per-track (TrackRecording), composite
 * (CompositeRecording), one snapshot JPEG (SnapshotRecording) or an export of a finished recording
 * (ExportRecording). Every mode is stored the same way: each file is hashed, journaled and queued
 * for upload (RecordingUploads), and the state (recording → stopping → uploading → available |
 * failed) is kept in the recording's journal so a restarted node finishes the uploads. A file leaves
 * the spool only after its verified upload.
 *
 * `StoredRecording` holds that shared lifecycle; each mode adds how its files are made.
 */
import { EventEmitter } from "node:events";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { RecordingErrorCode, RecordingEvent, RecordingFile, RecordingStatus, ResolvedStorage } from "@parley/shared";
import type { types } from "mediasoup";
import type { FfmpegLauncher } from "../ffmpeg/ffmpeg-process.js";
import type { PortPairs } from "../ffmpeg/ports.js";
import type { Logger } from "../logger.js";
import type { Capture } from "./capture.js";
import type { JournalData, JournalStore } from "./journal.js";
import { RecordingJournal } from "./recording-journal.js";
import { fileBase, RecordingUploads } from "./recording-uploads.js";
import { createStorage } from "./storage.js";
import type { UploadQueue } from "./upload-queue.js";

/** What every recording uses of the node. */
export interface RecordingDeps {
  spoolDir: string;
  ports: PortPairs;
  ffmpeg: FfmpegLauncher;
  queue: UploadQueue;
  journals: JournalStore;
  logger: Logger;
  router: (room: string) => types.Router | undefined;
}

/** What a start names: the recording, its room, where its files go and how long a segment is. */
export interface RecordingInit {
  room: string;
  recordingId: string;
  segmentSeconds: number;
  storage: ResolvedStorage;
}

export interface RecordingEvents {
  /** For the edge: progress, availability, failures. */
  event: [event: RecordingEvent];
}

/** A recording event without what the recording fills in itself. */
export type EventBody<T extends RecordingEvent["type"]> = Omit<
  Extract<RecordingEvent, { type: T }>,
  "room" | "at" | "recordingId" | "type"
>;

/** Why a finished recording failed, for its `recording.failed` event. */
export interface Failure {
  code: RecordingErrorCode;
  message: string;
  files: RecordingFile[];
}

/** What the registry and the control API use of a recording, whatever its mode. */
export interface Recording extends EventEmitter<RecordingEvents> {
  readonly id: string;
  readonly room: string;
  readonly mode: JournalData["mode"];
  readonly state: RecordingStatus["state"];
  /** A producer joined the room: recorded if this recording captures the room (else a no-op). */
  addProducer(producer: types.Producer): Promise<void>;
  /** The room's active speaker changed: a speaker-layout composite moves them to the main tile. */
  speakerChanged(member: string): void;
  /** Ends capture; closed files go on uploading. Idempotent. */
  stop(): Promise<void>;
  /** The spool is (nearly) full: capture stops with SPOOL_FULL; what was written still uploads. */
  spoolFull(message: string): void;
  status(): Promise<RecordingStatus>;
  /** What an export needs of a finished recording. */
  exportSource(): Pick<JournalData, "mode" | "state" | "storage" | "tracks" | "files">;
  /** Capture is over (the process that ran it is gone): keeps every segment on disk and uploads what is left. */
  recover(): Promise<void>;
  /** Stops capture for a node shutdown and releases the storage client; uploads resume on the next start. */
  close(): Promise<void>;
}

export abstract class StoredRecording extends EventEmitter<RecordingEvents> implements Recording {
  readonly id: string;
  readonly room: string;
  /** The recording's spool folder. */
  readonly dir: string;
  protected readonly deps: RecordingDeps;
  protected readonly journal: RecordingJournal;
  protected readonly uploads: RecordingUploads;
  /** What is capturing now, by producer id (the composite's pseudo-track id for a composite). */
  readonly #captures = new Map<string, Capture>();
  readonly #busy = new Set<Promise<unknown>>();
  #stopping: Promise<void> | undefined;

  protected constructor(deps: RecordingDeps, data: JournalData) {
    super();
    this.deps = deps;
    this.id = data.recordingId;
    this.room = data.room;
    this.dir = join(deps.spoolDir, data.recordingId);
    this.journal = new RecordingJournal(deps.journals, data, deps.logger);
    this.journal.on("spoolfull", (message) => this.spoolFull(message));
    this.uploads = new RecordingUploads({ journal: this.journal, dir: this.dir, storage: createStorage(data.storage), queue: deps.queue });
    this.uploads.on("uploaded", (file) => {
      this.emitEvent("recording.progress", { state: this.journal.data.state, files: [file] });
      void this.#maybeFinish();
    });
    this.uploads.on("lost", () => void this.#maybeFinish());
    this.uploads.on("manifest", () => void this.#maybeFinish());
    this.uploads.on("outage", (message) =>
      this.emitEvent("recording.failed", { code: "STORAGE_UNAVAILABLE", message, fatal: false, files: this.journal.data.files }),
    );
  }

  get mode(): JournalData["mode"] {
    return this.journal.data.mode;
  }

  get state(): RecordingStatus["state"] {
    return this.journal.data.state;
  }

  addProducer(_producer: types.Producer): Promise<void> {
    return Promise.resolve();
  }

  speakerChanged(_member: string): void {}

  exportSource(): Pick<JournalData, "mode" | "state" | "storage" | "tracks" | "files"> {
    const { mode, state, storage, tracks, files } = this.journal.data;
    return { mode, state, storage, tracks, files };
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const d = this.journal.data;
      if (d.state !== "recording") return;
      d.state = "stopping";
      d.stoppedAt = Date.now();
      await this.journal.save();
      await Promise.all([...this.#captures.values()].map((c) => c.stop()));
      // Segments announced by the last ffmpeg exits are still being hashed.
      while (this.#busy.size > 0) await Promise.allSettled([...this.#busy]);
      d.state = "uploading";
      await this.journal.save();
      this.emitEvent("recording.progress", { state: d.state, files: d.files });
      await this.#maybeFinish();
    })();
    return this.#stopping;
  }

  spoolFull(message: string): void {
    if (this.journal.data.state !== "recording") return;
    this.journal.setError("SPOOL_FULL", message);
    this.emitEvent("recording.failed", { code: "SPOOL_FULL", message, fatal: false, files: this.journal.data.files });
    void this.stop();
  }

  async status(): Promise<RecordingStatus> {
    const d = this.journal.data;
    const open: RecordingFile[] = [];
    for (const capture of this.#captures.values()) {
      const file = await capture.openSegment();
      if (file && !d.files.some((f) => f.file === file)) open.push({ ...fileBase(capture.info, file), status: "recording" });
    }
    return {
      recordingId: d.recordingId,
      room: d.room,
      mode: d.mode,
      state: d.state,
      segmentSeconds: d.segmentSeconds,
      storage: d.storage.kind,
      startedAt: d.startedAt,
      ...(d.stoppedAt === undefined ? {} : { stoppedAt: d.stoppedAt }),
      files: [...d.files, ...open],
      ...(d.error ? { error: d.error } : {}),
    };
  }

  async close(): Promise<void> {
    await this.stop();
    this.uploads.close();
  }

  async recover(): Promise<void> {
    const d = this.journal.data;
    if (d.state === "available" || d.state === "failed") {
      await this.forget();
      return;
    }
    if (d.state === "recording" || d.state === "stopping") {
      // Capture died with the old process: every segment on disk, listed or not, is kept.
      for (const track of d.tracks) {
        const pattern = new RegExp(`^${track.stem}-(\\d+)\\.${track.ext}$`);
        // A track folder that was never made holds no segment to keep.
        const names = await readdir(join(this.dir, track.dir)).catch(() => [] as string[]);
        for (const name of names.sort()) {
          const match = pattern.exec(name);
          if (match) await this.uploads.fileClosed(track, join(track.dir, name), Number(match[1]));
        }
      }
      d.stoppedAt ??= Date.now();
      if (d.state === "recording") {
        // The node died while capturing (crash, SIGKILL): closed segments are whole, the open one is
        // cut where the process stopped. The recording still completes with what was saved.
        const message = "capture ended when the node stopped unexpectedly; the last segment of each track may be cut short";
        this.journal.setError("NODE_RESTARTED", message);
        this.emitEvent("recording.failed", { code: "NODE_RESTARTED", message, fatal: false, files: d.files });
      }
      d.state = "uploading";
    }
    for (const file of d.files) {
      if (file.status === "uploaded") await rm(join(this.dir, file.file), { force: true });
      else if (file.status === "pending") this.uploads.enqueue(file);
    }
    await this.journal.save();
    await this.#maybeFinish();
  }

  /** Makes the spool folder and writes the first journal: a capture starting now is recovered after a crash. */
  protected async begin(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.journal.save();
  }

  /**
   * Captures `capture` under `key` until its ffmpeg ends: each closed segment is uploaded; a death
   * on a full disk stops the recording with SPOOL_FULL.
   */
  protected adoptCapture(key: string, capture: Capture, onEnd?: (end: { code: number | null; stderr: string }) => void): void {
    this.#captures.set(key, capture);
    this.journal.data.tracks.push(capture.info);
    capture.on("segment", (file, index) => void this.track(this.uploads.fileClosed(capture.info, file, index)));
    capture.once("end", ({ code, diskFull, stderr }) => {
      this.#captures.delete(key);
      this.deps.logger.debug({ recording: this.id, capture: key, code, stderr: stderr.slice(-1500) }, "recorder ended");
      if (diskFull) this.spoolFull("ffmpeg could not write to the spool: no space left on device");
      else onEnd?.({ code, stderr });
    });
  }

  protected isCapturing(key: string): boolean {
    return this.#captures.has(key);
  }

  /** Work stop() must wait for (a track still starting, a segment still being hashed). */
  protected track<T>(promise: Promise<T>): Promise<T> {
    this.#busy.add(promise);
    // Only the bookkeeping: whoever made `promise` handles its failure.
    void promise.finally(() => this.#busy.delete(promise)).catch(() => undefined);
    return promise;
  }

  /**
   * Every file is settled: a hook for what a mode still has to store before it is complete. True
   * when it queued something (the per-track manifest) and the recording is not finished yet.
   */
  protected beforeFinish(_lost: RecordingFile[]): boolean {
    return false;
  }

  /** Why the recording failed, or undefined when it is available. */
  protected failure(lost: RecordingFile[]): Failure | undefined {
    if (lost.length === 0) return undefined;
    return { code: "RECORDING_FILE_LOST", message: `${lost.length} file(s) lost`, files: this.journal.data.files };
  }

  async #maybeFinish(): Promise<void> {
    const d = this.journal.data;
    if (d.state !== "uploading" || d.files.some((f) => f.status === "pending" || f.status === "recording")) return;
    const lost = d.files.filter((f) => f.status === "failed");
    if (this.beforeFinish(lost)) return;
    const failure = this.failure(lost);
    d.state = failure ? "failed" : "available";
    await this.journal.save();
    if (failure) this.emitEvent("recording.failed", { ...failure, fatal: true });
    else this.emitEvent("recording.available", { storage: d.storage.kind, files: d.files });
    // Everything is in storage: the spool folder (SDPs, segment lists) and the journal have done their job.
    await this.forget();
    this.uploads.close();
  }

  /** Removes the spool folder, then the journal: a crash between the two leaves a journal recovery finishes. */
  protected async forget(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    await this.journal.remove();
  }

  protected emitEvent<T extends RecordingEvent["type"]>(type: T, body: EventBody<T>): void {
    this.emit("event", { type, room: this.room, at: Date.now(), recordingId: this.id, ...body } as unknown as RecordingEvent);
  }
}
