import { describe, expect, it } from "vitest";
import { effectiveLossImpairment, eModelMos, QualityMeter, rFactorToMos } from "./quality.js";

describe("E-model MOS", () => {
  it("is near the top for a clean local path and falls with loss, delay and jitter", () => {
    const clean = eModelMos({ rttMs: 20, jitterMs: 2, lossPercent: 0 });
    expect(clean).toBeGreaterThan(4.3);
    expect(clean).toBeLessThanOrEqual(4.5);
    const lossy = eModelMos({ rttMs: 20, jitterMs: 2, lossPercent: 5 });
    const veryLossy = eModelMos({ rttMs: 20, jitterMs: 2, lossPercent: 20 });
    expect(lossy).toBeLessThan(clean);
    expect(veryLossy).toBeLessThan(lossy);
    const slow = eModelMos({ rttMs: 600, jitterMs: 30, lossPercent: 0 });
    expect(slow).toBeLessThan(clean - 0.5); // one-way delay past 177 ms hurts fast
    expect(eModelMos({ rttMs: 2000, jitterMs: 200, lossPercent: 50 })).toBe(1);
  });

  it("treats G.711 as less robust to loss than Opus with FEC", () => {
    const opus = eModelMos({ rttMs: 50, jitterMs: 5, lossPercent: 3, codec: "audio/opus" });
    const pcmu = eModelMos({ rttMs: 50, jitterMs: 5, lossPercent: 3, codec: "audio/PCMU" });
    expect(opus).toBeLessThan(4.5);
    expect(pcmu).not.toBe(opus);
  });
});

describe("MOS-LQ from concealment (Ie = 0, Bpl = 10, no delay term)", () => {
  const mosLq = (concealed: number) => rFactorToMos(93.2 - effectiveLossImpairment({ ie: 0, bpl: 10 }, concealed));

  it("gives the figures docs/quality.md quotes for heard concealment", () => {
    expect(mosLq(0)).toBeCloseTo(4.41, 2);
    expect(mosLq(23)).toBeCloseTo(1.5, 1);
    expect(mosLq(36)).toBeCloseTo(1.2, 1);
    expect(mosLq(48)).toBeCloseTo(1.1, 1);
    // the targets: 4.2 / 3.8 / 3.3 at 0.9 / 2.5 / 4.5 % concealed
    expect(mosLq(0.9)).toBeCloseTo(4.2, 1);
    expect(mosLq(2.5)).toBeCloseTo(3.8, 1);
    expect(mosLq(4.5)).toBeCloseTo(3.3, 1);
  });
});

describe("QualityMeter", () => {
  const report = (at: number, bytes: number, packets: number, lost: number) =>
    new Map(
      Object.entries({
        in1: {
          id: "in1",
          type: "inbound-rtp",
          kind: "video",
          timestamp: at,
          bytesReceived: bytes,
          packetsReceived: packets,
          packetsLost: lost,
          framesDecoded: packets / 2,
          frameWidth: 640,
          frameHeight: 360,
          framesPerSecond: 15,
          jitter: 0.004,
          codecId: "c1",
        },
        c1: { id: "c1", type: "codec", timestamp: at, mimeType: "video/VP8" },
      }),
    );

  it("derives bitrate and loss from successive samples", () => {
    const meter = new QualityMeter();
    const first = meter.measure("t", "recv", "video", report(1000, 0, 0, 0));
    expect(first.bitrate).toBe(0);
    const second = meter.measure("t", "recv", "video", report(2000, 125_000, 100, 0));
    expect(second.bitrate).toBe(1_000_000);
    expect(second).toMatchObject({ width: 640, height: 360, fps: 15, framesDecoded: 50, jitterMs: 4, loss: 0 });
    const third = meter.measure("t", "recv", "video", report(3000, 250_000, 190, 10));
    expect(third.loss).toBeCloseTo(10 / 100);
  });
});
