/**
 * One producer delivered to a local ffmpeg over plain RTP, for every recorder (per-track, composite,
 * snapshot, RTMP push): a PlainTransport sending to a port pair ffmpeg will bind, and a paused
 * consumer resumed only once ffmpeg listens, so the first keyframe is not sent into the void
 * (RtpFeed, rtp-feed.ts, starts a whole set of them for one ffmpeg).
 * Only the producer's codec and no RTX: ffmpeg neither asks for retransmissions nor understands them.
 */
import type { types } from "mediasoup";
import { codecName } from "../recording/container.js";
import { boundUdpPorts, type PortPairs } from "./ports.js";

export class RtpIngest {
  readonly producer: types.Producer;
  readonly port: number;
  readonly consumer: types.Consumer;
  readonly #transport: types.PlainTransport;
  readonly #ports: PortPairs;
  #closed = false;

  private constructor(producer: types.Producer, port: number, transport: types.PlainTransport, consumer: types.Consumer, ports: PortPairs) {
    this.producer = producer;
    this.port = port;
    this.#transport = transport;
    this.consumer = consumer;
    this.#ports = ports;
  }

  static async open(router: types.Router, producer: types.Producer, ports: PortPairs): Promise<RtpIngest> {
    const port = ports.take();
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: "udp", ip: "127.0.0.1" },
      rtcpMux: false,
      comedia: false,
      appData: { recording: true },
    });
    try {
      await transport.connect({ ip: "127.0.0.1", port, rtcpPort: port + 1 });
      const mime = producer.rtpParameters.codecs[0]?.mimeType ?? "";
      const codecs = (router.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === mime.toLowerCase());
      const consumer = await transport.consume({
        producerId: producer.id,
        rtpCapabilities: { codecs, headerExtensions: [] },
        paused: true,
      });
      return new RtpIngest(producer, port, transport, consumer, ports);
    } catch (error) {
      transport.close();
      ports.release(port);
      throw error;
    }
  }

  get kind(): "audio" | "video" {
    return this.consumer.kind;
  }

  get member(): string | undefined {
    const m = this.producer.appData.member;
    return typeof m === "string" ? m : undefined;
  }

  /** The SDP media section for this stream (RTP on `port`, RTCP on `port + 1`). */
  sdpSection(): string[] {
    const codec = this.consumer.rtpParameters.codecs[0]!;
    const rate = codec.channels && codec.channels > 1 ? `${codec.clockRate}/${codec.channels}` : `${codec.clockRate}`;
    const fmtp = Object.entries(codec.parameters ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(";");
    return [
      `m=${this.kind} ${this.port} RTP/AVP ${codec.payloadType}`,
      `a=rtcp:${this.port + 1}`,
      `a=rtpmap:${codec.payloadType} ${codecName(codec.mimeType)}/${rate}`,
      ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
      "a=recvonly",
    ];
  }

  /** ffmpeg has bound this ingest's RTP port. */
  listening(bound: Set<number> = boundUdpPorts()): boolean {
    return bound.has(this.port);
  }

  async start(): Promise<void> {
    await this.consumer.resume();
    if (this.kind === "video") this.keyframe();
  }

  keyframe(): void {
    // A consumer closing meanwhile refuses the request; the next keyframe ask (or none) follows.
    if (!this.consumer.closed) void this.consumer.requestKeyFrame().catch(() => undefined);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#transport.closed) this.#transport.close();
    this.#ports.release(this.port);
  }
}
