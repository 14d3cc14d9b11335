/**
 * Synthetic RTP for the forwarding benchmark: a VP8 "camera" that sends packets of the size and
 * rate a 360p ~500 kbps encoder does, and UDP sinks that count what each consumer delivers.
 *
 * Why synthetic rather than a real encoder: mediasoup never decodes, it only parses the RTP header
 * and the VP8 payload descriptor (picture id, keyframe bit), so what costs it CPU is the packet rate,
 * packet size and fan-out — which a replayer controls exactly and steadily, with no ffmpeg to install
 * and no encoder competing for the 2 cores. The descriptor is the one libwebrtc writes (15-bit
 * picture id), so mediasoup takes the same VP8 code path (picture id rewrite, keyframe sync).
 */
import { createSocket, type Socket } from "node:dgram";

const HOST = "127.0.0.1";
const VP8_PAYLOAD_TYPE = 96;
const CLOCK_RATE = 90_000;

export interface PublisherSettings {
  fps: number;
  /** RTP packets (header included) are this many bytes, the size libwebrtc fills to on a ~1200 MTU budget. */
  packetBytes: number;
  packetsPerFrame: number;
  packetsPerKeyFrame: number;
  keyFrameIntervalMs: number;
}

export interface PublisherCounters {
  packets: number;
  bytes: number;
  keyFrames: number;
  keyFrameRequests: number;
}

/** Sends VP8-shaped RTP to a mediasoup PlainTransport and answers its PLI/FIR with a keyframe. */
export class RtpPublisher {
  readonly ssrc = 0x1badcafe;
  readonly payloadType = VP8_PAYLOAD_TYPE;
  readonly counters: PublisherCounters = { packets: 0, bytes: 0, keyFrames: 0, keyFrameRequests: 0 };
  readonly #socket: Socket;
  readonly #settings: PublisherSettings;
  #target?: number;
  #timer?: NodeJS.Timeout;
  #seq = Math.floor(Math.random() * 0xffff);
  #timestamp = Math.floor(Math.random() * 0xffffffff);
  #pictureId = 0;
  #frames = 0;
  #startedAt = 0;
  #lastKeyFrameAt = -Infinity;
  #keyFrameRequested = true;
  readonly #packet: Buffer;

  private constructor(socket: Socket, settings: PublisherSettings) {
    this.#socket = socket;
    this.#settings = settings;
    // Filler bytes are arbitrary: nothing downstream decodes them.
    this.#packet = Buffer.alloc(settings.packetBytes, 0x5a);
    socket.on("message", (msg) => this.#onRtcp(msg));
  }

  static async open(settings: PublisherSettings): Promise<RtpPublisher> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
    return new RtpPublisher(socket, settings);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  /** Starts (or resumes) sending to mediasoup's transport port. Frames are scheduled from a start time, so timer jitter does not change the rate. */
  start(targetPort: number): void {
    this.#target = targetPort;
    this.#startedAt = performance.now();
    this.#frames = 0;
    const frameMs = 1000 / this.#settings.fps;
    const tick = () => {
      const due = Math.floor((performance.now() - this.#startedAt) / frameMs) + 1;
      // At most a few frames of catch-up: after a long event-loop stall a real camera drops frames too.
      for (let n = 0; this.#frames < due && n < 3; n++, this.#frames++) this.#sendFrame();
      this.#frames = Math.max(this.#frames, due - 3);
      this.#timer = setTimeout(tick, Math.max(1, this.#startedAt + (this.#frames + 1) * frameMs - performance.now()));
    };
    tick();
  }

  /** Stops sending (start again to resume: sequence numbers and timestamps carry on). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  close(): void {
    this.stop();
    this.#socket.close();
  }

  #sendFrame(): void {
    const now = performance.now();
    const key = this.#keyFrameRequested || now - this.#lastKeyFrameAt >= this.#settings.keyFrameIntervalMs;
    if (key) {
      this.#keyFrameRequested = false;
      this.#lastKeyFrameAt = now;
      this.counters.keyFrames++;
    }
    const count = key ? this.#settings.packetsPerKeyFrame : this.#settings.packetsPerFrame;
    this.#pictureId = (this.#pictureId + 1) & 0x7fff;
    this.#timestamp = (this.#timestamp + CLOCK_RATE / this.#settings.fps) >>> 0;
    for (let i = 0; i < count; i++) {
      // A fresh buffer per packet: dgram sends asynchronously and does not copy what it is given.
      const p = Buffer.from(this.#packet);
      const last = i === count - 1;
      // RTP header: V=2, marker on the frame's last packet.
      p[0] = 0x80;
      p[1] = (last ? 0x80 : 0) | VP8_PAYLOAD_TYPE;
      p.writeUInt16BE(this.#seq, 2);
      this.#seq = (this.#seq + 1) & 0xffff;
      p.writeUInt32BE(this.#timestamp, 4);
      p.writeUInt32BE(this.ssrc, 8);
      // VP8 payload descriptor (RFC 7741): X=1, S on the first packet, PID=0; I=1 with a 15-bit picture id.
      p[12] = 0x80 | (i === 0 ? 0x10 : 0);
      p[13] = 0x80;
      p[14] = 0x80 | (this.#pictureId >> 8);
      p[15] = this.#pictureId & 0xff;
      // VP8 payload header: bit 0 is the inverse keyframe flag (0 = keyframe).
      p[16] = key ? 0x10 : 0x11;
      this.#socket.send(p, this.#target!, HOST);
      this.counters.packets++;
      this.counters.bytes += p.length;
    }
  }

  /** mediasoup forwards consumers' keyframe requests as RTCP PSFB (PT 206) PLI (FMT 1) or FIR (FMT 4). */
  #onRtcp(msg: Buffer): void {
    for (let offset = 0; offset + 4 <= msg.length; ) {
      const fmt = msg[offset]! & 0x1f;
      const pt = msg[offset + 1]!;
      if (pt === 206 && (fmt === 1 || fmt === 4)) {
        this.counters.keyFrameRequests++;
        // A real encoder coalesces requests: at most one forced keyframe per 500 ms.
        if (performance.now() - this.#lastKeyFrameAt > 500) this.#keyFrameRequested = true;
      }
      offset += (msg.readUInt16BE(offset + 2) + 1) * 4;
    }
  }
}

/** What one consumer's stream delivered: extended highest sequence number, packets and bytes. */
export interface StreamState {
  high: number;
  /** Extended sequence number just before the first packet (so a late start counts from there). */
  base: number;
  received: number;
  bytes: number;
  started: boolean;
}

export interface SinkSnapshot {
  at: number;
  streams: Map<number, { high: number; received: number; bytes: number; started: boolean }>;
}

export interface WindowFigures {
  seconds: number;
  /** Consumers that got nothing in the window (each counts as losing everything the publisher sent). */
  silentConsumers: number;
  received: number;
  lost: number;
  bytes: number;
}

/**
 * UDP sockets the consumers' PlainTransports send to. Streams are told apart by SSRC (mediasoup gives
 * every consumer its own), so a few sockets serve a thousand consumers. Sequence numbers are
 * contiguous per consumer (mediasoup rewrites them), so a gap is a packet lost in the worker or in
 * the kernel on the way here. Payloads may be SRTP-encrypted: the RTP header stays in clear.
 */
export class RtpSinks {
  readonly sockets: Socket[];
  readonly streams = new Map<number, StreamState>();
  rtcpPackets = 0;
  unknownPackets = 0;

  private constructor(sockets: Socket[]) {
    this.sockets = sockets;
    for (const s of sockets) s.on("message", (msg) => this.#onPacket(msg));
  }

  static async open(count: number, receiveBufferBytes: number): Promise<RtpSinks> {
    const sockets = await Promise.all(
      Array.from({ length: count }, async () => {
        const socket = createSocket({ type: "udp4", recvBufferSize: receiveBufferBytes });
        await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
        return socket;
      }),
    );
    return new RtpSinks(sockets);
  }

  /** The effective receive buffer (the kernel caps it at net.core.rmem_max and doubles it). */
  get receiveBufferBytes(): number {
    return this.sockets[0]?.getRecvBufferSize() ?? 0;
  }

  port(i: number): number {
    return this.sockets[i % this.sockets.length]!.address().port;
  }

  expect(ssrc: number): void {
    this.streams.set(ssrc, { high: 0, base: 0, received: 0, bytes: 0, started: false });
  }

  forget(ssrc: number): void {
    this.streams.delete(ssrc);
  }

  snapshot(): SinkSnapshot {
    const streams = new Map<number, { high: number; received: number; bytes: number; started: boolean }>();
    for (const [ssrc, s] of this.streams) streams.set(ssrc, { high: s.high, received: s.received, bytes: s.bytes, started: s.started });
    return { at: performance.now(), streams };
  }

  /** Packets received and lost per consumer between two snapshots; `publisherPackets` were sent meanwhile. */
  between(before: SinkSnapshot, after: SinkSnapshot, publisherPackets: number): WindowFigures {
    const figures: WindowFigures = { seconds: (after.at - before.at) / 1000, silentConsumers: 0, received: 0, lost: 0, bytes: 0 };
    for (const [ssrc, end] of after.streams) {
      const start = before.streams.get(ssrc);
      const received = end.received - (start?.received ?? 0);
      if (received === 0) {
        figures.silentConsumers++;
        figures.lost += publisherPackets;
        continue;
      }
      const fromSeq = start?.started ? start.high : this.streams.get(ssrc)!.base;
      figures.received += received;
      figures.bytes += end.bytes - (start?.bytes ?? 0);
      figures.lost += Math.max(0, end.high - fromSeq - received);
    }
    return figures;
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }

  #onPacket(msg: Buffer): void {
    if (msg.length < 12) return;
    // RFC 5761: with rtcp-mux, second bytes 192..223 are RTCP (SR/RR/SDES/BYE), not RTP.
    if (msg[1]! >= 192 && msg[1]! <= 223) {
      this.rtcpPackets++;
      return;
    }
    const state = this.streams.get(msg.readUInt32BE(8));
    if (!state) {
      this.unknownPackets++;
      return;
    }
    const seq = msg.readUInt16BE(2);
    if (!state.started) {
      state.started = true;
      state.high = 0x10000 + seq;
      state.base = state.high - 1;
    } else {
      // Signed 16-bit distance from the highest seen: positive moves forward (wrapping), else late/duplicate.
      const delta = ((seq - (state.high & 0xffff) + 0x8000) & 0xffff) - 0x8000;
      if (delta > 0) state.high += delta;
    }
    state.received++;
    state.bytes += msg.length;
  }
}
