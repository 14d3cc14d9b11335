/**
 * The common meeting shape, Parley's room beside bare mediasoup's in the same run: P publishers
 * (mediasoup-client on @roamhq/wrtc, each sending a VP8 camera) and S WebRTC subscribers, each
 * receiving every publisher's stream on its one receive transport (P consumers per subscriber).
 * S ramps; at each step each side is measured alone — the other side's publishers pause (no RTP,
 * no encoding) — and which side goes first alternates, so the load other work puts on this shared
 * machine falls on both.
 *
 * The clients are the same for both sides and call the room in this process (peer.ts): what is
 * compared is the node's side, bare mediasoup (bare-room.ts) against Parley's WorkerPool, MediaNode
 * and Room (parley-room.ts). The subscribers decode what they receive (libwebrtc does), so this
 * process's CPU (benchProcessPercent) grows with S too.
 */
import type { types } from "mediasoup-client";
import { syntheticVideo } from "../../../sdk/src/node/index.js";
import { round } from "../stats.js";
import { BareRoom } from "./bare-room.js";
import { type CpuFigures, cpuBetween, sampleCpu } from "./cpu.js";
import type { MediaRoom, RoomSide } from "./media-room.js";
import { ParleyRoom } from "./parley-room.js";
import { inboundVideo, MediasoupPeer } from "./peer.js";
import { sleep, waitUntil } from "./wait.js";

export interface MeetingSettings {
  publishers: number;
  video: { width: number; height: number; fps: number };
  /** Subscriber counts to try in order (consumers = subscribers × publishers). */
  subscriberSteps: number[];
  /** After resuming: wait until every subscriber decodes every stream, then this long. */
  settleMs: number;
  windowMs: number;
  maxCpuPercent: number;
  maxLossPercent: number;
  lossAttempts: number;
  /** A step counts only if each consumer got at least this share of the packets per second it got at the first step (see forwarding.ts). */
  minDeliveryPercent: number;
  /**
   * The ramp goes on past the loss limit up to this loss: the subscribers decode in this process,
   * which saturates this 2-core machine long before the worker does, so steps beyond the limit
   * still show the worker's cost per packet (for the ratio and the projection).
   */
  abortLossPercent: number;
  createConcurrency: number;
  budgetMs: number;
}

export interface MeetingStep extends CpuFigures {
  subscribers: number;
  consumers: number;
  lossPercent: number;
  /** Subscribers that did not decode every stream in the window. */
  subscribersMissingStreams: number;
  forwardedPacketsPerSecond: number;
  /** Packets per second per consumer, % of the lane's first step (the publishers' encoders slow down when starved). */
  deliveryPercent: number;
  decodedFramesPerSecond: number;
  workerMicrosPerForwardedPacket: number;
  withinLimits: boolean;
  attempt: number;
}

/**
 * Consumers per core the worker would carry at the CPU limit, from the largest step whose loss
 * stayed at most `maxLossPercent` and delivery at least `minDeliveryPercent` (so the worker
 * forwarded about what a full-rate meeting offers): its consumers
 * scaled by the CPU limit over its worker CPU.
 */
export function projectConsumersPerCore(steps: MeetingStep[], maxCpuPercent: number, maxLossPercent: number, minDeliveryPercent: number) {
  const base = steps
    .filter((st) => st.lossPercent <= maxLossPercent && st.deliveryPercent >= minDeliveryPercent && st.subscribers > 1)
    .at(-1);
  return base
    ? {
        fromStep: base.consumers,
        lossPercent: base.lossPercent,
        consumersAtCpuLimit: Math.floor((base.consumers * maxCpuPercent) / Math.max(base.workerPercent, 0.1)),
      }
    : null;
}

export interface MeetingLaneResult {
  side: RoomSide;
  steps: MeetingStep[];
}

const log = (msg: string) => process.stderr.write(`[meeting] ${msg}\n`);

class MeetingLane {
  readonly room: MediaRoom;
  readonly steps: MeetingStep[] = [];
  stopped = false;
  readonly #settings: MeetingSettings;
  readonly #publishers: MediasoupPeer[];
  readonly #producers: types.Producer[];
  readonly #subscribers: MediasoupPeer[] = [];
  #referenceRate?: number;

  private constructor(room: MediaRoom, settings: MeetingSettings, publishers: MediasoupPeer[], producers: types.Producer[]) {
    this.room = room;
    this.#settings = settings;
    this.#publishers = publishers;
    this.#producers = producers;
  }

  static async open(room: MediaRoom, settings: MeetingSettings, track: MediaStreamTrack): Promise<MeetingLane> {
    const publishers: MediasoupPeer[] = [];
    const producers: types.Producer[] = [];
    for (let i = 0; i < settings.publishers; i++) {
      const peer = await MediasoupPeer.load(room, room.rtpCapabilities);
      publishers.push(peer);
      const producer = await peer.produce(track);
      // Paused until measured: no RTP and, with zeroRtpOnPause, no encoding.
      producer.pause();
      producers.push(producer);
    }
    return new MeetingLane(room, settings, publishers, producers);
  }

  get side(): RoomSide {
    return this.room.side;
  }

  async grow(target: number): Promise<void> {
    const ids = this.#producers.map((p) => p.id);
    let next = this.#subscribers.length;
    await Promise.all(
      Array.from({ length: this.#settings.createConcurrency }, async () => {
        while (next++ < target) {
          const peer = await MediasoupPeer.load(this.room, this.room.rtpCapabilities);
          this.#subscribers.push(peer);
          await peer.consume(ids);
        }
      }),
    );
  }

  async measure(attempt = 1): Promise<MeetingStep> {
    const s = this.#settings;
    for (const p of this.#producers) p.resume();
    try {
      const allDecoding = async () => {
        const reports = await Promise.all(this.#subscribers.map(async (sub) => inboundVideo(await sub.receiveStats())));
        return reports.every((r) => r.streams >= s.publishers && r.framesDecoded > 0);
      };
      if (!(await waitUntil(allDecoding, 15_000, 250)))
        log(`${this.side}: not every subscriber decodes every stream after 15 s; measuring anyway`);
      await sleep(s.settleMs);
      const before = await this.#sample();
      await sleep(s.windowMs);
      const after = await this.#sample();
      const cpu = cpuBetween(before.cpu, after.cpu);
      const seconds = (after.cpu.at - before.cpu.at) / 1000;
      let received = 0;
      let lost = 0;
      let frames = 0;
      let missing = 0;
      for (const [i, end] of after.subscribers.entries()) {
        const start = before.subscribers[i]!;
        received += end.packetsReceived - start.packetsReceived;
        lost += Math.max(0, end.packetsLost - start.packetsLost);
        frames += end.framesDecoded - start.framesDecoded;
        if (end.streams < s.publishers || end.framesDecoded === start.framesDecoded) missing++;
      }
      const lossPercent = received + lost > 0 ? (100 * lost) / (received + lost) : 100;
      const perConsumer = received / seconds / (this.#subscribers.length * s.publishers);
      this.#referenceRate ??= perConsumer;
      const deliveryPercent = this.#referenceRate > 0 ? (100 * perConsumer) / this.#referenceRate : 0;
      const step: MeetingStep = {
        subscribers: this.#subscribers.length,
        consumers: this.#subscribers.length * s.publishers,
        workerPercent: round(cpu.workerPercent, 1),
        workerSystemPercent: round(cpu.workerSystemPercent, 1),
        benchProcessPercent: round(cpu.benchProcessPercent, 1),
        machinePercent: round(cpu.machinePercent, 1),
        lossPercent: round(lossPercent, 4),
        subscribersMissingStreams: missing,
        forwardedPacketsPerSecond: round(received / seconds, 0),
        deliveryPercent: round(deliveryPercent, 1),
        decodedFramesPerSecond: round(frames / seconds, 0),
        workerMicrosPerForwardedPacket: received > 0 ? round(((after.cpu.workerMs - before.cpu.workerMs) * 1000) / received, 2) : 0,
        withinLimits:
          cpu.workerPercent <= s.maxCpuPercent &&
          lossPercent <= s.maxLossPercent &&
          missing === 0 &&
          deliveryPercent >= s.minDeliveryPercent,
        attempt,
      };
      if (attempt > 1) this.steps.pop();
      this.steps.push(step);
      this.stopped =
        step.workerPercent > s.maxCpuPercent ||
        step.lossPercent > s.abortLossPercent ||
        missing > 0 ||
        deliveryPercent < s.minDeliveryPercent / 2;
      return step;
    } finally {
      for (const p of this.#producers) p.pause();
      await sleep(300);
    }
  }

  async close(): Promise<void> {
    for (const peer of [...this.#subscribers, ...this.#publishers]) peer.close();
    await this.room.close();
  }

  async #sample() {
    const [cpu, subscribers] = await Promise.all([
      sampleCpu(this.room.worker),
      Promise.all(this.#subscribers.map(async (sub) => inboundVideo(await sub.receiveStats()))),
    ]);
    return { cpu, subscribers };
  }
}

export async function measureMeeting(settings: MeetingSettings): Promise<{ lanes: MeetingLaneResult[]; notes: string[] }> {
  const camera = syntheticVideo(settings.video);
  const lanes: MeetingLane[] = [];
  const notes: string[] = [];
  const started = performance.now();
  try {
    for (const open of [() => BareRoom.open(), () => ParleyRoom.open("bench-meeting")]) {
      const room = await open();
      try {
        lanes.push(await MeetingLane.open(room, settings, camera.track));
      } catch (error) {
        await room.close();
        throw error;
      }
    }
    for (const [index, target] of settings.subscriberSteps.entries()) {
      if (lanes.every((l) => l.stopped)) break;
      if (performance.now() - started > settings.budgetMs) {
        notes.push(`ramp stopped before ${target} subscribers: the ${settings.budgetMs / 1000} s budget ran out`);
        break;
      }
      for (const lane of index % 2 === 0 ? lanes : [...lanes].reverse()) {
        if (lane.stopped) continue;
        await lane.grow(target);
        let step = await lane.measure();
        for (
          let attempt = 2;
          !step.withinLimits && step.workerPercent <= settings.maxCpuPercent && attempt <= settings.lossAttempts;
          attempt++
        ) {
          log(
            `${lane.side} ${target} subscribers: loss ${step.lossPercent}%, delivery ${step.deliveryPercent}%, ${step.subscribersMissingStreams} missing streams; measuring again`,
          );
          step = await lane.measure(attempt);
        }
        log(
          `${lane.side} ${target} subscribers (${step.consumers} consumers): worker ${step.workerPercent}% cpu, ${step.workerMicrosPerForwardedPacket} µs/pkt, ` +
            `loss ${step.lossPercent}%, ${step.forwardedPacketsPerSecond} pkt/s, ${step.decodedFramesPerSecond} frames/s decoded, ` +
            `bench process ${step.benchProcessPercent}%, machine ${step.machinePercent}%`,
        );
      }
    }
    return { lanes: lanes.map((l) => ({ side: l.side, steps: l.steps })), notes };
  } finally {
    for (const lane of lanes) await lane.close();
    camera.stop();
  }
}
