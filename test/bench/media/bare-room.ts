/**
 * The anchor: a room in plain mediasoup, written the way mediasoup-demo writes it (one worker, one
 * WebRtcServer, one router; WebRtcTransports on the server; consumers created paused). No Parley
 * code is imported here.
 */
import { createWorker, type types } from "mediasoup";
import { type ConsumerOptions, closeWorker, type MediaRoom, type WebRtcTransportOptions } from "./media-room.js";

/** Below the kernel's ephemeral range (32768+), where outgoing sockets could take the port. */
export const RTC_PORTS = { min: 20000, max: 29999 };

/** mediasoup-demo's list minus what the benchmarks never send. */
const BARE_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: "audio", mimeType: "audio/opus", clockRate: 48000, channels: 2 },
  { kind: "video", mimeType: "video/VP8", clockRate: 90000, parameters: { "x-google-start-bitrate": 1000 } },
];

export class BareRoom implements MediaRoom {
  readonly side = "bare" as const;
  readonly worker: types.Worker;
  readonly router: types.Router;
  readonly #webRtcServer: types.WebRtcServer;
  readonly #transports = new Map<string, types.WebRtcTransport>();
  readonly #consumers = new Map<string, types.Consumer>();

  private constructor(worker: types.Worker, webRtcServer: types.WebRtcServer, router: types.Router) {
    this.worker = worker;
    this.#webRtcServer = webRtcServer;
    this.router = router;
  }

  /** A worker whose WebRtcServer listens on one free UDP and one free TCP port of 127.0.0.1. */
  static async open(): Promise<BareRoom> {
    const worker = await createWorker({ logLevel: "error" });
    try {
      const webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: "udp", ip: "127.0.0.1", portRange: RTC_PORTS },
          { protocol: "tcp", ip: "127.0.0.1", portRange: RTC_PORTS },
        ],
      });
      const router = await worker.createRouter({ mediaCodecs: BARE_CODECS });
      return new BareRoom(worker, webRtcServer, router);
    } catch (error) {
      await closeWorker(worker);
      throw error;
    }
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  async createTransport(_direction: "send" | "recv"): Promise<WebRtcTransportOptions> {
    const transport = await this.router.createWebRtcTransport({
      webRtcServer: this.#webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
    });
    this.#transports.set(transport.id, transport);
    transport.observer.once("close", () => this.#transports.delete(transport.id));
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    await this.#transport(transportId).connect({ dtlsParameters });
  }

  async produce(transportId: string, kind: types.MediaKind, rtpParameters: types.RtpParameters): Promise<string> {
    return (await this.#transport(transportId).produce({ kind, rtpParameters })).id;
  }

  async consume(transportId: string, producerId: string, rtpCapabilities: types.RtpCapabilities): Promise<ConsumerOptions> {
    const consumer = await this.#transport(transportId).consume({ producerId, rtpCapabilities, paused: true });
    this.#consumers.set(consumer.id, consumer);
    consumer.observer.once("close", () => this.#consumers.delete(consumer.id));
    return { id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw new Error(`no consumer ${consumerId}`);
    await consumer.resume();
  }

  closeTransport(transportId: string): void {
    this.#transports.get(transportId)?.close();
  }

  async close(): Promise<void> {
    await closeWorker(this.worker);
  }

  #transport(id: string): types.WebRtcTransport {
    const transport = this.#transports.get(id);
    if (!transport) throw new Error(`no transport ${id}`);
    return transport;
  }
}
