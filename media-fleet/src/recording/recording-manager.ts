/**
 * The node's recordings: starts, stops and reports them for the control API, feeds new producers
 * to the recordings of their room, resumes journaled uploads after a restart, and watches the
 * spool's free space (capture stops with SPOOL_FULL before the disk is full, not when ffmpeg dies).
 */
import { EventEmitter } from "node:events";
import { mkdir, mkdtemp, statfs } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompositeOptions,
  ExportRequest,
  ParleyError,
  type RecordingEvent,
  type RecordingStatus,
  type RtmpStatus,
  StartRecordingRequest,
  StartRtmpRequest,
  type StorageConfig,
  TakeSnapshotRequest,
} from "@parley/shared";
import type { types } from "mediasoup";
import type { Logger } from "../logger.js";
import { describeStorage, type RecordingConfig } from "./config.js";
import { type ExportTrack, runExport } from "./exporter.js";
import { Journal } from "./journal.js";
import { PortPairs } from "./ports.js";
import type { ProducerRegistry } from "./producer-registry.js";
import { Recording, type RecordingDeps } from "./recording.js";
import { RtmpPush } from "./rtmp-push.js";
import { safeName } from "./safe-name.js";
import { UploadQueue } from "./upload-queue.js";

export interface RecordingManagerEvents {
  event: [event: RecordingEvent];
}

const SPACE_CHECK_MS = 1000;

export class RecordingManager extends EventEmitter<RecordingManagerEvents> {
  readonly #config: RecordingConfig;
  readonly #registry: ProducerRegistry;
  readonly #logger: Logger;
  readonly #queue: UploadQueue;
  readonly #deps: RecordingDeps;
  readonly #recordings = new Map<string, Recording>();
  readonly #pushes = new Map<string, RtmpPush>();
  readonly #spaceTimer: NodeJS.Timeout;
  /** Exports run one at a time: mixing is CPU work that live capture must not compete with. */
  #exports: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(config: RecordingConfig, registry: ProducerRegistry, logger: Logger) {
    super();
    this.#config = config;
    this.#registry = registry;
    this.#logger = logger;
    this.#queue = new UploadQueue({ concurrency: config.uploadConcurrency, maxBackoffMs: config.uploadMaxBackoffMs, logger });
    this.#deps = {
      spoolDir: config.spoolDir,
      ports: new PortPairs(config.minPort, config.maxPort),
      ffmpegPath: config.ffmpegPath,
      queue: this.#queue,
      logger,
      router: (room) => registry.router(room),
    };
    registry.on("newproducer", (room, producer) => {
      for (const recording of this.#recordings.values()) if (recording.room === room) void recording.addProducer(producer);
      this.#producersChanged(room);
      producer.observer.once("close", () => this.#producersChanged(room));
    });
    registry.on("activespeaker", (room, producer) => {
      for (const recording of this.#recordings.values()) if (recording.room === room) tellSpeaker(recording, producer);
    });
    registry.on("roomclose", (room) => {
      for (const recording of this.#recordings.values()) if (recording.room === room) void recording.stop();
      for (const push of this.#pushes.values()) if (push.room === room) void push.stop("the room closed");
    });
    this.#spaceTimer = setInterval(() => void this.#checkSpace(), SPACE_CHECK_MS);
    this.#spaceTimer.unref();
  }

  /** Resumes every recording journaled in the spool (folders are only created by the first recording). */
  static async create(config: RecordingConfig, registry: ProducerRegistry, logger: Logger): Promise<RecordingManager> {
    const manager = new RecordingManager(config, registry, logger);
    for (const found of await Journal.loadAll(config.spoolDir)) {
      if (!found.data) {
        logger.error({ dir: found.dir, err: found.error }, "unreadable recording journal left in the spool");
        continue;
      }
      const recording = await Recording.restore(manager.#deps, found.data);
      manager.#adopt(recording);
      logger.info({ recording: recording.id, state: recording.state }, "resumed a recording from the spool");
    }
    logger.info(
      { spool: config.spoolDir, storage: describeStorage(config.storage), segmentSeconds: config.segmentSeconds },
      "recordings ready",
    );
    return manager;
  }

  /** Idempotent for the same id in the same room (a retried start returns the running recording). */
  async start(room: string, body: StartRecordingRequest): Promise<RecordingStatus> {
    if (this.#closed) throw new ParleyError("NODE_DRAINING", "this node is shutting down");
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
    if (this.#closed) throw new ParleyError("NODE_DRAINING", "this node is shutting down");
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
   * Audio exports of a finished ("available") per-track recording stored on NAS: the uploaded
   * segments are read back from their NAS locations (the spool copies are gone by then). Answers at
   * once; the export is made in the background and reported like a recording (id `exportId`).
   */
  async exportRecording(room: string, id: string, body: ExportRequest): Promise<RecordingStatus> {
    if (this.#closed) throw new ParleyError("NODE_DRAINING", "this node is shutting down");
    const request = ExportRequest.parse(body);
    const existing = this.#existing(room, request.exportId);
    if (existing) return existing.status();
    const source = this.#get(room, id).exportSource();
    if (source.mode !== "tracks") throw new ParleyError("INVALID_REQUEST", `only per-track recordings can be exported, not ${source.mode}`);
    if (source.state !== "available")
      throw new ParleyError("INVALID_REQUEST", `recording ${id} is ${source.state}; exports need an available recording`);
    if (source.storage.kind !== "nas")
      throw new ParleyError("INVALID_REQUEST", "exports read recordings from NAS storage; this one is on S3");
    const t0 = Math.min(...source.tracks.map((t) => t.startedAt ?? Number.POSITIVE_INFINITY));
    const tracks: ExportTrack[] = [];
    for (const track of source.tracks) {
      if (track.kind !== "audio") continue;
      if (request.member !== undefined && track.member !== request.member) continue;
      const files = source.files.filter((f) => f.producerId === track.producerId).sort((a, b) => a.segment - b.segment);
      const paths = files.map((f) => f.location).filter((l): l is string => l !== undefined);
      if (paths.length === 0) continue;
      if (paths.length < files.length)
        throw new ParleyError("RECORDING_FILE_NOT_FOUND", `a segment of track ${track.producerId} is not in storage`);
      tracks.push({
        producerId: track.producerId,
        ...(track.member ? { member: track.member } : {}),
        offsetMs: Number.isFinite(t0) && track.startedAt !== undefined ? track.startedAt - t0 : 0,
        files: paths,
      });
    }
    if (tracks.length === 0)
      throw request.member === undefined
        ? new ParleyError("RECORDING_FILE_NOT_FOUND", `recording ${id} has no audio to export`)
        : new ParleyError("MEMBER_NOT_FOUND", `recording ${id} has no audio of member ${request.member}`);
    await this.#prepare(room, request.storage ?? source.storage, { needsRoom: false });
    const recording = Recording.exportOf(
      this.#deps,
      { room, exportId: request.exportId, storage: request.storage ?? source.storage },
      (dir) => {
        const made = this.#exports.then(async () => {
          const outputs = await runExport({
            ffmpegPath: this.#config.ffmpegPath,
            dir,
            kind: request.kind,
            format: request.format,
            ...(request.member === undefined ? {} : { member: request.member }),
            tracks,
            folder: safeName,
          });
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
      },
    );
    this.#adopt(recording);
    this.#logger.info({ room, export: recording.id, recording: id, kind: request.kind, format: request.format }, "export started");
    return recording.status();
  }

  /**
   * RTMP push of a member or of the composite (rtmp-push.ts). Idempotent for the same id in the same
   * room; answers at once in "starting" ("live" once ffmpeg is sending frames to the server).
   */
  async startRtmp(room: string, body: StartRtmpRequest): Promise<RtmpStatus> {
    if (this.#closed) throw new ParleyError("NODE_DRAINING", "this node is shutting down");
    const request = StartRtmpRequest.parse(body);
    const existing = this.#pushes.get(request.pushId);
    if (existing && existing.room !== room) throw new ParleyError("RECORDING_EXISTS", "an RTMP push with this id exists in another room");
    if (existing && !existing.ended) return existing.status();
    const router = this.#registry.router(room);
    if (!router) throw new ParleyError("ROOM_NOT_ON_NODE", "this node has no router for that room");
    const { source } = request;
    if (source.kind === "member" && !this.#registry.producers(room).some((p) => p.appData.member === source.member && !p.closed))
      throw new ParleyError("MEMBER_NOT_FOUND", `member ${source.member} publishes nothing in this room`);
    const push = await RtmpPush.start(room, request, {
      router,
      producers: () => this.#registry.producers(room),
      ports: this.#deps.ports,
      ffmpegPath: this.#config.ffmpegPath,
      dir: await mkdtemp(join(tmpdir(), "parley-rtmp-")),
      logger: this.#logger,
    });
    this.#pushes.set(push.id, push);
    return push.status();
  }

  async stopRtmp(room: string, id: string): Promise<RtmpStatus> {
    const push = this.#push(room, id);
    await push.stop();
    return push.status();
  }

  async getRtmp(room: string, id: string): Promise<RtmpStatus> {
    return this.#push(room, id).status();
  }

  #push(room: string, id: string): RtmpPush {
    const push = this.#pushes.get(id);
    if (!push || push.room !== room) throw new ParleyError("NOT_FOUND", "no such RTMP push in this room on this node");
    return push;
  }

  #producersChanged(room: string): void {
    for (const push of this.#pushes.values()) if (push.room === room) push.producersChanged();
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
    await Promise.all([...this.#pushes.values()].map((p) => p.stop("the node is shutting down")));
    await Promise.all([...this.#recordings.values()].map((r) => r.stop()));
    await this.#queue.close();
    await Promise.all([...this.#recordings.values()].map((r) => r.close()));
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
  async #prepare(room: string, requested: StorageConfig | undefined, o = { needsRoom: true }): Promise<StorageConfig> {
    if (o.needsRoom && !this.#registry.router(room)) throw new ParleyError("ROOM_NOT_ON_NODE", "this node has no router for that room");
    await mkdir(this.#config.spoolDir, { recursive: true, mode: 0o700 });
    // The configured local folder is ours to create; a NAS path from a request must already be mounted.
    if (!requested && this.#config.storage.kind === "nas") await mkdir(this.#config.storage.path, { recursive: true });
    const free = await this.#freeBytes();
    if (free !== undefined && free < this.#config.spoolMinFreeBytes)
      throw new ParleyError(
        "SPOOL_FULL",
        `the recording spool has ${free} bytes free, less than the ${this.#config.spoolMinFreeBytes} needed`,
      );
    return requested ?? this.#config.storage;
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

/** Passes the room's dominant speaker (an audio producer) on to a recording, by member. */
function tellSpeaker(recording: Recording, speaker: types.Producer | undefined): void {
  const member = speaker?.appData.member;
  if (typeof member === "string") recording.speakerChanged(member);
}
