/**
 * Forwarding capacity of ONE mediasoup worker: one VP8 publisher (~500 kbps, 360p-shaped) on a
 * PlainTransport, N consumers each on its own PlainTransport (comedia off, SRTP on as WebRTC
 * consumers have, so the worker pays the per-consumer encryption it pays in production), sending to
 * UDP sinks in this process. N ramps until the worker passes the CPU or loss limit.
 *
 * This drives mediasoup directly (a Router with the node's codecs on one worker), not the edge:
 * what is measured is the node's forwarding, without signalling or ICE/DTLS in the way.
 */
import { randomBytes } from "node:crypto";
import { createWorker, type types } from "mediasoup";
import { MEDIA_CODECS } from "../../../media-fleet/src/codecs.js";
import { round } from "../stats.js";
import { type CpuFigures, cpuBetween, sampleCpu } from "./cpu.js";
import { type PublisherSettings, RtpPublisher, RtpSinks } from "./rtp.js";

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
  /** Loss between this process and the worker's producer (mediasoup's own count). */
  producerPacketsLost: number;
  withinLimits: boolean;
  setupSeconds: number;
}

const LISTEN: types.TransportListenInfo = { protocol: "udp", ip: "127.0.0.1", portRange: { min: 20000, max: 29999 } };

const log = (msg: string) => process.stderr.write(`[forwarding] ${msg}\n`);

export async function measureForwarding(settings: ForwardingSettings): Promise<{ steps: ForwardingStep[]; notes: string[] }> {
  const worker = await createWorker({ logLevel: "error" });
  const notes: string[] = [];
  const publisher = await RtpPublisher.open(settings.publisher);
  const sinks = await RtpSinks.open(settings.sinkSockets, settings.sinkReceiveBufferBytes);
  const consumerTransports: types.PlainTransport[] = [];
  const started = performance.now();
  try {
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const inbound = await router.createPlainTransport({ listenInfo: LISTEN, rtcpMux: true, comedia: false });
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
    // What a receiver without transport-wide CC would negotiate: VP8 with NACK/PLI/FIR, abs-send-time.
    const caps = router.rtpCapabilities;
    const rtpCapabilities: types.RtpCapabilities = {
      codecs: (caps.codecs ?? [])
        .filter((c) => c.mimeType === "video/VP8")
        .map((c) => ({ ...c, rtcpFeedback: (c.rtcpFeedback ?? []).filter((f) => f.type === "nack" || f.type === "ccm") })),
      headerExtensions: (caps.headerExtensions ?? []).filter((h) => h.kind === "video" && h.uri.endsWith("abs-send-time")),
    };
    publisher.start(inbound.tuple.localPort);

    const addConsumer = async (i: number) => {
      const transport = await router.createPlainTransport({ listenInfo: LISTEN, rtcpMux: true, comedia: false, enableSrtp: settings.srtp });
      consumerTransports.push(transport);
      await transport.connect({
        ip: "127.0.0.1",
        port: sinks.port(i),
        // The sinks never send, so any key will do for the worker's inbound direction.
        srtpParameters: settings.srtp
          ? { cryptoSuite: "AES_CM_128_HMAC_SHA1_80", keyBase64: randomBytes(30).toString("base64") }
          : undefined,
      });
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities });
      sinks.expect(consumer.rtpParameters.encodings![0]!.ssrc!);
    };

    const steps: ForwardingStep[] = [];
    for (const target of settings.steps) {
      if (performance.now() - started > settings.budgetMs) {
        notes.push(`ramp stopped before ${target} consumers: the ${settings.budgetMs / 1000} s budget ran out`);
        break;
      }
      const setupStart = performance.now();
      let next = consumerTransports.length;
      await Promise.all(
        Array.from({ length: settings.createConcurrency }, async () => {
          while (next < target) await addConsumer(next++);
        }),
      );
      await waitUntil(() => [...sinks.streams.values()].every((s) => s.started), 10_000);
      const setupSeconds = (performance.now() - setupStart) / 1000;
      await sleep(settings.settleMs);

      const producerBefore = await producerLost(producer);
      const pubBefore = { ...publisher.counters };
      const cpuBefore = await sampleCpu(worker);
      const sinkBefore = sinks.snapshot();
      await sleep(settings.windowMs);
      const sinkAfter = sinks.snapshot();
      const cpuAfter = await sampleCpu(worker);
      const pubPackets = publisher.counters.packets - pubBefore.packets;
      const pubBytes = publisher.counters.bytes - pubBefore.bytes;
      const producerAfter = await producerLost(producer);

      const w = sinks.between(sinkBefore, sinkAfter, pubPackets);
      const cpu = cpuBetween(cpuBefore, cpuAfter);
      const lossPercent = w.received + w.lost > 0 ? (100 * w.lost) / (w.received + w.lost) : 100;
      const withinLimits = cpu.workerPercent <= settings.maxCpuPercent && lossPercent <= settings.maxLossPercent;
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
        withinLimits,
        setupSeconds: round(setupSeconds, 1),
      };
      steps.push(step);
      log(
        `${target} consumers: worker ${step.workerPercent}% cpu, loss ${step.lossPercent}%, ${step.forwardedPacketsPerSecond} pkt/s, ` +
          `${step.forwardedMbitPerSecond} Mbit/s, bench process ${step.benchProcessPercent}%, machine ${step.machinePercent}%`,
      );
      if (!withinLimits) break;
    }
    if (sinks.unknownPackets > 0) notes.push(`${sinks.unknownPackets} packets arrived with an SSRC no consumer announced`);
    const { liburing } = await worker.dump();
    notes.push(
      liburing
        ? `worker sends through io_uring (liburing): ${JSON.stringify(liburing)}`
        : "worker sends with plain sendmsg (io_uring not available on this kernel)",
    );
    notes.push(`sink receive buffer ${sinks.receiveBufferBytes} bytes per socket, ${settings.sinkSockets} sockets`);
    return { steps, notes };
  } finally {
    publisher.close();
    sinks.close();
    // Closing the worker closes its router, transports and their ports; wait for the process to go
    // (it takes a moment with a thousand transports) so none outlives the benchmark.
    const exited = new Promise<void>((resolve) => worker.once("subprocessclose", resolve));
    worker.close();
    await Promise.race([exited, sleep(10_000)]);
  }
}

async function producerLost(producer: types.Producer): Promise<number> {
  const stats = await producer.getStats();
  return stats.reduce((n, s) => n + (s.packetsLost ?? 0), 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check() && performance.now() < deadline) await sleep(50);
}
