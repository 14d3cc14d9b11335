/**
 * A mediasoup-client peer on @roamhq/wrtc (the Chrome111 handler, as the SDK uses in Node): the
 * client side both anchored benchmarks share. It talks to a room through `PeerSignal` — over the
 * minimal app's WebSocket (minimal-app/client.ts) or straight to a MediaRoom in this process
 * (meeting.ts) — and does what a mediasoup-demo peer does: load the device, open a send and/or a
 * receive transport, produce, consume.
 */
import type { types as server } from "mediasoup";
import { Device, type types } from "mediasoup-client";
import { useNodeWebRTC } from "../../../sdk/src/node/index.js";
import type { ConsumerOptions, MediaRoom } from "./media-room.js";

/** The room calls a peer makes: MediaRoom's, wherever the room is. */
export type PeerSignal = Pick<MediaRoom, "createTransport" | "connectTransport" | "produce" | "consume" | "resumeConsumer">;

export class MediasoupPeer {
  readonly #signal: PeerSignal;
  readonly #device: Device;
  #send?: types.Transport;
  #recv?: types.Transport;

  private constructor(signal: PeerSignal, device: Device) {
    this.#signal = signal;
    this.#device = device;
  }

  static async load(signal: PeerSignal, routerRtpCapabilities: server.RtpCapabilities | types.RtpCapabilities): Promise<MediasoupPeer> {
    useNodeWebRTC(); // @roamhq/wrtc's classes where mediasoup-client looks for them
    const device = new Device({ handlerName: "Chrome111" });
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
    return new MediasoupPeer(signal, device);
  }

  async produce(track: MediaStreamTrack): Promise<types.Producer> {
    this.#send ??= await this.#createTransport("send");
    // zeroRtpOnPause: a paused producer sends nothing and its encoder idles.
    return this.#send.produce({ track, stopTracks: false, zeroRtpOnPause: true });
  }

  /** Consumes each producer on one receive transport and resumes it once this side has it. */
  async consume(producerIds: string[]): Promise<types.Consumer[]> {
    this.#recv ??= await this.#createTransport("recv");
    const recv = this.#recv;
    return Promise.all(
      producerIds.map(async (producerId) => {
        const options: ConsumerOptions = await this.#signal.consume(
          recv.id,
          producerId,
          // The client and server libraries type the same JSON apart.
          this.#device.recvRtpCapabilities as server.RtpCapabilities,
        );
        const consumer = await recv.consume(options as types.ConsumerOptions);
        await this.#signal.resumeConsumer(consumer.id);
        return consumer;
      }),
    );
  }

  /** The receive transport's stats report (wrtc has no per-receiver getStats). */
  async receiveStats(): Promise<RTCStatsReport | undefined> {
    return this.#recv?.getStats();
  }

  close(): void {
    this.#send?.close();
    this.#recv?.close();
  }

  async #createTransport(direction: "send" | "recv"): Promise<types.Transport> {
    const options = { ...(await this.#signal.createTransport(direction)), iceServers: [] };
    const transport = direction === "send" ? this.#device.createSendTransport(options) : this.#device.createRecvTransport(options);
    transport.on("connect", ({ dtlsParameters }, callback, errback) => {
      this.#signal.connectTransport(transport.id, dtlsParameters as server.DtlsParameters).then(() => callback(), errback);
    });
    transport.on("produce", ({ kind, rtpParameters }, callback, errback) => {
      this.#signal.produce(transport.id, kind, rtpParameters as server.RtpParameters).then((id) => callback({ id }), errback);
    });
    return transport;
  }
}

/** Sums the inbound video streams of a stats report. */
export function inboundVideo(report: RTCStatsReport | undefined): {
  packetsReceived: number;
  packetsLost: number;
  framesDecoded: number;
  streams: number;
} {
  const sum = { packetsReceived: 0, packetsLost: 0, framesDecoded: 0, streams: 0 };
  report?.forEach((s: { type: string; kind?: string; packetsReceived?: number; packetsLost?: number; framesDecoded?: number }) => {
    if (s.type !== "inbound-rtp" || s.kind !== "video") return;
    sum.streams++;
    sum.packetsReceived += s.packetsReceived ?? 0;
    sum.packetsLost += s.packetsLost ?? 0;
    sum.framesDecoded += s.framesDecoded ?? 0;
  });
  return sum;
}
