/**
 * Forwarding capacity of ONE mediasoup worker, Parley's beside bare mediasoup's in the same run: one
 * VP8 publisher (~500 kbps, 360p-shaped) on a PlainTransport, N consumers each on its own
 * PlainTransport (comedia off, SRTP on as WebRTC consumers have, so the worker pays the
 * per-consumer encryption it pays in production), sending to UDP sinks in this process. N ramps
 * until both sides pass the CPU or loss limit.
 *
 * The two sides are two lanes, each with its own worker, publisher and sinks. At every step each
 * lane is measured alone (the other's publisher is stopped, so its worker idles) and the order
 * alternates from step to step, so the load other work puts on this shared machine falls on both.
 * Parley's lane is a room the media node's own code created (parley-room.ts); its transports are
 * plain like the bare lane's, because no Parley API creates plain ones — the meeting shape
 * (meeting.ts) compares Parley's WebRTC transports and consumers.
 */
import { randomBytes } from "node:crypto";
import type { types } from "mediasoup";
import { round } from "../stats.js";
import { BareRoom, RTC_PORTS } from "./bare-room.js";
import { type CpuFigures, cpuBetween, sampleCpu } from "./cpu.js";
import type { MediaRoom, RoomSide } from "./media-room.js";
import { ParleyRoom } from "./parley-room.js";
import { type PublisherSettings, RtpPublisher, RtpSinks } from "./rtp.js";
import { sleep, waitUntil } from "./wait.js";

export interface ForwardingSettings {
  /** Consumer counts to try in order; the first is the in-process baseline. */
  steps: number[];
  publisher: PublisherSettings;
  srtp: boolean;
  sinkSockets: number;
  sinkReceiveBufferBytes: number;
  /** After adding consumers: wait until every one has received a packet (keyframe sync), then this long. */
  settleMs: number;
  windowMs: number;
  maxCpuPercent: number;
  maxLossPercent: number;
  /**
   * A step counts only if each consumer got at least this share of the packets per second it got at
   * the lane's first step: on this loaded machine the publisher itself can be starved, and fewer
   * packets sent is less work, not more capacity.
   */
  minDeliveryPercent: number;
  /** Windows tried at one step before loss or delivery (not CPU) stops a lane. */
  lossAttempts: number;
  /** Transports/consumers created concurrently (channel requests in flight). */
  createConcurrency: number;
  /** The ramp stops starting new steps after this long. */
  budgetMs: number;
}

export interface ForwardingStep extends CpuFigures {
  consumers: number;
  lossPercent: number;
  silentConsumers: number;
  forwardedPacketsPerSecond: number;
  forwardedMbitPerSecond: number;
  publisherPacketsPerSecond: number;
  publisherKbitPerSecond: number;
  /** Worker CPU per forwarded packet; divide by the baseline step's to see how per-packet cost scales. */
  workerMicrosPerForwardedPacket: number;
  /** Packets per second per consumer, % of the lane's first step. */
  deliveryPercent: number;
  /** Loss between this process and the worker's producer (mediasoup's own count). */
  producerPacketsLost: number;
  withinLimits: boolean;
  setupSeconds: number;
  /** Which measurement of this step this is (a lossy window is measured again, see lossAttempts). */
  attempt: number;
}

export interface ForwardingLaneResult {
  side: RoomSide;
  steps: ForwardingStep[];
  notes: string[];
}

const LISTEN: types.TransportListenInfo = { protocol: "udp", ip: "127.0.0.1", portRange: RTC_PORTS };

const log = (msg: string) => process.stderr.write(`[forwarding] ${msg}\n`);

/** One side: a room, a publisher into it, and consumers out of it to this process's sinks. */
class ForwardingLane {
  readonly room: MediaRoom;
  readonly steps: ForwardingStep[] = [];
  /** Set once the lane passed a limit: it takes no further steps. */
  stopped = false;
  readonly #settings: ForwardingSettings;
  readonly #publisher: RtpPublisher;
  readonly #sinks: RtpSinks;
  readonly #producer: types.Producer;
  readonly #inboundPort: number;
  readonly #rtpCapabilities: types.RtpCapabilities;
  #consumers = 0;
  #referenceRate?: number;

  private constructor(
    room: MediaRoom,
    settings: ForwardingSettings,
    publisher: RtpPublisher,
    sinks: RtpSinks,
    producer: types.Producer,
    inboundPort: number,
  ) {
    this.room = room;
    this.#settings = settings;
    this.#publisher = publisher;
    this.#sinks = sinks;
    this.#producer = producer;
    this.#inboundPort = inboundPort;
    // What a receiver without transport-wide CC would negotiate: VP8 with NACK/PLI/FIR, abs-send-time.
    const caps = room.router.rtpCapabilities;
    this.#rtpCapabilities = {
      codecs: (caps.codecs ?? [])
        .filter((c) => c.mimeType === "video/VP8")
        .map((c) => ({ ...c, rtcpFeedback: (c.rtcpFeedback ?? []).filter((f) => f.type === "nack" || f.type === "ccm") })),
      headerExtensions: (caps.headerExtensions ?? []).filter((h) => h.kind === "video" && h.uri.endsWith("abs-send-time")),
    };
  }

  static async open(room: MediaRoom, settings: ForwardingSettings): Promise<ForwardingLane> {
    // A member's WebRTC transport, as every live room has (Parley closes a room without one).
    await room.createTransport("recv");
    const publisher = await RtpPublisher.open(settings.publisher);
    const sinks = await RtpSinks.open(settings.sinkSockets, settings.sinkReceiveBufferBytes);
    const inbound = await room.router.createPlainTransport({ listenInfo: LISTEN, rtcpMux: true, comedia: false });
    await inbound.connect({ ip: "127.0.0.1", port: publisher.port });
    const producer = await inbound.produce({
      kind: "video",
      rtpParameters: {
        codecs: [
          {
            mimeType: "video/VP8",
            payloadType: publisher.payloadType,
            clockRate: 90_000,
            rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }, { type: "ccm", parameter: "fir" }],
          },
        ],
        encodings: [{ ssrc: publisher.ssrc }],
      },
    });
    return new ForwardingLane(room, settings, publisher, sinks, producer, inbound.tuple.localPort);
  }

  get side(): RoomSide {
    return this.room.side;
  }

  async grow(target: number): Promise<void> {
    await Promise.all(
      Array.from({ length: this.#settings.createConcurrency }, async () => {
        while (this.#consumers < target) await this.#addConsumer(this.#consumers++);
      }),
    );
  }

  /** Runs the publisher, waits for every consumer to sync, and measures one window. */
  async measure(target: number, setupSeconds: number, attempt = 1): Promise<ForwardingStep> {
    const s = this.#settings;
    const sinks = this.#sinks;
    const publisher = this.#publisher;
    publisher.start(this.#inboundPort);
    try {
      await waitUntil(() => [...sinks.streams.values()].every((st) => st.started), 10_000);
      await sleep(s.settleMs);
      const producerBefore = await producerLost(this.#producer);
      const pubBefore = { ...publisher.counters };
      const cpuBefore = await sampleCpu(this.room.worker);
      const sinkBefore = sinks.snapshot();
      await sleep(s.windowMs);
      const sinkAfter = sinks.snapshot();
      const cpuAfter = await sampleCpu(this.room.worker);
      const pubPackets = publisher.counters.packets - pubBefore.packets;
      const pubBytes = publisher.counters.bytes - pubBefore.bytes;
      const producerAfter = await producerLost(this.#producer);

      const w = sinks.between(sinkBefore, sinkAfter, pubPackets);
      const cpu = cpuBetween(cpuBefore, cpuAfter);
      const lossPercent = w.received + w.lost > 0 ? (100 * w.lost) / (w.received + w.lost) : 100;
      const step: ForwardingStep = {
        consumers: target,
        workerPercent: round(cpu.workerPercent, 1),
        workerSystemPercent: round(cpu.workerSystemPercent, 1),
        benchProcessPercent: round(cpu.benchProcessPercent, 1),
        machinePercent: round(cpu.machinePercent, 1),
        lossPercent: round(lossPercent, 4),
        silentConsumers: w.silentConsumers,
        forwardedPacketsPerSecond: round(w.received / w.seconds, 0),
        forwardedMbitPerSecond: round((w.bytes * 8) / w.seconds / 1e6, 2),
        publisherPacketsPerSecond: round(pubPackets / w.seconds, 1),
        publisherKbitPerSecond: round((pubBytes * 8) / w.seconds / 1000, 1),
        workerMicrosPerForwardedPacket: w.received > 0 ? round(((cpuAfter.workerMs - cpuBefore.workerMs) * 1000) / w.received, 2) : 0,
        producerPacketsLost: producerAfter - producerBefore,
        deliveryPercent: round(this.#deliveryPercent(w.received / w.seconds / target), 1),
        withinLimits: false,
        setupSeconds: round(setupSeconds, 1),
        attempt,
      };
      step.withinLimits =
        cpu.workerPercent <= s.maxCpuPercent && lossPercent <= s.maxLossPercent && step.deliveryPercent >= s.minDeliveryPercent;
      if (attempt > 1) this.steps.pop();
      this.steps.push(step);
      this.stopped = !step.withinLimits;
      return step;
    } finally {
      publisher.stop();
      // Let what is in flight drain so it does not land in the other lane's window.
      await sleep(200);
    }
  }

  /** The first step's per-consumer rate is the reference (100 %). */
  #deliveryPercent(perConsumer: number): number {
    this.#referenceRate ??= perConsumer;
    return this.#referenceRate > 0 ? (100 * perConsumer) / this.#referenceRate : 0;
  }

  async notes(): Promise<string[]> {
    const notes: string[] = [];
    if (this.#sinks.unknownPackets > 0) notes.push(`${this.#sinks.unknownPackets} packets arrived with an SSRC no consumer announced`);
    const { liburing } = await this.room.worker.dump();
    notes.push(
      liburing
        ? `worker sends through io_uring (liburing): ${JSON.stringify(liburing)}`
        : "worker sends with plain sendmsg (io_uring not available on this kernel)",
    );
    notes.push(`sink receive buffer ${this.#sinks.receiveBufferBytes} bytes per socket, ${this.#settings.sinkSockets} sockets`);
    return notes;
  }

  async close(): Promise<void> {
    this.#publisher.close();
    this.#sinks.close();
    await this.room.close();
  }

  async #addConsumer(i: number): Promise<void> {
    const srtp = this.#settings.srtp;
    const transport = await this.room.router.createPlainTransport({ listenInfo: LISTEN, rtcpMux: true, comedia: false, enableSrtp: srtp });
    await transport.connect({
      ip: "127.0.0.1",
      port: this.#sinks.port(i),
      // The sinks never send, so any key will do for the worker's inbound direction.
      srtpParameters: srtp ? { cryptoSuite: "AES_CM_128_HMAC_SHA1_80", keyBase64: randomBytes(30).toString("base64") } : undefined,
    });
    const consumer = await transport.consume({ producerId: this.#producer.id, rtpCapabilities: this.#rtpCapabilities });
    this.#sinks.expect(consumer.rtpParameters.encodings![0]!.ssrc!);
  }
}

export async function measureForwarding(settings: ForwardingSettings): Promise<{ lanes: ForwardingLaneResult[]; notes: string[] }> {
  const lanes: ForwardingLane[] = [];
  const notes: string[] = [];
  const started = performance.now();
  try {
    const openLane = async (room: MediaRoom) => {
      try {
        lanes.push(await ForwardingLane.open(room, settings));
      } catch (error) {
        await room.close();
        throw error;
      }
    };
    await openLane(await BareRoom.open());
    await openLane(await ParleyRoom.open("bench-forwarding"));
    for (const [index, target] of settings.steps.entries()) {
      if (lanes.every((l) => l.stopped)) break;
      if (performance.now() - started > settings.budgetMs) {
        notes.push(`ramp stopped before ${target} consumers: the ${settings.budgetMs / 1000} s budget ran out`);
        break;
      }
      const order = index % 2 === 0 ? lanes : [...lanes].reverse();
      for (const lane of order) {
        if (lane.stopped) continue;
        const setupStart = performance.now();
        await lane.grow(target);
        let step = await lane.measure(target, (performance.now() - setupStart) / 1000);
        // Loss on this loaded machine is often another process holding a core for a moment: a lossy
        // window is measured again before the lane stops (attempts says how many it took).
        for (
          let attempt = 2;
          !step.withinLimits && step.workerPercent <= settings.maxCpuPercent && attempt <= settings.lossAttempts;
          attempt++
        ) {
          log(`${lane.side} ${target} consumers: loss ${step.lossPercent}%, delivery ${step.deliveryPercent}%, measuring again`);
          step = await lane.measure(target, 0, attempt);
        }
        log(
          `${lane.side} ${target} consumers: worker ${step.workerPercent}% cpu, ${step.workerMicrosPerForwardedPacket} µs/pkt, loss ${step.lossPercent}%, ` +
            `${step.forwardedPacketsPerSecond} pkt/s, bench process ${step.benchProcessPercent}%, machine ${step.machinePercent}%`,
        );
      }
    }
    const results: ForwardingLaneResult[] = [];
    for (const lane of lanes) results.push({ side: lane.side, steps: lane.steps, notes: await lane.notes() });
    return { lanes: results, notes };
  } finally {
    for (const lane of lanes) await lane.close();
  }
}

async function producerLost(producer: types.Producer): Promise<number> {
  const stats = await producer.getStats();
  return stats.reduce((n, s) => n + (s.packetsLost ?? 0), 0);
}
