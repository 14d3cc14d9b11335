/**
 * One room on this node: a mediasoup router on one worker, and the transports, producers and
 * consumers the Room DO created in it. Closing the room (or its last transport going, or its worker
 * dying) closes the router, which closes everything under it — nothing is left behind.
 */
import { EventEmitter } from "node:events";
import {
  type ConnectTransportRequest,
  type ConsumeRequest,
  type ConsumeResponse,
  type CreateTransportRequest,
  type NodeEvent,
  ParleyError,
  type PreferredLayersRequest,
  type ProduceRequest,
  type RoomSummary,
  type RouterResponse,
  type TransportResponse,
} from "@parley/shared";
import type { types } from "mediasoup";
import { MEDIA_CODECS } from "./codecs.js";
import type { WorkerSlot } from "./worker-pool.js";

type RoomCloseReason = Extract<NodeEvent, { type: "room.closed" }>["reason"];
type TransportDirection = CreateTransportRequest["direction"];
interface TransportAppData extends types.AppData {
  direction: TransportDirection;
  member?: string;
}

export interface RoomEvents {
  event: [event: NodeEvent];
  close: [reason: RoomCloseReason];
}

/** A room that never gets a transport is closed after this long, so a router cannot leak. */
const IDLE_ROOM_MS = 60_000;
const ACTIVE_SPEAKER_INTERVAL_MS = 300;

/**
 * libwebrtc senders ignore a keyframe request that comes within 300 ms of the previous one
 * (EncoderRtcpFeedback), and mediasoup, having sent it, waits a full second before asking again.
 * So a member joining right after another waited ~1.1 s for a first frame. Requests within this
 * delay are folded into one sent when it ends, after libwebrtc's window: that joiner waits ~0.3 s.
 */
const KEYFRAME_REQUEST_DELAY_MS = 350;

export class Room extends EventEmitter<RoomEvents> {
  readonly id: string;
  readonly workerIndex: number;
  readonly #router: types.Router;
  readonly #speakerObserver: types.ActiveSpeakerObserver;
  readonly #transports = new Map<string, types.WebRtcTransport<TransportAppData>>();
  readonly #producers = new Map<string, types.Producer>();
  readonly #consumers = new Map<string, types.Consumer>();
  readonly #webRtcServer: types.WebRtcServer;
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(id: string, slot: WorkerSlot, router: types.Router, speakerObserver: types.ActiveSpeakerObserver) {
    super();
    this.id = id;
    this.workerIndex = slot.index;
    this.#router = router;
    this.#webRtcServer = slot.webRtcServer;
    this.#speakerObserver = speakerObserver;
    router.on("workerclose", () => this.close("worker-died"));
    speakerObserver.on("dominantspeaker", ({ producer }) => {
      this.#emit({ type: "room.activeSpeaker", producerId: producer.id, member: memberOf(producer) });
    });
    this.#armIdleTimer();
  }

  static async create(id: string, slot: WorkerSlot): Promise<Room> {
    const router = await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { room: id } });
    try {
      const observer = await router.createActiveSpeakerObserver({ interval: ACTIVE_SPEAKER_INTERVAL_MS });
      return new Room(id, slot, router, observer);
    } catch (error) {
      router.close();
      throw error;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  get routerId(): string {
    return this.#router.id;
  }

  get counts(): { transports: number; producers: number; consumers: number } {
    return { transports: this.#transports.size, producers: this.#producers.size, consumers: this.#consumers.size };
  }

  /** For metrics and the node's bitrate figure: the live transports. */
  get transports(): Iterable<types.WebRtcTransport> {
    return this.#transports.values();
  }

  routerInfo(): RouterResponse {
    return { routerId: this.#router.id, rtpCapabilities: this.#router.rtpCapabilities as RouterResponse["rtpCapabilities"] };
  }

  summary(): RoomSummary {
    return { room: this.id, routerId: this.#router.id, ...this.counts };
  }

  async createTransport(request: CreateTransportRequest): Promise<TransportResponse> {
    const appData: TransportAppData = { direction: request.direction, ...(request.member ? { member: request.member } : {}) };
    const transport = await this.#router.createWebRtcTransport<TransportAppData>({
      webRtcServer: this.#webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      appData,
    });
    this.#transports.set(transport.id, transport);
    this.#disarmIdleTimer();
    transport.on("icestatechange", (state) => this.#emitTransportState(transport, "ice", state));
    transport.on("dtlsstatechange", (state) => this.#emitTransportState(transport, "dtls", state));
    transport.observer.once("close", () => {
      this.#transports.delete(transport.id);
      // The room lives as long as someone is connected to it.
      if (this.#transports.size === 0 && !this.#closed) this.close("empty");
    });
    if (request.maxIncomingBitrate !== undefined) await transport.setMaxIncomingBitrate(request.maxIncomingBitrate);
    return {
      transportId: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters as TransportResponse["dtlsParameters"],
    };
  }

  async connectTransport(transportId: string, request: ConnectTransportRequest): Promise<void> {
    await this.#transport(transportId).connect({ dtlsParameters: request.dtlsParameters });
  }

  async restartIce(transportId: string): Promise<{ iceParameters: types.IceParameters }> {
    return { iceParameters: await this.#transport(transportId).restartIce() };
  }

  closeTransport(transportId: string): void {
    this.#transport(transportId).close();
  }

  async produce(transportId: string, request: ProduceRequest): Promise<{ producerId: string }> {
    const transport = this.#transport(transportId);
    if (transport.appData.direction !== "send") throw new ParleyError("INVALID_REQUEST", "produce needs a send transport");
    const appData = { ...request.appData, member: request.appData.member ?? transport.appData.member };
    const producer = await transport.produce({
      kind: request.kind,
      rtpParameters: request.rtpParameters,
      appData,
      paused: request.paused ?? false,
      keyFrameRequestDelay: KEYFRAME_REQUEST_DELAY_MS,
    });
    this.#producers.set(producer.id, producer);
    let reason: "closed" | "transport-closed" = "closed";
    producer.on("transportclose", () => (reason = "transport-closed"));
    producer.on("score", (scores) => this.#emit({ type: "producer.score", producerId: producer.id, scores: scores.slice(0, 8) }));
    producer.observer.once("close", () => {
      this.#producers.delete(producer.id);
      if (!this.#closed) this.#emit({ type: "producer.closed", producerId: producer.id, member: memberOf(producer), reason });
    });
    // A producer that closed meanwhile cannot be observed; the room's speaker detection goes on without it.
    if (producer.kind === "audio") await this.#speakerObserver.addProducer({ producerId: producer.id }).catch(() => undefined);
    return { producerId: producer.id };
  }

  async consume(transportId: string, request: ConsumeRequest): Promise<ConsumeResponse> {
    const transport = this.#transport(transportId);
    if (transport.appData.direction !== "recv") throw new ParleyError("INVALID_REQUEST", "consume needs a recv transport");
    const producer = this.#producers.get(request.producerId);
    if (!producer) throw new ParleyError("PRODUCER_NOT_FOUND", "no such producer in this room");
    if (!this.#router.canConsume({ producerId: producer.id, rtpCapabilities: request.rtpCapabilities })) {
      throw new ParleyError("CANNOT_CONSUME", "the receiver's RTP capabilities cannot decode this producer");
    }
    // Paused until the client says it is ready, so the first keyframe is not lost.
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: request.rtpCapabilities,
      paused: true,
      appData: { member: transport.appData.member },
    });
    this.#consumers.set(consumer.id, consumer);
    let reason: "closed" | "producer-closed" | "transport-closed" = "closed";
    consumer.on("producerclose", () => (reason = "producer-closed"));
    consumer.on("transportclose", () => (reason = "transport-closed"));
    consumer.on("layerschange", (layers) => this.#emit({ type: "consumer.layers", consumerId: consumer.id, layers: layers ?? null }));
    consumer.on("score", (s) =>
      this.#emit({ type: "consumer.score", consumerId: consumer.id, score: s.score, producerScore: s.producerScore }),
    );
    consumer.observer.once("close", () => {
      this.#consumers.delete(consumer.id);
      if (!this.#closed) {
        this.#emit({ type: "consumer.closed", consumerId: consumer.id, producerId: producer.id, member: memberOf(consumer), reason });
      }
    });
    return {
      consumerId: consumer.id,
      producerId: producer.id,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters as ConsumeResponse["rtpParameters"],
      type: consumer.type,
      producerPaused: consumer.producerPaused,
      appData: producer.appData as ConsumeResponse["appData"],
    };
  }

  async setProducerPaused(producerId: string, paused: boolean): Promise<void> {
    const producer = this.#producers.get(producerId);
    if (!producer) throw new ParleyError("PRODUCER_NOT_FOUND", "no such producer in this room");
    await (paused ? producer.pause() : producer.resume());
  }

  closeProducer(producerId: string): void {
    const producer = this.#producers.get(producerId);
    if (!producer) throw new ParleyError("PRODUCER_NOT_FOUND", "no such producer in this room");
    producer.close();
  }

  async setConsumerPaused(consumerId: string, paused: boolean): Promise<void> {
    const consumer = this.#consumer(consumerId);
    await (paused ? consumer.pause() : consumer.resume());
  }

  async setPreferredLayers(consumerId: string, request: PreferredLayersRequest): Promise<void> {
    await this.#consumer(consumerId).setPreferredLayers(request);
  }

  closeConsumer(consumerId: string): void {
    this.#consumer(consumerId).close();
  }

  close(reason: RoomCloseReason = "closed"): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarmIdleTimer();
    // Closing the router closes every transport, producer, consumer and observer in it.
    this.#router.close();
    this.#emit({ type: "room.closed", reason });
    this.emit("close", reason);
  }

  #transport(id: string): types.WebRtcTransport<TransportAppData> {
    const transport = this.#transports.get(id);
    if (!transport) throw new ParleyError("TRANSPORT_NOT_FOUND", "no such transport in this room");
    return transport;
  }

  #consumer(id: string): types.Consumer {
    const consumer = this.#consumers.get(id);
    if (!consumer) throw new ParleyError("CONSUMER_NOT_FOUND", "no such consumer in this room");
    return consumer;
  }

  #emitTransportState(transport: types.WebRtcTransport<TransportAppData>, layer: "ice" | "dtls", state: string): void {
    this.#emit({
      type: "transport.state",
      transportId: transport.id,
      member: transport.appData.member,
      layer,
      state: state as Extract<NodeEvent, { type: "transport.state" }>["state"],
    });
  }

  #emit(event: DistributiveOmit<NodeEvent, "room" | "at">): void {
    this.emit("event", { ...event, room: this.id, at: Date.now() } as NodeEvent);
  }

  #armIdleTimer(): void {
    this.#idleTimer = setTimeout(() => {
      if (this.#transports.size === 0) this.close("empty");
    }, IDLE_ROOM_MS);
    this.#idleTimer.unref();
  }

  #disarmIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function memberOf(entity: { appData: types.AppData }): string | undefined {
  const member = entity.appData.member;
  return typeof member === "string" ? member : undefined;
}
