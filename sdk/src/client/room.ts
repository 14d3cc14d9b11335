import { assertNever, type MemberInfo, ParleyError, type SignalEvent, type TrackSource } from "@parley/shared";
import { CALL_MODES, type CallMode, type CallModeSettings } from "./call-modes.js";
import {
  type CameraOptions,
  cameraProduceOptions,
  captureCamera,
  captureMicrophone,
  captureScreen,
  MICROPHONE_OPTIONS,
  SCREEN_OPTIONS,
} from "./capture.js";
import { clientInfo } from "./client-info.js";
import { type Consumer, MediaSession, type ProduceOptions, type Producer } from "./media-session.js";
import { QualityMeter, type QualityReport, type TrackQuality } from "./quality.js";
import { resumeWithBackoff } from "./reconnect.js";
import type { RemoteMember, RemoteTrack } from "./remote.js";
import { Roster } from "./roster.js";
import { type RequestBody, SignalConnection, type WebSocketFactory } from "./signal-connection.js";
import { TypedEmitter } from "./typed-emitter.js";

export interface RoomOptions {
  /** Display name and metadata sent with join. */
  name?: string;
  metadata?: Record<string, import("@parley/shared").JsonValue>;
  /** Subscribe to every published track automatically (default true). */
  autoSubscribe?: boolean;
  /** WebSocket implementation; the browser's by default (pass `ws` in Node). */
  WebSocket?: WebSocketFactory;
  /** mediasoup-client handler; detected in browsers, "Chrome111" for Node with @roamhq/wrtc. */
  handlerName?: import("mediasoup-client").types.BuiltinHandlerName;
  /** Reconnect after a drop (default true): same member, transports renegotiated. */
  reconnect?: boolean;
  /** Give up reconnecting after this long (default 115 s, inside the 120 s resume window). */
  reconnectForMs?: number;
  callMode?: CallMode;
  /** How often quality figures are reported to the room for call records, in ms (default 5000; 0: never). */
  qualityReportIntervalMs?: number;
}

export interface RoomEvents {
  memberJoined: (member: RemoteMember) => void;
  memberLeft: (member: RemoteMember, reason: string) => void;
  memberUpdated: (member: RemoteMember) => void;
  trackPublished: (track: RemoteTrack) => void;
  trackSubscribed: (track: RemoteTrack) => void;
  trackUnpublished: (track: RemoteTrack) => void;
  trackMuted: (track: RemoteTrack, muted: boolean) => void;
  /** The app muted one of this member's tracks (`POST /v1/rooms/:room/members/:user/mute`); `unmute()` undoes it. */
  localTrackMuted: (track: LocalTrack, muted: boolean) => void;
  layersChanged: (track: RemoteTrack, spatialLayer: number | null, temporalLayer: number | null) => void;
  activeSpeaker: (member: string) => void;
  /** The room's recording changed state: show people they are recorded. */
  recordingState: (recordingId: string, status: "recording" | "uploading" | "available" | "failed") => void;
  message: (from: string, text: string, isPrivate: boolean) => void;
  notification: (data: unknown) => void;
  reconnecting: () => void;
  reconnected: () => void;
  /** The member is gone: left, kicked, room closed, or reconnecting failed. */
  disconnected: (reason: string) => void;
  error: (error: Error) => void;
}

/** A published local track. */
export interface LocalTrack {
  id: string;
  source: TrackSource;
  producer: Producer;
  mute(): Promise<void>;
  unmute(): Promise<void>;
  close(): Promise<void>;
}

const DROP_CODES_THAT_END = new Set([1000, 4001, 4003]);

/** A joined room: members, their tracks, your published tracks, messages, quality. */
export class Room extends TypedEmitter<RoomEvents> {
  readonly url: string;
  /** Everyone else in the room, by member id, with the tracks they publish. */
  readonly members: Map<string, RemoteMember>;
  readonly localTracks = new Map<string, LocalTrack>();
  #options: RoomOptions;
  #roster: Roster;
  #signal: SignalConnection;
  #media: MediaSession;
  #member: MemberInfo;
  #resume: string;
  #quality = new QualityMeter();
  #callMode: CallModeSettings;
  #state: "joined" | "reconnecting" | "closed" = "joined";
  #qualityTimer: ReturnType<typeof setInterval> | null = null;
  #offlineUntil = 0;
  #simulatedDrop = false;

  private constructor(url: string, options: RoomOptions, signal: SignalConnection, join: { member: MemberInfo; resume: string }) {
    super();
    this.url = url;
    this.#options = options;
    this.#signal = signal;
    this.#member = join.member;
    this.#resume = join.resume;
    this.#callMode = CALL_MODES[options.callMode ?? "balanced"];
    this.#media = new MediaSession(() => this.#signal, options.handlerName);
    this.#roster = new Roster(
      (event, ...args) => this.emit(event, ...args),
      options.autoSubscribe === false ? null : (track) => this.subscribe(track),
    );
    this.members = this.#roster.members;
    this.#attach(signal);
  }

  /** Connects to `wss://edge/v1/rooms/:room/signal` (pass the edge's base URL and room) and joins. */
  static async connect(baseUrl: string, room: string, token: string, options: RoomOptions = {}): Promise<Room> {
    const url = signalUrl(baseUrl, room, token);
    const signal = await SignalConnection.open(url, options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketFactory));
    const join = await signal.request("join", {
      name: options.name,
      metadata: options.metadata,
      client: clientInfo(),
    } as RequestBody<"join">);
    const instance = new Room(url, options, signal, join);
    instance.#startQualityReports(options.qualityReportIntervalMs ?? 5000);
    instance.#roster.seed(join.members);
    await instance.#roster.published(join.tracks);
    return instance;
  }

  get localMember(): MemberInfo {
    return this.#member;
  }
  get state(): "joined" | "reconnecting" | "closed" {
    return this.#state;
  }

  // ── publishing ───────────────────────────────────────────────────────────

  /** Publishes a camera: simulcast (3 layers from the call mode) unless `simulcast: false` or SVC. */
  async publishCamera(options: CameraOptions = {}): Promise<LocalTrack> {
    const track = await captureCamera(this.#callMode, options);
    return this.publishTrack(track, "camera", cameraProduceOptions(this.#callMode, options));
  }

  async publishMicrophone(options: { deviceId?: string; track?: MediaStreamTrack } = {}): Promise<LocalTrack> {
    return this.publishTrack(await captureMicrophone(options), "microphone", MICROPHONE_OPTIONS);
  }

  async publishScreen(options: { track?: MediaStreamTrack } = {}): Promise<LocalTrack> {
    return this.publishTrack(await captureScreen(options), "screen", SCREEN_OPTIONS);
  }

  /** Publishes any track (bots in Node pass synthetic ones). */
  async publishTrack(track: MediaStreamTrack, source: TrackSource, options: ProduceOptions = {}): Promise<LocalTrack> {
    const producer = await this.#media.produce(track, source, options);
    const local: LocalTrack = {
      id: producer.id,
      source,
      producer,
      mute: async () => {
        producer.pause();
        await this.#signal.request("producer.pause", { producerId: producer.id });
      },
      unmute: async () => {
        producer.resume();
        await this.#signal.request("producer.resume", { producerId: producer.id });
      },
      close: async () => {
        producer.close();
        this.localTracks.delete(producer.id);
        await this.#signal.request("producer.close", { producerId: producer.id }).catch(() => undefined);
      },
    };
    this.localTracks.set(producer.id, local);
    return local;
  }

  /** Replaces the device behind a published track (camera/microphone switch) without renegotiation. */
  async replaceTrack(local: LocalTrack, track: MediaStreamTrack): Promise<void> {
    const old = local.producer.track;
    await local.producer.replaceTrack({ track });
    old?.stop();
  }

  setCallMode(mode: CallMode): void {
    this.#callMode = CALL_MODES[mode];
    for (const local of this.localTracks.values()) {
      if (local.source !== "camera") continue;
      void local.producer.track?.applyConstraints({
        width: this.#callMode.resolution.width,
        height: this.#callMode.resolution.height,
        frameRate: this.#callMode.frameRate,
      });
      const top = (local.producer.rtpParameters.encodings?.length ?? 1) - 1;
      void local.producer.setMaxSpatialLayer(top).catch(() => undefined);
    }
  }

  // ── subscribing ──────────────────────────────────────────────────────────

  async subscribe(track: RemoteTrack): Promise<RemoteTrack> {
    if (track.consumer) return track;
    track.consumer = await this.#media.consume(track.id);
    this.emit("trackSubscribed", track);
    return track;
  }

  /** Which layer of a member's simulcast/SVC video to receive (0 = lowest). */
  async setSubscriptionQuality(track: RemoteTrack, spatialLayer: number, temporalLayer?: number): Promise<void> {
    if (!track.consumer) throw new ParleyError("CONSUMER_NOT_FOUND", "subscribe to the track first");
    await this.#signal.request("consumer.layers", { consumerId: track.consumer.id, spatialLayer, temporalLayer });
  }

  // ── messaging and membership ─────────────────────────────────────────────

  async sendMessage(text: string, to?: string): Promise<number> {
    return (await this.#signal.request("message", { text, to })).delivered;
  }

  async update(patch: RequestBody<"update">): Promise<MemberInfo> {
    this.#member = (await this.#signal.request("update", patch)).member;
    return this.#member;
  }

  /** Starts recording the room on the media node (needs the record grant); returns its id. */
  async startRecording(options: { segmentSeconds?: number } = {}): Promise<string> {
    return (await this.#signal.request("recording.start", options)).recordingId;
  }

  async stopRecording(recordingId: string): Promise<void> {
    await this.#signal.request("recording.stop", { recordingId });
  }

  async kick(member: string, reason?: string): Promise<void> {
    await this.#signal.request("kick", { member, reason });
  }

  async leave(): Promise<void> {
    if (this.#state === "closed") return;
    await this.#signal.request("leave").catch(() => undefined);
    this.#close("left");
  }

  // ── quality ──────────────────────────────────────────────────────────────

  async getQuality(): Promise<QualityReport> {
    const tracks: TrackQuality[] = [];
    for (const local of this.localTracks.values()) {
      if (local.producer.closed) continue;
      tracks.push(
        this.#quality.measure(local.id, "send", local.producer.kind as "audio" | "video", await this.#media.stats(local.producer)),
      );
    }
    for (const member of this.members.values()) {
      for (const track of member.tracks.values()) {
        if (!track.consumer || track.consumer.closed) continue;
        const measured = this.#quality.measure(track.id, "recv", track.info.kind, await this.#media.stats(track.consumer));
        // a muted (paused) track renders nothing on purpose: not a stall
        tracks.push({ ...measured, member: member.id, stalledMs: track.muted ? 0 : measured.stalledMs });
      }
    }
    const mos = tracks.map((t) => t.mos).filter((m): m is number => m !== null);
    return { at: Date.now(), tracks, mos: mos.length ? Math.min(...mos) : null };
  }

  // ── signalling events ────────────────────────────────────────────────────

  #attach(signal: SignalConnection): void {
    signal.on("event", (event) => void this.#onEvent(event).catch((err) => this.emit("error", err)));
    signal.on("closed", (code, reason) => void this.#onClosed(code, reason));
  }

  async #onEvent(event: SignalEvent): Promise<void> {
    switch (event.type) {
      case "member.joined":
        this.#roster.joined(event.member);
        return;
      case "member.left":
        this.#roster.left(event.member, event.reason);
        return;
      case "member.updated":
        this.#roster.updated(event.member);
        return;
      case "message":
        this.emit("message", event.from, event.text, event.private);
        return;
      case "notification":
        this.emit("notification", event.data);
        return;
      case "kicked":
        this.#close("kicked");
        return;
      case "room.closed":
        this.#close("room closed");
        return;
      case "track.published":
        await this.#roster.published([event.track]);
        return;
      case "track.unpublished":
        this.#roster.unpublished(event.member, event.track);
        return;
      case "track.muted": {
        const local = event.member === this.localMember.id ? this.localTracks.get(event.track) : undefined;
        if (local) {
          // muted by the app: stop encoding too, as mute() would
          if (event.muted) local.producer.pause();
          this.emit("localTrackMuted", local, event.muted);
          return;
        }
        this.#roster.muted(event.member, event.track, event.muted);
        return;
      }
      case "layers.changed": {
        const track = this.#roster.byConsumer(event.consumerId);
        if (track) this.emit("layersChanged", track, event.spatialLayer, event.temporalLayer);
        return;
      }
      case "recording.state":
        this.emit("recordingState", event.recordingId, event.status);
        return;
      case "speaker.active":
        this.emit("activeSpeaker", event.member);
        return;
      case "consumer.closed": {
        const track = this.#roster.byConsumer(event.consumerId);
        if (track) track.consumer = null;
        return;
      }
      default:
        assertNever(event);
    }
  }

  // ── reconnect ────────────────────────────────────────────────────────────

  async #onClosed(code: number, reason: string): Promise<void> {
    if (this.#state === "closed") return;
    const simulated = this.#simulatedDrop;
    this.#simulatedDrop = false;
    if ((!simulated && DROP_CODES_THAT_END.has(code)) || code === 4002 || this.#options.reconnect === false) {
      this.#close(code === 4001 ? "kicked" : code === 4003 ? "room closed" : reason || `closed (${code})`);
      return;
    }
    this.#state = "reconnecting";
    this.emit("reconnecting");
    const resumed = await resumeWithBackoff({
      url: this.url,
      WebSocket: this.#options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketFactory),
      member: this.#member.id,
      secret: this.#resume,
      deadline: Date.now() + (this.#options.reconnectForMs ?? 115_000),
      notBefore: this.#offlineUntil,
      stillWanted: () => this.#state === "reconnecting",
    });
    if (resumed && this.#state === "reconnecting") {
      this.#signal = resumed.signal;
      this.#attach(resumed.signal);
      this.#roster.reconcile(resumed.members, resumed.tracks);
      await this.#media.restartIce().catch((err) => this.emit("error", err));
      this.#state = "joined";
      this.emit("reconnected");
      return;
    }
    if (this.#state !== "reconnecting") return;
    this.#close("reconnect failed");
  }

  /** Reports quality figures to the room (they become the call record's timeline). */
  #startQualityReports(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.#qualityTimer = setInterval(() => {
      if (this.#state !== "joined" || !this.#signal.isOpen) return;
      void this.getQuality()
        .then((report) => this.#signal.request("quality", { at: report.at, tracks: report.tracks, mos: report.mos }))
        .catch(() => undefined); // a missed report is not worth an error event
    }, intervalMs);
  }

  #close(reason: string): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    if (this.#qualityTimer) clearInterval(this.#qualityTimer);
    for (const local of this.localTracks.values()) local.producer.close();
    this.#media.close();
    if (this.#signal.isOpen) this.#signal.close(1000, "closed");
    this.emit("disconnected", reason);
  }

  /** For tests and tools: drop the signalling socket as a network fault would, offline for `offlineMs`. */
  simulateDrop(offlineMs = 0): void {
    this.#offlineUntil = Date.now() + offlineMs;
    this.#simulatedDrop = true;
    this.#signal.close(4999, "simulated drop");
  }

  /** Raw WebRTC stats of each media transport (diagnostics: selected candidate pair, ports, bytes). */
  async transportStats(): Promise<{ direction: "send" | "recv"; stats: Map<string, Record<string, unknown>> }[]> {
    const out = [];
    for (const transport of await this.#media.transports()) {
      const report = (await transport.getStats()) as unknown as Map<string, Record<string, unknown>>;
      out.push({ direction: transport.direction, stats: new Map(report) });
    }
    return out;
  }

  /** The consumers of every subscribed track (for stats and diagnostics). */
  consumers(): Consumer[] {
    return this.#roster.consumers();
  }
}

export function signalUrl(baseUrl: string, room: string, token: string): string {
  const url = new URL(`/v1/rooms/${encodeURIComponent(room)}/signal`, baseUrl.replace(/^http/, "ws"));
  url.searchParams.set("token", token);
  return url.toString();
}
