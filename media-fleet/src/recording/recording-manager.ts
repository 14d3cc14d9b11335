/**
 * The node's recordings: starts, stops and reports them for the control API, feeds new producers
 * to the recordings of their room, resumes journaled uploads after a restart, and watches the
 * spool's free space (capture stops with SPOOL_FULL before the disk is full, not when ffmpeg dies).
 */
import { EventEmitter } from "node:events";
import { mkdir, rm, statfs } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import {
  CompositeOptions,
  ExportRequest,
  NasFolder,
  ParleyError,
  type RecordingEvent,
  type RecordingStatus,
  type ResolvedStorage,
  type RtmpEvent,
  type RtmpStatus,
  StartRecordingRequest,
  type StartRtmpRequest,
  type StorageConfig,
  TakeSnapshotRequest,
} from "@parley/shared";
import type { Logger } from "../logger.js";
import { checkStorageTarget } from "../outbound/storage-target.js";
import { describeStorage, type RecordingConfig } from "./config.js";
import { type ExportSource, localSources, planExport, SOURCES_DIR } from "./export-sources.js";
import { type ExportTrack, runExport } from "./exporter.js";
import { FfmpegChildren } from "./ffmpeg-children.js";
import { FfmpegLauncher } from "./ffmpeg-process.js";
import type { JournalStore } from "./journal.js";
import { readManifest } from "./manifest.js";
import { PortPairs } from "./ports.js";
import type { ProducerRegistry } from "./producer-registry.js";
import { Recording, type RecordingDeps } from "./recording.js";
import { RtmpPushes } from "./rtmp-pushes.js";
import { safeName } from "./safe-name.js";
import { tellSpeaker } from "./speaker-follower.js";
import { UploadQueue } from "./upload-queue.js";

export interface RecordingManagerEvents {
  event: [event: RecordingEvent | RtmpEvent];
}

const SPACE_CHECK_MS = 1000;

export class RecordingManager extends EventEmitter<RecordingManagerEvents> {
  readonly #config: RecordingConfig;
  readonly #registry: ProducerRegistry;
  readonly #logger: Logger;
  readonly #queue: UploadQueue;
  readonly #journals: JournalStore;
  readonly #deps: RecordingDeps;
  /** Every ffmpeg this node starts, recorded in the spool for the orphan reaper (ffmpeg-children.ts). */
  readonly #ffmpegChildren: FfmpegChildren;
  readonly #recordings = new Map<string, Recording>();
  readonly #pushes: RtmpPushes;
  readonly #spaceTimer: NodeJS.Timeout;
  /** Exports run one at a time: mixing is CPU work that live capture must not compete with. */
  #exports: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Set once the journals were read back and their recordings resumed. */
  #resumed = false;

  constructor(config: RecordingConfig, registry: ProducerRegistry, logger: Logger, journals: JournalStore) {
    super();
    this.#config = config;
    this.#registry = registry;
    this.#logger = logger;
    this.#journals = journals;
    this.#ffmpegChildren = new FfmpegChildren(config.spoolDir, (error) =>
      logger.warn({ err: error.message }, "could not record an ffmpeg child in the spool; a crash now could orphan it"),
    );
    this.#queue = new UploadQueue({ concurrency: config.uploadConcurrency, maxBackoffMs: config.uploadMaxBackoffMs, logger });
    this.#deps = {
      spoolDir: config.spoolDir,
      ports: new PortPairs(config.minPort, config.maxPort),
      ffmpeg: new FfmpegLauncher(config.ffmpegPath, this.#ffmpegChildren),
      queue: this.#queue,
      journals,
      logger,
      router: (room) => registry.router(room),
    };
    this.#pushes = new RtmpPushes(registry, {
      ports: this.#deps.ports,
      ffmpeg: this.#deps.ffmpeg,
      logger,
      onEvent: (event) => this.emit("event", event),
    });
    registry.on("newproducer", (room, producer) => {
      for (const recording of this.#recordings.values()) if (recording.room === room) void recording.addProducer(producer);
    });
    registry.on("activespeaker", (room, producer) => {
      for (const recording of this.#recordings.values()) if (recording.room === room) tellSpeaker(recording, producer);
    });
    registry.on("roomclose", (room) => {
      for (const recording of this.#recordings.values()) if (recording.room === room) void recording.stop();
    });
    this.#spaceTimer = setInterval(() => void this.#checkSpace(), SPACE_CHECK_MS);
    this.#spaceTimer.unref();
  }

  /**
   * Resumes every journaled recording (listen to "event" first: recovery reports). When the journal
   * store (Redis) does not answer within `waitMs`, resolves false and resumes once it does; until
   * then new recordings are refused and the node's health says why.
   */
  async resume(waitMs: number): Promise<boolean> {
    await this.#reapOrphans();
    if (await this.#journals.waitReady(waitMs)) {
      await this.#resumeJournaled();
      return true;
    }
    this.#logger.error(
      { journals: this.#journals.description },
      "recording journal store unreachable; recordings are refused and pending uploads wait until it answers",
    );
    const retry = async (): Promise<void> => {
      while (!this.#closed && !(await this.#journals.waitReady(5000)));
      if (this.#closed) return;
      await this.#resumeJournaled().catch((error: Error) => {
        this.#logger.error({ err: error.message }, "could not resume journaled recordings; retrying");
        return retry();
      });
    };
    void retry();
    return false;
  }

  /** False until journaled recordings were resumed, and while the journal store is unreachable. */
  get ready(): boolean {
    return this.#resumed && this.#journals.ready;
  }

  /** Where journals live ("spool" or a Redis address without password), for the health answer. */
  get journalStore(): string {
    return this.#journals.description;
  }

  /**
   * ffmpegs a killed predecessor left running over this spool still hold their UDP ports and write
   * to segments the journals are about to recover: they go first.
   */
  async #reapOrphans(): Promise<void> {
    await mkdir(this.#config.spoolDir, { recursive: true, mode: 0o700 });
    const { reaped, stale } = await this.#ffmpegChildren.reapOrphans();
    if (reaped > 0 || stale > 0)
      this.#logger.warn({ reaped, stale }, "stopped the ffmpeg processes a previous run of this node left behind");
  }

  async #resumeJournaled(): Promise<void> {
    for (const found of await this.#journals.loadAll()) {
      if (!found.data) {
        this.#logger.error({ recording: found.id, err: found.error }, "unreadable recording journal left behind");
        continue;
      }
      if (this.#recordings.has(found.id)) continue;
      const recording = Recording.restore(this.#deps, found.data);
      this.#adopt(recording);
      await recording.recover();
      this.#logger.info({ recording: recording.id, state: recording.state }, "resumed a journaled recording");
    }
    this.#resumed = true;
    this.#logger.info(
      {
        spool: this.#config.spoolDir,
        journals: this.#journals.description,
        storage: describeStorage(this.#config.storage),
        segmentSeconds: this.#config.segmentSeconds,
      },
      "recordings ready",
    );
  }

  /** Idempotent for the same id in the same room (a retried start returns the running recording). */
  async start(room: string, body: StartRecordingRequest): Promise<RecordingStatus> {
    this.#checkOpen();
    const request = StartRecordingRequest.parse(body);
    const existing = this.#existing(room, request.recordingId);
    if (existing) return existing.status();
    const storage = await this.#prepare(room, request.storage);
    const recording = await Recording.start(
      this.#deps,
      {
        room,
        recordingId: request.recordingId,
        segmentSeconds: request.segmentSeconds ?? this.#config.segmentSeconds,
        storage,
        ...(request.mode === "composite" ? { composite: request.composite ?? CompositeOptions.parse({}) } : {}),
      },
      this.#registry.producers(room),
    );
    this.#adopt(recording);
    tellSpeaker(recording, this.#registry.speaker(room));
    this.#logger.info({ room, recording: recording.id, storage: describeStorage(storage) }, "recording started");
    const status = await recording.status();
    this.emit("event", { type: "recording.progress", room, at: Date.now(), recordingId: recording.id, state: status.state, files: [] });
    return status;
  }

  /** A JPEG of one member's video, stored like a recording; idempotent for the same id like start. */
  async snapshot(room: string, body: TakeSnapshotRequest): Promise<RecordingStatus> {
    this.#checkOpen();
    const request = TakeSnapshotRequest.parse(body);
    const existing = this.#existing(room, request.snapshotId);
    if (existing) return existing.status();
    const producer = this.#registry
      .producers(room)
      .find((p) => p.kind === "video" && (request.producerId ? p.id === request.producerId : p.appData.member === request.member));
    if (!producer) {
      if (!this.#registry.router(room)) throw new ParleyError("ROOM_NOT_ON_NODE", "this node has no router for that room");
      throw new ParleyError("PRODUCER_NOT_FOUND", `no video producer ${request.producerId ?? `of member ${request.member}`} in this room`);
    }
    const storage = await this.#prepare(room, request.storage);
    const recording = await Recording.snapshot(this.#deps, { room, snapshotId: request.snapshotId, storage }, producer);
    this.#adopt(recording);
    this.#logger.info({ room, snapshot: recording.id, producer: producer.id }, "snapshot taken");
    return recording.status();
  }

  /**
   * Audio exports of a finished ("available") per-track recording, held in memory or described by its
   * manifest in storage: the uploaded segments are read back from NAS, or downloaded from S3 into the
   * export's spool folder (the spool copies are gone by then; export-sources.ts). Answers at once; the export is made in the background and reported
   * like a recording (id `exportId`).
   */
  async exportRecording(room: string, id: string, body: ExportRequest): Promise<RecordingStatus> {
    this.#checkOpen();
    const request = ExportRequest.parse(body);
    const existing = this.#existing(room, request.exportId);
    if (existing) return existing.status();
    const source = await this.#exportSource(room, id, request.source?.storage);
    const planned = planExport(source, request, id);
    const storage = await this.#prepare(room, request.storage ?? source.storage, { needsRoom: false });
    const recording = Recording.exportOf(this.#deps, { room, exportId: request.exportId, storage }, (dir) => {
      const made = this.#exports.then(async () => {
        let tracks: ExportTrack[];
        let outputs: Awaited<ReturnType<typeof runExport>>;
        try {
          tracks = await localSources({ tracks: planned, storage: source.storage, room, recordingId: id, dir });
          outputs = await runExport({
            ffmpeg: this.#deps.ffmpeg,
            dir,
            kind: request.kind,
            format: request.format,
            ...(request.member === undefined ? {} : { member: request.member }),
            tracks,
            folder: safeName,
          });
        } finally {
          // Downloaded sources are not part of the export: only its outputs are stored.
          await rm(join(dir, SOURCES_DIR), { recursive: true, force: true });
        }
        return outputs.map((o) => {
          const slash = o.file.lastIndexOf("/");
          const name = o.file.slice(slash + 1);
          return {
            producerId: o.member === undefined ? "mixed" : (tracks.find((t) => t.member === o.member)?.producerId ?? "mixed"),
            ...(o.member === undefined ? {} : { member: o.member }),
            kind: "audio" as const,
            codec: o.codec,
            dir: o.file.slice(0, slash),
            stem: name.replace(/-00000\.[a-z0-9]+$/, ""),
            ext: name.slice(name.lastIndexOf(".") + 1),
          };
        });
      });
      this.#exports = made.catch(() => undefined);
      return made;
    });
    this.#adopt(recording);
    this.#logger.info({ room, export: recording.id, recording: id, kind: request.kind, format: request.format }, "export started");
    return recording.status();
  }

  /**
   * The source of an export: the recording in memory, else (after a restart, or when the room was
   * hosted elsewhere) its manifest from the storage the request names (the node's own by default).
   */
  async #exportSource(room: string, id: string, stored: StorageConfig | undefined): Promise<ExportSource> {
    const held = this.#recordings.get(id);
    if (held && held.room === room) {
      const source = held.exportSource();
      if (source.mode !== "tracks")
        throw new ParleyError("INVALID_REQUEST", `only per-track recordings can be exported, not ${source.mode}`);
      if (source.state !== "available")
        throw new ParleyError("INVALID_REQUEST", `recording ${id} is ${source.state}; exports need an available recording`);
      return source;
    }
    const storage = this.#resolve(stored);
    return { storage, ...(await readManifest(storage, room, id)) };
  }

  /** RTMP push of a member or of the composite (rtmp-pushes.ts). */
  async startRtmp(room: string, body: StartRtmpRequest): Promise<RtmpStatus> {
    if (this.#closed) throw new ParleyError("NODE_DRAINING", "this node is shutting down");
    return this.#pushes.start(room, body);
  }

  stopRtmp(room: string, id: string): Promise<RtmpStatus> {
    return this.#pushes.stop(room, id);
  }

  async getRtmp(room: string, id: string): Promise<RtmpStatus> {
    return this.#pushes.get(room, id);
  }

  async stop(room: string, id: string): Promise<RecordingStatus> {
    const recording = this.#get(room, id);
    await recording.stop();
    return recording.status();
  }

  get(room: string, id: string): Promise<RecordingStatus> {
    return this.#get(room, id).status();
  }

  get uploadsQueued(): number {
    return this.#queue.size;
  }

  /** Node shutdown: stops capture (segments are closed and journaled), lets in-flight uploads end. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#spaceTimer);
    await this.#pushes.stopAll("the node is shutting down");
    await Promise.all([...this.#recordings.values()].map((r) => r.stop()));
    await this.#queue.close();
    await Promise.all([...this.#recordings.values()].map((r) => r.close()));
    await this.#journals.close();
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

  #adopt(recording: Recording): void {
    this.#recordings.set(recording.id, recording);
    recording.on("event", (event) => this.emit("event", event));
  }

  /** A retried start/snapshot gets the one already made; the same id in another room is refused. */
  #existing(room: string, id: string): Recording | undefined {
    const existing = this.#recordings.get(id);
    if (existing && existing.room !== room) throw new ParleyError("RECORDING_EXISTS", "a recording with this id exists in another room");
    return existing;
  }

  /** Checks room and spool space and creates folders; returns the storage to use. */
  async #prepare(room: string, requested: StorageConfig | ResolvedStorage | undefined, o = { needsRoom: true }): Promise<ResolvedStorage> {
    if (o.needsRoom && !this.#registry.router(room)) throw new ParleyError("ROOM_NOT_ON_NODE", "this node has no router for that room");
    await mkdir(this.#config.spoolDir, { recursive: true, mode: 0o700 });
    const storage = this.#resolve(requested);
    await checkStorageTarget(storage);
    // The configured local folder (and an app's sub-folder of it) is ours to create; a NAS path from a request must already be mounted.
    if (storage.kind === "nas" && (!requested || (requested.kind === "nas" && "folder" in requested)))
      await mkdir(storage.path, { recursive: true });
    const free = await this.#freeBytes();
    if (free !== undefined && free < this.#config.spoolMinFreeBytes)
      throw new ParleyError(
        "SPOOL_FULL",
        `the recording spool has ${free} bytes free, less than the ${this.#config.spoolMinFreeBytes} needed`,
      );
    return storage;
  }

  /** A NAS `folder` is a sub-folder of NAS_PATH (where signed downloads are served from); `{kind:"nas"}` alone is NAS_PATH. */
  #resolve(requested: StorageConfig | ResolvedStorage | undefined): ResolvedStorage {
    if (!requested) return this.#config.storage;
    if (requested.kind === "s3") return requested;
    if (requested.path !== undefined) return { kind: "nas", path: requested.path };
    const folder = "folder" in requested ? requested.folder : undefined;
    if (folder === undefined) return { kind: "nas", path: this.#config.nasPath };
    const path = resolve(this.#config.nasPath, NasFolder.parse(folder));
    // NasFolder refuses `..` already; this keeps the rule even if that check is ever loosened.
    if (!path.startsWith(this.#config.nasPath + sep))
      throw new ParleyError("INVALID_REQUEST", "storage.folder must stay inside the node's NAS folder");
    return { kind: "nas", path };
  }

  #get(room: string, id: string): Recording {
    const recording = this.#recordings.get(id);
    if (!recording || recording.room !== room) throw new ParleyError("RECORDING_NOT_FOUND", "no such recording in this room on this node");
    return recording;
  }

  async #freeBytes(): Promise<number | undefined> {
    try {
      const s = await statfs(this.#config.spoolDir);
      return s.bavail * s.bsize;
    } catch {
      return undefined;
    }
  }

  async #checkSpace(): Promise<void> {
    const capturing = [...this.#recordings.values()].filter((r) => r.state === "recording");
    if (capturing.length === 0) return;
    const free = await this.#freeBytes();
    if (free === undefined || free >= this.#config.spoolMinFreeBytes) return;
    this.#logger.error(
      { free, min: this.#config.spoolMinFreeBytes, recordings: capturing.length },
      "recording spool is full; stopping capture",
    );
    for (const r of capturing)
      r.spoolFull(`the recording spool has ${free} bytes free, less than SPOOL_MIN_FREE_BYTES=${this.#config.spoolMinFreeBytes}`);
  }
}
