/**
 * What a page receives, read from WebRTC stats in the page: per remote member, the inbound audio
 * and video counters (RTCInboundRtpStreamStats), and what the page itself sends.
 */
import type { Page } from "playwright-core";
import type { Room } from "../../../sdk/src/client/index.js";

export interface AudioCounters {
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  concealedSamples: number;
  silentConcealedSamples: number;
  totalSamplesReceived: number;
  jitterBufferDelay: number;
  jitterBufferEmittedCount: number;
}

export interface VideoCounters {
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
  freezeCount: number;
  totalFreezesDuration: number;
  nackCount: number;
  pliCount: number;
}

export interface PageSample {
  /** performance.now() of the page, ms. */
  at: number;
  /** The demo page's state (`joined` while in the call). */
  state: string;
  /** The SDK room's state. */
  roomState: string;
  /** By remote user. */
  from: Record<string, { audio?: AudioCounters; video?: VideoCounters }>;
  sent: { audioBytes: number; videoBytes: number; videoHeight: number; qualityLimitation: string };
  rttMs: number | null;
}

/** One sample of everything a page receives; runs in the page. */
export function samplePage(page: Page): Promise<PageSample> {
  return page.evaluate(async () => {
    const room = (window as unknown as { parleyDemo?: { room?: Room } }).parleyDemo?.room;
    const num = (v: unknown) => (typeof v === "number" ? v : 0);
    const sample: PageSample = {
      at: performance.now(),
      state: document.body.dataset.state ?? "",
      roomState: room?.state ?? "none",
      from: {},
      sent: { audioBytes: 0, videoBytes: 0, videoHeight: 0, qualityLimitation: "" },
      rttMs: null,
    };
    if (!room) return sample;
    for (const member of room.members.values()) {
      const entry: PageSample["from"][string] = {};
      for (const track of member.tracks.values()) {
        if (!track.consumer) continue;
        (await track.consumer.getStats()).forEach((s) => {
          if (s.type === "candidate-pair" && s.nominated && typeof s.currentRoundTripTime === "number")
            sample.rttMs = s.currentRoundTripTime * 1000;
          if (s.type !== "inbound-rtp") return;
          if (s.kind === "audio")
            entry.audio = {
              packetsReceived: num(s.packetsReceived),
              packetsLost: num(s.packetsLost),
              bytesReceived: num(s.bytesReceived),
              concealedSamples: num(s.concealedSamples),
              silentConcealedSamples: num(s.silentConcealedSamples),
              totalSamplesReceived: num(s.totalSamplesReceived),
              jitterBufferDelay: num(s.jitterBufferDelay),
              jitterBufferEmittedCount: num(s.jitterBufferEmittedCount),
            };
          if (s.kind === "video" && track.info.source !== "screen")
            entry.video = {
              packetsReceived: num(s.packetsReceived),
              packetsLost: num(s.packetsLost),
              bytesReceived: num(s.bytesReceived),
              framesDecoded: num(s.framesDecoded),
              frameWidth: num(s.frameWidth),
              frameHeight: num(s.frameHeight),
              freezeCount: num(s.freezeCount),
              totalFreezesDuration: num(s.totalFreezesDuration),
              nackCount: num(s.nackCount),
              pliCount: num(s.pliCount),
            };
        });
      }
      sample.from[member.user] = entry;
    }
    for (const { direction, stats } of await room.transportStats()) {
      if (direction !== "send") continue;
      for (const s of stats.values()) {
        if (s.type !== "outbound-rtp") continue;
        if (s.kind === "audio") sample.sent.audioBytes += num(s.bytesSent);
        if (s.kind === "video") {
          sample.sent.videoBytes += num(s.bytesSent);
          if (num(s.frameHeight) > sample.sent.videoHeight) {
            sample.sent.videoHeight = num(s.frameHeight);
            sample.sent.qualityLimitation = String(s.qualityLimitationReason ?? "");
          }
        }
      }
    }
    return sample;
  });
}
