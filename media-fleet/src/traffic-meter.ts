/**
 * The node's media traffic, measured: mediasoup's byte counters of every live WebRTC transport
 * (what clients sent the node and what it sent them), as bits per second over the window between
 * two samples. Recording (PlainTransports to a local ffmpeg), uploads and RTMP pushes are not
 * client traffic and are left out.
 */
import { EventEmitter } from "node:events";

/** What the meter reads of a transport: mediasoup's WebRtcTransport (its stats carry more). */
export interface CountedTransport {
  readonly id: string;
  getStats(): Promise<{ bytesReceived: number; bytesSent: number }[]>;
}

export interface TrafficSample {
  /** Bits per second received from clients over the window. */
  bitrateIn: number;
  /** Bits per second sent to clients over the window. */
  bitrateOut: number;
  /** Bytes received and sent within the window. */
  bytesIn: number;
  bytesOut: number;
  /** The window's length; 0 for the first sample, which has no window yet. */
  windowMs: number;
}

export interface TrafficMeterEvents {
  sample: [sample: TrafficSample];
}

interface Counters {
  received: number;
  sent: number;
}

const NO_TRAFFIC: TrafficSample = { bitrateIn: 0, bitrateOut: 0, bytesIn: 0, bytesOut: 0, windowMs: 0 };

/**
 * Each sample reads `getStats()` of every transport and counts the bytes since that transport's
 * previous reading (all of them for one created since). Bytes a transport moved between its last
 * reading and its close are not counted: with 5 s heartbeats that is at most one window of a
 * leaving member.
 */
export class TrafficMeter extends EventEmitter<TrafficMeterEvents> {
  readonly #transports: () => Iterable<CountedTransport>;
  #counters = new Map<string, Counters>();
  #lastAt: number | undefined;
  #latest: TrafficSample = NO_TRAFFIC;
  #inFlight: Promise<TrafficSample> | undefined;

  constructor(transports: () => Iterable<CountedTransport>) {
    super();
    this.#transports = transports;
  }

  /** The last sample taken (zeros before the first). */
  get latest(): TrafficSample {
    return this.#latest;
  }

  /** Takes a sample now; a call while one is in flight shares it, so no byte is counted twice. */
  sample(): Promise<TrafficSample> {
    this.#inFlight ??= this.#take().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #take(): Promise<TrafficSample> {
    const transports = [...this.#transports()];
    // A transport closing while we ask answers with an error: it simply drops out of this sample.
    const stats = await Promise.all(
      transports.map((t) =>
        t.getStats().then(
          (s) => s[0],
          () => undefined,
        ),
      ),
    );
    const now = performance.now();
    const next = new Map<string, Counters>();
    let bytesIn = 0;
    let bytesOut = 0;
    transports.forEach((transport, i) => {
      const stat = stats[i];
      if (!stat) return;
      const before = this.#counters.get(transport.id) ?? { received: 0, sent: 0 };
      bytesIn += Math.max(0, stat.bytesReceived - before.received);
      bytesOut += Math.max(0, stat.bytesSent - before.sent);
      next.set(transport.id, { received: stat.bytesReceived, sent: stat.bytesSent });
    });
    this.#counters = next;
    const windowMs = this.#lastAt === undefined ? 0 : now - this.#lastAt;
    this.#lastAt = now;
    const perSecond = (bytes: number) => (windowMs > 0 ? Math.round((bytes * 8 * 1000) / windowMs) : 0);
    this.#latest = { bitrateIn: perSecond(bytesIn), bitrateOut: perSecond(bytesOut), bytesIn, bytesOut, windowMs: Math.round(windowMs) };
    this.emit("sample", this.#latest);
    return this.#latest;
  }
}
