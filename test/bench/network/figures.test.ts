import { describe, expect, it } from "vitest";
import { audioFigures, pairFigures } from "./figures.js";
import type { AudioCounters, PageSample } from "./samples.js";

const audio = (o: Partial<AudioCounters>): AudioCounters => ({
  packetsReceived: 0,
  packetsLost: 0,
  bytesReceived: 0,
  concealedSamples: 0,
  silentConcealedSamples: 0,
  totalSamplesReceived: 0,
  jitterBufferDelay: 0,
  jitterBufferEmittedCount: 0,
  ...o,
});

const sample = (at: number, a: Partial<AudioCounters>, state = "joined"): PageSample => ({
  at,
  state,
  roomState: "joined",
  from: { bob: { audio: audio(a) } },
  sent: { audioBytes: 0, videoBytes: 0, videoHeight: 0, qualityLimitation: "" },
  rttMs: null,
});

describe("network benchmark figures", () => {
  it("counts concealment over the window without the silent part, and its MOS-LQ", () => {
    const f = audioFigures(
      audio({ concealedSamples: 1000, silentConcealedSamples: 100, totalSamplesReceived: 48_000, packetsReceived: 50 }),
      audio({
        concealedSamples: 24_000,
        silentConcealedSamples: 2_100,
        totalSamplesReceived: 144_000,
        packetsReceived: 120,
        packetsLost: 30,
      }),
      2,
    );
    // (23 000 − 2 000) / 96 000
    expect(f.concealmentPercent).toBeCloseTo(21.88, 2);
    expect(f.silentConcealmentPercent).toBeCloseTo(2.08, 2);
    expect(f.mosLq).toBeCloseTo(1.53, 1);
    expect(f.wireLossPercent).toBeCloseTo(30, 5);
  });

  it("counts a recreated stream (counters back near zero) from zero instead of going negative", () => {
    const f = audioFigures(
      audio({ concealedSamples: 5000, totalSamplesReceived: 100_000 }),
      audio({ concealedSamples: 480, totalSamplesReceived: 48_000 }),
      1,
    );
    expect(f.concealmentPercent).toBe(1);
  });

  it("counts the slices without audio, and a page that left as not up", () => {
    const up = [sample(0, { packetsReceived: 10 }), sample(2000, { packetsReceived: 60 }), sample(4000, { packetsReceived: 110 })];
    expect(pairFigures("alice", "bob", up)).toMatchObject({ silentSlices: 0, stayedUp: true });
    const silentSlice = [sample(0, { packetsReceived: 10 }), sample(2000, { packetsReceived: 60 }), sample(4000, { packetsReceived: 60 })];
    expect(pairFigures("alice", "bob", silentSlice)).toMatchObject({ silentSlices: 1, stayedUp: true });
    const left = [sample(0, { packetsReceived: 10 }), sample(2000, { packetsReceived: 60 }, "left")];
    expect(pairFigures("alice", "bob", left).stayedUp).toBe(false);
  });
});
