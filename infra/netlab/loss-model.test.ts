import { describe, expect, it } from "vitest";
import { BernoulliLoss, GilbertElliottLoss, gilbertFromBurstRatio } from "./loss-model.js";
import { createRandom } from "./random.js";

/** Loss rate and mean length of the runs of consecutive losses over `n` packets. */
function measure(lose: () => boolean, n: number): { loss: number; meanBurst: number; bursts: number } {
  let lost = 0;
  let bursts = 0;
  let inBurst = false;
  for (let i = 0; i < n; i++) {
    const l = lose();
    if (l) {
      lost++;
      if (!inBurst) bursts++;
    }
    inBurst = l;
  }
  return { loss: lost / n, meanBurst: lost / Math.max(1, bursts), bursts };
}

describe("seeded randomness", () => {
  it("repeats for a seed and differs between seeds", () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA);
    for (const v of seqA) expect(v >= 0 && v < 1).toBe(true);
  });
});

describe("Bernoulli loss", () => {
  it("loses the configured share, in the runs random loss gives", () => {
    const model = new BernoulliLoss(0.3, createRandom("bernoulli"));
    const m = measure(() => model.lose(), 200_000);
    expect(m.loss).toBeCloseTo(0.3, 2);
    // geometric runs: mean 1 / (1 − p)
    expect(m.meanBurst).toBeCloseTo(1 / 0.7, 1);
  });
});

describe("Gilbert–Elliott loss", () => {
  it("has the stationary loss p/(p+r) and mean burst 1/r with the raw chain", () => {
    const chain = { p: 0.05, r: 0.25, lossGood: 0, lossBad: 1 };
    const model = new GilbertElliottLoss(chain, createRandom(7));
    const m = measure(() => model.lose(), 400_000);
    expect(m.loss).toBeGreaterThan(0.05 / 0.3 - 0.01);
    expect(m.loss).toBeLessThan(0.05 / 0.3 + 0.01);
    expect(m.meanBurst).toBeGreaterThan(3.8);
    expect(m.meanBurst).toBeLessThan(4.2);
  });

  it("from a loss and burst ratio keeps the mean loss and multiplies the random burst length", () => {
    for (const [loss, ratio] of [
      [10, 3],
      [30, 3],
      [50, 2],
      [80, 3],
    ] as const) {
      const model = new GilbertElliottLoss(gilbertFromBurstRatio(loss, ratio), createRandom(`ge ${loss}`));
      const m = measure(() => model.lose(), 400_000);
      expect(Math.abs(m.loss - loss / 100), `loss at ${loss}%`).toBeLessThan(0.01);
      const randomBurst = 1 / (1 - loss / 100);
      expect(m.meanBurst / randomBurst, `burst ratio at ${loss}%`).toBeGreaterThan(ratio * 0.93);
      expect(m.meanBurst / randomBurst, `burst ratio at ${loss}%`).toBeLessThan(ratio * 1.07);
    }
  });

  it("loses in the good state and keeps some in the bad one when told to (the general chain)", () => {
    const model = new GilbertElliottLoss({ p: 0.1, r: 0.1, lossGood: 0.02, lossBad: 0.5 }, createRandom(9), "good");
    const m = measure(() => model.lose(), 400_000);
    // half the time in each state: 0.5 · 0.02 + 0.5 · 0.5
    expect(m.loss).toBeGreaterThan(0.25);
    expect(m.loss).toBeLessThan(0.27);
  });

  it("is reproducible for a seed", () => {
    const chain = gilbertFromBurstRatio(30, 3);
    const a = new GilbertElliottLoss(chain, createRandom("same"));
    const b = new GilbertElliottLoss(chain, createRandom("same"));
    expect(Array.from({ length: 1000 }, () => a.lose())).toEqual(Array.from({ length: 1000 }, () => b.lose()));
  });
});
