import type { TrackSource } from "@parley/shared";
import { Device, type types } from "mediasoup-client";
import type { SignalConnection } from "./signal-connection.js";

export type Producer = types.Producer;
export type Consumer = types.Consumer;

export interface ProduceOptions {
  encodings?: types.RtpEncodingParameters[];
  codecOptions?: types.ProducerCodecOptions;
  /** Preferred codec by MIME type, e.g. "video/VP9" for SVC or "video/H264". */
  codecMimeType?: string;
  paused?: boolean;
}

/**
 * The client's media plumbing: a mediasoup-client Device loaded with the room router's
 * capabilities, one send and one receive transport created on demand, negotiated through the
 * Room DO's relay over signalling.
 */
export class MediaSession {
  #signal: () => SignalConnection;
  #device: Device | null = null;
  #handlerName: types.BuiltinHandlerName | undefined;
  #send: Promise<types.Transport> | null = null;
  #recv: Promise<types.Transport> | null = null;

  constructor(signal: () => SignalConnection, handlerName?: types.BuiltinHandlerName) {
    this.#signal = signal;
    this.#handlerName = handlerName;
  }

  async device(): Promise<Device> {
    if (this.#device?.loaded) return this.#device;
    const { rtpCapabilities } = await this.#signal().request("media.capabilities");
    const device = this.#handlerName ? new Device({ handlerName: this.#handlerName }) : await Device.factory();
    await device.load({ routerRtpCapabilities: rtpCapabilities as types.RtpCapabilities });
    this.#device = device;
    return device;
  }

  sendTransport(): Promise<types.Transport> {
    this.#send ??= this.#createTransport("send").catch((err) => {
      this.#send = null;
      throw err;
    });
    return this.#send;
  }

  recvTransport(): Promise<types.Transport> {
    this.#recv ??= this.#createTransport("recv").catch((err) => {
      this.#recv = null;
      throw err;
    });
    return this.#recv;
  }

  async produce(track: MediaStreamTrack, source: TrackSource, options: ProduceOptions = {}): Promise<Producer> {
    const device = await this.device();
    const transport = await this.sendTransport();
    const codec = options.codecMimeType
      ? device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === options.codecMimeType?.toLowerCase())
      : undefined;
    return transport.produce({
      track,
      encodings: options.encodings,
      codecOptions: options.codecOptions,
      codec,
      appData: { source },
      stopTracks: false,
      zeroRtpOnPause: true,
      disableTrackOnPause: true,
    });
  }

  /** Subscribes to a track; the consumer is resumed on the node once it is ready here. */
  async consume(producerId: string): Promise<Consumer> {
    const device = await this.device();
    const transport = await this.recvTransport();
    const answer = await this.#signal().request("consume", {
      transportId: transport.id,
      producerId,
      rtpCapabilities: device.recvRtpCapabilities as never,
    });
    const consumer = await transport.consume({
      id: answer.consumerId,
      producerId: answer.producerId,
      kind: answer.kind,
      rtpParameters: answer.rtpParameters as types.RtpParameters,
    });
    // Resume only once ICE and DTLS are up: resuming asks the publisher for a keyframe, and one
    // sent before the path works is lost; the node's retry comes a second later (bench:media).
    await whenConnected(transport);
    await this.#signal().request("consumer.resume", { consumerId: consumer.id });
    return consumer;
  }

  /** After a reconnect: new ICE credentials for both transports (same DTLS, same media). */
  async restartIce(): Promise<void> {
    for (const pending of [this.#send, this.#recv]) {
      const transport = await pending?.catch(() => null);
      if (!transport || transport.closed) continue;
      const { iceParameters } = await this.#signal().request("transport.restartIce", { transportId: transport.id });
      await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
    }
  }

  async transports(): Promise<types.Transport[]> {
    const all = await Promise.all([this.#send, this.#recv].map((p) => p?.catch(() => null)));
    return all.filter((t): t is types.Transport => !!t && !t.closed);
  }

  /**
   * Stats of one producer or consumer. Browsers answer per sender/receiver; where that is
   * missing (@roamhq/wrtc) the transport's report is filtered down to the endpoint by mid.
   */
  async stats(endpoint: Producer | Consumer): Promise<Map<string, RTCStatsLike>> {
    try {
      return toMap(await endpoint.getStats());
    } catch {
      const transport = await ("kind" in endpoint && "producerId" in endpoint ? this.#recv : this.#send);
      if (!transport) return new Map();
      return filterStats(toMap(await transport.getStats()), endpoint.rtpParameters.mid, endpoint.track?.id);
    }
  }

  close(): void {
    for (const pending of [this.#send, this.#recv]) void pending?.then((t) => t.close()).catch(() => undefined);
    this.#send = this.#recv = null;
  }

  async #createTransport(direction: "send" | "recv"): Promise<types.Transport> {
    const device = await this.device();
    const created = await this.#signal().request("transport.create", { direction });
    const options = {
      id: created.transportId,
      iceParameters: created.iceParameters as types.IceParameters,
      iceCandidates: created.iceCandidates as types.IceCandidate[],
      dtlsParameters: created.dtlsParameters as types.DtlsParameters,
      iceServers: [],
    };
    const transport = direction === "send" ? device.createSendTransport(options) : device.createRecvTransport(options);
    transport.on("connect", ({ dtlsParameters }, callback, errback) => {
      this.#signal()
        .request("transport.connect", { transportId: transport.id, dtlsParameters: dtlsParameters as never })
        .then(() => callback(), errback);
    });
    if (direction === "send") {
      transport.on("produce", ({ kind, rtpParameters, appData }, callback, errback) => {
        this.#signal()
          .request("produce", {
            transportId: transport.id,
            kind,
            rtpParameters: rtpParameters as never,
            source: (appData as { source: TrackSource }).source,
          })
          .then(({ producerId }) => callback({ id: producerId }), errback);
      });
    }
    return transport;
  }
}

/** Resolves when the transport is connected (or gave up: failed/closed), at most after `timeoutMs`. */
function whenConnected(transport: types.Transport, timeoutMs = 10_000): Promise<void> {
  if (transport.connectionState === "connected") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      transport.off("connectionstatechange", onState);
      resolve();
    };
    const onState = (state: string) => {
      if (state === "connected" || state === "failed" || state === "closed") done();
    };
    const timer = setTimeout(done, timeoutMs);
    transport.on("connectionstatechange", onState);
  });
}

export type RTCStatsLike = Record<string, unknown> & { id: string; type: string; timestamp: number };

function toMap(report: RTCStatsReport | Map<string, unknown>): Map<string, RTCStatsLike> {
  const out = new Map<string, RTCStatsLike>();
  (report as Map<string, RTCStatsLike>).forEach((value, key) => {
    out.set(key, value);
  });
  return out;
}

/** Keeps the RTP stream(s) of one endpoint and what they point at (codec, remote report, path). */
export function filterStats(
  all: Map<string, RTCStatsLike>,
  mid: string | undefined,
  trackId: string | undefined,
): Map<string, RTCStatsLike> {
  const stats = [...all.values()];
  const sourceTrack = (s: RTCStatsLike) => (s.mediaSourceId ? all.get(String(s.mediaSourceId))?.trackIdentifier : undefined);
  const rtp = stats.filter(
    (s) =>
      (s.type === "inbound-rtp" || s.type === "outbound-rtp") &&
      ((mid !== undefined && s.mid === mid) || (trackId !== undefined && (s.trackIdentifier === trackId || sourceTrack(s) === trackId))),
  );
  const ids = new Set(rtp.map((s) => s.id));
  const codecs = new Set(rtp.map((s) => s.codecId));
  const related = stats.filter(
    (s) =>
      (s.type === "remote-inbound-rtp" && ids.has(String(s.localId))) ||
      s.type === "candidate-pair" ||
      (s.type === "codec" && codecs.has(s.id)),
  );
  return new Map([...rtp, ...related].map((s) => [s.id, s]));
}
