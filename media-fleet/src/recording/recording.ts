/**
 * One per-track recording in one room: a TrackRecorder per producer (present at start or added
 * later), every closed segment hashed, journaled and queued for upload, and the recording's state
 * (recording → stopping → uploading → available) kept in its journal so a restarted node finishes
 * the uploads. A file leaves the spool only after its verified upload.
 *
 * Composite mode swaps the per-producer TrackRecorders for one CompositeRecorder fed every producer;
 * a snapshot is a recording of one file taken at once (mode "snapshot"), an export one of files made
 * from a finished recording in the background (mode "export"). All reuse the rest.
 */
import { EventEmitter } from "node:events";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { CompositeOptions, RecordingErrorInfo, RecordingEvent, RecordingFile, RecordingStatus, ResolvedStorage } from "@parley/shared";
import type { types } from "mediasoup";
import type { FfmpegLauncher } from "../ffmpeg/ffmpeg-process.js";
import type { PortPairs } from "../ffmpeg/ports.js";
import type { Logger } from "../logger.js";
import type { TrackInfo } from "./capture.js";
import { CompositeRecorder } from "./composite-recorder.js";
import type { JournalData, JournalStore } from "./journal.js";
import { type EventBody, fileBase, RecordingUploads } from "./recording-uploads.js";
import { safeName } from "./safe-name.js";
import { snapshotTrack, takeJpeg } from "./snapshot.js";
import { createStorage } from "./storage.js";
import { TrackRecorder } from "./track-recorder.js";
import type { UploadQueue } from "./upload-queue.js";

export interface RecordingDeps {
  spoolDir: string;
  ports: PortPairs;
  ffmpeg: FfmpegLauncher;
  queue: UploadQueue;
  journals: JournalStore;
  logger: Logger;
  router: (room: string) => types.Router | undefined;
}

export interface RecordingEvents {
  event: [event: RecordingEvent];
}

export class Recording extends EventEmitter<RecordingEvents> {
  readonly id: string;
  readonly room: string;
  readonly dir: string;
  readonly #deps: RecordingDeps;
  readonly #data: JournalData;
  readonly #uploads: RecordingUploads;
  readonly #tracks = new Map<string, TrackRecorder | CompositeRecorder>();
  #composite: CompositeRecorder | undefined;
  readonly #busy = new Set<Promise<unknown>>();
  #stopping: Promise<void> | undefined;

  private constructor(deps: RecordingDeps, data: JournalData) {
    super();
    this.#deps = deps;
    this.#data = data;
    this.id = data.recordingId;
    this.room = data.room;
    this.dir = join(deps.spoolDir, data.recordingId);
    this.#uploads = new RecordingUploads(
      {
        id: this.id,
        room: this.room,
        dir: this.dir,
        data,
        save: () => this.#save(),
        maybeFinish: () => this.#maybeFinish(),
        setError: (code, message) => this.#setError(code, message),
        emit: (type, body) => this.#emit(type, body),
      },
      createStorage(data.storage),
      deps.queue,
    );
  }

  static async start(
    deps: RecordingDeps,
    init: { room: string; recordingId: string; segmentSeconds: number; storage: ResolvedStorage; composite?: CompositeOptions },
    producers: types.Producer[],
  ): Promise<Recording> {
    const data = newJournal(init.recordingId, init.room, init.composite ? "composite" : "tracks", init.storage, init.segmentSeconds);
    const recording = new Recording(deps, data);
    await mkdir(recording.dir, { recursive: true });
    await recording.#save();
    if (init.composite) {
      try {
        await recording.#startComposite(init.composite, producers);
      } catch (error) {
        // Refused (e.g. WATERMARK_UNREADABLE) before anything was captured: leave no trace.
        await recording.#forget();
        throw error;
      }
    } else await Promise.all(producers.map((p) => recording.addProducer(p)));
    return recording;
  }

  /** One JPEG of `producer`, then stored like a finished recording (status via the same routes). */
  static async snapshot(
    deps: RecordingDeps,
    init: { room: string; snapshotId: string; storage: ResolvedStorage },
    producer: types.Producer,
  ): Promise<Recording> {
    const router = deps.router(init.room);
    if (!router) throw new Error("room closed");
    const info = snapshotTrack(producer);
    const data = newJournal(init.snapshotId, init.room, "snapshot", init.storage);
    data.tracks.push(info);
    const recording = new Recording(deps, data);
    const name = `${info.stem}-00000.${info.ext}`;
    try {
      await takeJpeg({ router, producer, dir: join(recording.dir, info.dir), name, ports: deps.ports, ffmpeg: deps.ffmpeg });
    } catch (error) {
      await rm(recording.dir, { recursive: true, force: true });
      throw error;
    }
    await recording.#save();
    await recording.#uploads.fileClosed(info, join(info.dir, name), 0);
    void recording.stop();
    return recording;
  }

  /**
   * An export (mode "export"): answered at once in state "recording" while `make` writes its files
   * into the spool folder; then they are stored like segments. `make` failing ends it as failed.
   */
  static exportOf(
    deps: RecordingDeps,
    init: { room: string; exportId: string; storage: ResolvedStorage },
    make: (dir: string) => Promise<TrackInfo[]>,
  ): Recording {
    const data = newJournal(init.exportId, init.room, "export", init.storage);
    const recording = new Recording(deps, data);
    // Journaled only once the files exist: a restart mid-export leaves nothing to resume.
    const work = recording.#track(
      (async () => {
        try {
          const made = await make(recording.dir);
          data.tracks.push(...made);
          for (const info of made) await recording.#uploads.fileClosed(info, join(info.dir, `${info.stem}-00000.${info.ext}`), 0);
        } catch (error) {
          deps.logger.error({ recording: recording.id, err: (error as Error).message }, "export failed");
          recording.#setError("EXPORT_FAILED", (error as Error).message);
        }
      })(),
    );
    void work.then(() => recording.stop());
    return recording;
  }

  /** What an export needs of a finished recording. */
  exportSource(): {
    mode: JournalData["mode"];
    state: RecordingStatus["state"];
    storage: ResolvedStorage;
    tracks: TrackInfo[];
    files: RecordingFile[];
  } {
    const d = this.#data;
    return { mode: d.mode, state: d.state, storage: d.storage, tracks: d.tracks, files: d.files };
  }

  async #startComposite(options: CompositeOptions, producers: types.Producer[]): Promise<void> {
    const router = this.#deps.router(this.room);
    if (!router) throw new Error("room closed");
    const composite = await CompositeRecorder.start(
      {
        router,
        root: this.dir,
        options,
        segmentSeconds: this.#data.segmentSeconds,
        ports: this.#deps.ports,
        ffmpeg: this.#deps.ffmpeg,
        logger: this.#deps.logger,
      },
      producers,
    );
    this.#composite = composite;
    this.#tracks.set(composite.info.producerId, composite);
    this.#data.tracks.push(composite.info);
    composite.on("segment", (file, index) => void this.#track(this.#uploads.fileClosed(composite.info, file, index)));
    composite.once("end", ({ code, diskFull, stderr }) => {
      this.#tracks.delete(composite.info.producerId);
      this.#deps.logger.debug({ recording: this.id, code, stderr: stderr.slice(-1500) }, "composite recorder ended");
      if (diskFull) this.spoolFull("ffmpeg could not write to the spool: no space left on device");
    });
    await this.#save();
  }

  /** A journaled recording found after a restart; `recover()` (once listened to) finishes what is left. */
  static restore(deps: RecordingDeps, data: JournalData): Recording {
    return new Recording(deps, data);
  }

  get state(): RecordingStatus["state"] {
    return this.#data.state;
  }

  /** The room's active speaker changed: a speaker-layout composite moves them to the main tile. */
  speakerChanged(member: string): void {
    this.#composite?.speakerChanged(member);
  }

  /** Starts recording a producer; a no-op if it is already recorded or capture has ended. */
  addProducer(producer: types.Producer): Promise<void> {
    // Tracked, so stop() waits for a track that is still starting.
    return this.#track(this.#addProducer(producer));
  }

  async #addProducer(producer: types.Producer): Promise<void> {
    if (this.#data.state !== "recording" || this.#tracks.has(producer.id) || producer.closed) return;
    if (this.#data.mode !== "tracks") return this.#composite?.addProducer(producer);
    const router = this.#deps.router(this.room);
    if (!router) return;
    const member = typeof producer.appData.member === "string" ? producer.appData.member : undefined;
    const info = {
      producerId: producer.id,
      ...(member ? { member } : {}),
      kind: producer.kind,
      dir: safeName(member ?? "unknown"),
      stem: `${producer.id}-${producer.kind}`,
    };
    let track: TrackRecorder | undefined;
    try {
      track = await TrackRecorder.start({
        router,
        producer,
        root: this.dir,
        info,
        segmentSeconds: this.#data.segmentSeconds,
        ports: this.#deps.ports,
        ffmpeg: this.#deps.ffmpeg,
      });
    } catch (error) {
      this.#deps.logger.error({ recording: this.id, producer: producer.id, err: (error as Error).message }, "could not record a track");
      this.#setError("RECORDER_UNAVAILABLE", `track ${producer.id}: ${(error as Error).message}`);
      return;
    }
    if (!track) {
      this.#deps.logger.warn({ recording: this.id, producer: producer.id }, "codec cannot be recorded without transcoding; track skipped");
      return;
    }
    const recorder = track;
    this.#tracks.set(producer.id, recorder);
    this.#data.tracks.push(recorder.info);
    recorder.on("segment", (file, index) => void this.#track(this.#uploads.fileClosed(recorder.info, file, index)));
    recorder.once("end", ({ code, diskFull, stderr }) => {
      this.#tracks.delete(producer.id);
      this.#deps.logger.debug({ recording: this.id, producer: producer.id, code, stderr: stderr.slice(-1500) }, "recorder ended");
      if (diskFull) this.spoolFull("ffmpeg could not write to the spool: no space left on device");
      else if (code !== 0 && code !== 255 && this.#data.state === "recording")
        this.#deps.logger.warn({ recording: this.id, producer: producer.id, code, stderr: stderr.slice(-300) }, "recorder exited");
    });
    await this.#save();
    // stop() ran while this track was starting: it is not in the set stop() closed.
    if (this.#data.state !== "recording") await recorder.stop();
  }

  /** Ends capture; closed segments go on uploading. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#data.state !== "recording") return;
      this.#data.state = "stopping";
      this.#data.stoppedAt = Date.now();
      await this.#save();
      await Promise.all([...this.#tracks.values()].map((t) => t.stop()));
      // Segments announced by the last ffmpeg exits are still being hashed.
      while (this.#busy.size > 0) await Promise.allSettled([...this.#busy]);
      this.#data.state = "uploading";
      await this.#save();
      this.#emit("recording.progress", { state: this.#data.state, files: this.#data.files });
      await this.#maybeFinish();
    })();
    return this.#stopping;
  }

  /** The spool is (nearly) full: capture stops with SPOOL_FULL; what was written still uploads. */
  spoolFull(message: string): void {
    if (this.#data.state !== "recording") return;
    this.#setError("SPOOL_FULL", message);
    this.#emit("recording.failed", { code: "SPOOL_FULL", message, fatal: false, files: this.#data.files });
    void this.stop();
  }

  async status(): Promise<RecordingStatus> {
    const open: RecordingFile[] = [];
    for (const track of this.#tracks.values()) {
      const file = await track.openSegment();
      if (file && !this.#data.files.some((f) => f.file === file)) open.push({ ...fileBase(track.info, file), status: "recording" });
    }
    const d = this.#data;
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

  /** Stops capture for a node shutdown and releases the storage client; uploads resume on the next start. */
  async close(): Promise<void> {
    await this.stop();
    this.#uploads.close();
  }

  async #maybeFinish(): Promise<void> {
    const d = this.#data;
    if (d.state !== "uploading" || d.files.some((f) => f.status === "pending" || f.status === "recording")) return;
    const lost = d.files.filter((f) => f.status === "failed");
    if (d.mode === "tracks" && lost.length === 0 && !d.manifest) return this.#uploads.enqueueManifest();
    // An export that made no file failed while making it (the reason is in d.error).
    const unmade = d.mode === "export" && d.files.length === 0;
    d.state = lost.length > 0 || unmade ? "failed" : "available";
    await this.#save();
    if (d.state === "available") this.#emit("recording.available", { storage: d.storage.kind, files: d.files });
    else if (unmade)
      this.#emit("recording.failed", {
        code: d.error?.code ?? "EXPORT_FAILED",
        message: d.error?.message ?? "the export made no file",
        fatal: true,
        files: [],
      });
    else
      this.#emit("recording.failed", { code: "RECORDING_FILE_LOST", message: `${lost.length} file(s) lost`, fatal: true, files: d.files });
    // Everything is in storage: the spool folder (SDPs, segment lists) and the journal have done their job.
    await this.#forget();
    this.#uploads.close();
  }

  /** Capture is over (the process that ran it is gone): keep every segment on disk and upload what is left. */
  async recover(): Promise<void> {
    const d = this.#data;
    if (d.state === "available" || d.state === "failed") {
      await this.#forget();
      return;
    }
    if (d.state === "recording" || d.state === "stopping") {
      // Capture died with the old process: every segment on disk, listed or not, is kept.
      for (const track of d.tracks) {
        const pattern = new RegExp(`^${track.stem}-(\\d+)\\.${track.ext}$`);
        const names = await readdir(join(this.dir, track.dir)).catch(() => [] as string[]);
        for (const name of names.sort()) {
          const match = pattern.exec(name);
          if (match) await this.#uploads.fileClosed(track, join(track.dir, name), Number(match[1]));
        }
      }
      d.stoppedAt ??= Date.now();
      if (d.state === "recording") {
        // The node died while capturing (crash, SIGKILL): closed segments are whole, the open one is
        // cut where the process stopped. The recording still completes with what was saved.
        const message = "capture ended when the node stopped unexpectedly; the last segment of each track may be cut short";
        this.#setError("NODE_RESTARTED", message);
        this.#emit("recording.failed", { code: "NODE_RESTARTED", message, fatal: false, files: d.files });
      }
      d.state = "uploading";
    }
    for (const file of d.files) {
      if (file.status === "uploaded") await rm(join(this.dir, file.file), { force: true });
      else if (file.status === "pending") this.#uploads.enqueue(file);
    }
    await this.#save();
    await this.#maybeFinish();
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#busy.add(promise);
    void promise.finally(() => this.#busy.delete(promise)).catch(() => undefined);
    return promise;
  }

  #setError(code: string, message: string): void {
    this.#data.error = { code, message: message.slice(0, 1000) } satisfies RecordingErrorInfo;
  }

  /** Removes the spool folder, then the journal: a crash between the two leaves a journal recovery finishes. */
  async #forget(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    await this.#deps.journals.remove(this.id).catch((error: Error) => {
      this.#deps.logger.error({ recording: this.id, err: error.message }, "could not remove the recording journal");
    });
  }

  async #save(): Promise<void> {
    try {
      await this.#deps.journals.save(this.#data);
    } catch (error) {
      // A full spool must not crash the node: the state lives on in memory and is saved next time.
      this.#deps.logger.error({ recording: this.id, err: (error as Error).message }, "could not write the recording journal");
      if ((error as NodeJS.ErrnoException).code === "ENOSPC") this.spoolFull("no space left on the spool for the journal");
    }
  }

  #emit<T extends RecordingEvent["type"]>(type: T, body: EventBody<T>): void {
    this.emit("event", { type, room: this.room, at: Date.now(), recordingId: this.id, ...body } as unknown as RecordingEvent);
  }
}

/** A fresh journal; one-offs (snapshots, exports) have a single "segment" per file. */
function newJournal(
  recordingId: string,
  room: string,
  mode: JournalData["mode"],
  storage: ResolvedStorage,
  segmentSeconds = 1,
): JournalData {
  return { version: 1, recordingId, room, mode, segmentSeconds, storage, startedAt: Date.now(), state: "recording", tracks: [], files: [] };
}
