/**
 * The node's recordings as the control API sees them: starts (per-track or composite), snapshots,
 * exports, stops and statuses. It checks each request (node open, journal store ready, room on this
 * node, spool space) and hands the work to the recording of that mode; the recordings themselves
 * live in the RecordingRegistry, node start-up is NodeRecovery, the spool's space the DiskWatch and
 * exports wait their turn in the ExportQueue.
 */
import { EventEmitter } from "node:events";
import { mkdir } from "node:fs/promises";
import {
  CompositeOptions,
  ExportRequest,
  ParleyError,
  type RecordingEvent,
  type RecordingStatus,
  type ResolvedStorage,
  StartRecordingRequest,
  type StorageConfig,
  TakeSnapshotRequest,
} from "@parley/shared";
import { tellSpeaker } from "../composite/speaker-follower.js";
import type { FfmpegChildren } from "../ffmpeg/ffmpeg-children.js";
import type { FfmpegLauncher } from "../ffmpeg/ffmpeg-process.js";
import type { PortPairs } from "../ffmpeg/ports.js";
import type { Logger } from "../logger.js";
import { checkStorageTarget } from "../outbound/storage-target.js";
import type { ProducerRegistry } from "../producer-registry.js";
import { CompositeRecording } from "./composite-recording.js";
import { describeStorage, type RecordingConfig } from "./config.js";
import { DiskWatch } from "./disk-watch.js";
import { ExportQueue } from "./export-queue.js";
import { ExportRecording } from "./export-recording.js";
import { type ExportSource, planExport } from "./export-sources.js";
import type { JournalStore } from "./journal.js";
import { readManifest } from "./manifest.js";
import { NodeRecovery } from "./node-recovery.js";
import type { Recording, RecordingDeps } from "./recording.js";
import { RecordingRegistry } from "./recording-registry.js";
import { SnapshotRecording } from "./snapshot-recording.js";
import { resolveStorage } from "./storage.js";
import { TrackRecording } from "./track-recording.js";
import { UploadQueue } from "./upload-queue.js";

export interface RecordingManagerEvents {
  event: [event: RecordingEvent];
}

export interface RecordingManagerOptions {
  config: RecordingConfig;
  producers: ProducerRegistry;
  journals: JournalStore;
  /** The node's ffmpeg launcher and RTP ports, shared with RTMP pushes. */
  ffmpeg: FfmpegLauncher;
  ports: PortPairs;
  /** Where the launcher lists its ffmpegs: recovery stops those a killed predecessor left running. */
  children: FfmpegChildren;
  logger: Logger;
}

export class RecordingManager extends EventEmitter<RecordingManagerEvents> {
  readonly #config: RecordingConfig;
  readonly #producers: ProducerRegistry;
  readonly #logger: Logger;
  readonly #journals: JournalStore;
  readonly #queue: UploadQueue;
  readonly #deps: RecordingDeps;
  readonly #registry: RecordingRegistry;
  readonly #recovery: NodeRecovery;
  readonly #disk: DiskWatch;
  readonly #exports: ExportQueue;
  #closed = false;

  constructor(o: RecordingManagerOptions) {
    super();
    const { config, logger } = o;
    this.#config = config;
    this.#producers = o.producers;
    this.#logger = logger;
    this.#journals = o.journals;
    this.#queue = new UploadQueue({ concurrency: config.uploadConcurrency, maxBackoffMs: config.uploadMaxBackoffMs, logger });
    this.#deps = {
      spoolDir: config.spoolDir,
      ports: o.ports,
      ffmpeg: o.ffmpeg,
      queue: this.#queue,
      journals: o.journals,
      logger,
      router: (room) => o.producers.router(room),
    };
    this.#registry = new RecordingRegistry(o.producers);
    this.#registry.on("event", (event) => this.emit("event", event));
    this.#recovery = new NodeRecovery({
      spoolDir: config.spoolDir,
      children: o.children,
      journals: o.journals,
      registry: this.#registry,
      deps: this.#deps,
      logger,
      describe: () => ({ storage: describeStorage(config.storage), segmentSeconds: config.segmentSeconds }),
    });
    this.#disk = new DiskWatch({
      dir: config.spoolDir,
      minFreeBytes: config.spoolMinFreeBytes,
      capturing: () => this.#registry.capturing().length > 0,
    });
    this.#disk.on("full", (message, free) => {
      const capturing = this.#registry.capturing();
      logger.error({ free, min: config.spoolMinFreeBytes, recordings: capturing.length }, "recording spool is full; stopping capture");
      for (const recording of capturing) recording.spoolFull(message);
    });
    this.#exports = new ExportQueue(o.ffmpeg);
  }

  /**
   * Resumes every journaled recording (listen to "event" first: recovery reports). Resolves false
   * when the journal store (Redis) did not answer within `waitMs` (NodeRecovery).
   */
  resume(waitMs: number): Promise<boolean> {
    return this.#recovery.run(waitMs);
  }

  /** False until journaled recordings were resumed, and while the journal store is unreachable. */
  get ready(): boolean {
    return this.#recovery.ready;
  }

  /** Where journals live ("spool" or a Redis address without password), for the health answer. */
  get journalStore(): string {
    return this.#journals.description;
  }

  get uploadsQueued(): number {
    return this.#queue.size;
  }

  /** Idempotent for the same id in the same room (a retried start returns the running recording). */
  async start(room: string, body: StartRecordingRequest): Promise<RecordingStatus> {
    this.#checkOpen();
    const request = StartRecordingRequest.parse(body);
    const retried = this.#retried(room, request.recordingId);
    if (retried) return retried;
    const storage = await this.#prepare(room, request.storage);
    const init = {
      room,
      recordingId: request.recordingId,
      segmentSeconds: request.segmentSeconds ?? this.#config.segmentSeconds,
      storage,
    };
    const producers = this.#producers.producers(room);
    const recording =
      request.mode === "composite"
        ? await CompositeRecording.start(this.#deps, { ...init, composite: request.composite ?? CompositeOptions.parse({}) }, producers)
        : await TrackRecording.start(this.#deps, init, producers);
    this.#registry.add(recording);
    tellSpeaker(recording, this.#producers.speaker(room));
    this.#logger.info({ room, recording: recording.id, storage: describeStorage(storage) }, "recording started");
    const status = await recording.status();
    this.emit("event", { type: "recording.progress", room, at: Date.now(), recordingId: recording.id, state: status.state, files: [] });
    return status;
  }

  /** A JPEG of one member's video, stored like a recording; idempotent for the same id like start. */
  async snapshot(room: string, body: TakeSnapshotRequest): Promise<RecordingStatus> {
    this.#checkOpen();
    const request = TakeSnapshotRequest.parse(body);
    const retried = this.#retried(room, request.snapshotId);
    if (retried) return retried;
    const producer = this.#producers
      .producers(room)
      .find((p) => p.kind === "video" && (request.producerId ? p.id === request.producerId : p.appData.member === request.member));
    if (!producer) {
      if (!this.#producers.router(room)) throw new ParleyError("ROOM_NOT_ON_NODE", "this node has no router for that room");
      throw new ParleyError("PRODUCER_NOT_FOUND", `no video producer ${request.producerId ?? `of member ${request.member}`} in this room`);
    }
    const storage = await this.#prepare(room, request.storage);
    const recording = await SnapshotRecording.take(this.#deps, { room, snapshotId: request.snapshotId, storage }, producer);
    this.#registry.add(recording);
    this.#logger.info({ room, snapshot: recording.id, producer: producer.id }, "snapshot taken");
    return recording.status();
  }

  /**
   * Audio exports of a finished ("available") per-track recording, held in memory or described by its
   * manifest in storage. Answers at once; the export is made in the background (ExportQueue) and
   * reported like a recording (id `exportId`).
   */
  async exportRecording(room: string, id: string, body: ExportRequest): Promise<RecordingStatus> {
    this.#checkOpen();
    const request = ExportRequest.parse(body);
    const retried = this.#retried(room, request.exportId);
    if (retried) return retried;
    const source = await this.#exportSource(room, id, request.source?.storage);
    const tracks = planExport(source, request, id);
    const storage = await this.#prepare(room, request.storage ?? source.storage, { needsRoom: false });
    const job = { room, recordingId: id, storage: source.storage, tracks, request };
    const recording = ExportRecording.start(this.#deps, { room, exportId: request.exportId, storage }, (dir) =>
      this.#exports.make(job, dir),
    );
    this.#registry.add(recording);
    this.#logger.info({ room, export: recording.id, recording: id, kind: request.kind, format: request.format }, "export started");
    return recording.status();
  }

  async stop(room: string, id: string): Promise<RecordingStatus> {
    const recording = this.#registry.get(room, id);
    await recording.stop();
    return recording.status();
  }

  get(room: string, id: string): Promise<RecordingStatus> {
    return this.#registry.get(room, id).status();
  }

  /** Node shutdown: stops capture (segments are closed and journaled), lets in-flight uploads end. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#disk.close();
    this.#recovery.close();
    const recordings = this.#registry.all();
    await Promise.all(recordings.map((r) => r.stop()));
    await this.#queue.close();
    await Promise.all(recordings.map((r) => r.close()));
    await this.#journals.close();
  }

  /**
   * The source of an export: the recording in memory, else (after a restart, or when the room was
   * hosted elsewhere) its manifest from the storage the request names (the node's own by default).
   */
  async #exportSource(room: string, id: string, stored: StorageConfig | undefined): Promise<ExportSource> {
    const held: Recording | undefined = this.#registry.find(room, id);
    if (held) {
      const source = held.exportSource();
      if (source.mode !== "tracks")
        throw new ParleyError("INVALID_REQUEST", `only per-track recordings can be exported, not ${source.mode}`);
      if (source.state !== "available")
        throw new ParleyError("INVALID_REQUEST", `recording ${id} is ${source.state}; exports need an available recording`);
      return source;
    }
    const storage = resolveStorage(stored, this.#config);
    return { storage, ...(await readManifest(storage, room, id)) };
  }

  /** A retried request (same id, same room) answers the recording it made; the id in another room is RECORDING_EXISTS. */
  #retried(room: string, id: string): Promise<RecordingStatus> | undefined {
    return this.#registry.existing(room, id)?.status();
  }

  /** New recordings need a node that is not shutting down and a journal store that answers. */
  #checkOpen(): void {
    if (this.#closed) throw new ParleyError("NODE_DRAINING", "this node is shutting down");
    if (!this.ready)
      throw new ParleyError(
        "RECORDING_QUEUE_UNAVAILABLE",
        `this node's recording journal store (${this.#journals.description}) is unreachable; retry later or on another node`,
      );
  }

  /** Checks room and spool space and creates folders; returns the storage to use. */
  async #prepare(room: string, requested: StorageConfig | ResolvedStorage | undefined, o = { needsRoom: true }): Promise<ResolvedStorage> {
    if (o.needsRoom && !this.#producers.router(room)) throw new ParleyError("ROOM_NOT_ON_NODE", "this node has no router for that room");
    await mkdir(this.#config.spoolDir, { recursive: true, mode: 0o700 });
    const storage = resolveStorage(requested, this.#config);
    await checkStorageTarget(storage);
    // The configured local folder (and an app's sub-folder of it) is ours to create; a NAS path from a request must already be mounted.
    if (storage.kind === "nas" && (!requested || (requested.kind === "nas" && "folder" in requested)))
      await mkdir(storage.path, { recursive: true });
    await this.#disk.ensureRoom();
    return storage;
  }
}
