import { describe, expect, it } from "vitest";
import { CLEAN_LINK, type LinkConditionsInput, parseLinkConditions } from "./conditions.js";
import { Link } from "./link.js";

function link(conditions: LinkConditionsInput, seed = "link test"): Link {
  return new Link(parseLinkConditions(conditions), seed);
}

/** Offers `n` packets 1 ms apart; returns the delivery times in sequence order (undefined = dropped). */
function run(l: Link, n: number, bytes = 200, spacingMs = 1): (number[] | undefined)[] {
  return Array.from({ length: n }, (_, i) => {
    const v = l.offer(i * spacingMs, bytes);
    return v.delivered ? v.at : undefined;
  });
}

describe("link", () => {
  it("passes everything on time when clean", () => {
    const out = run(new Link(CLEAN_LINK, "clean"), 100);
    expect(out.map((at, i) => at?.[0] === i)).toEqual(new Array(100).fill(true));
  });

  it("adds the fixed delay", () => {
    const out = run(link({ delayMs: 150 }), 10);
    expect(out.map((at) => at?.[0])).toEqual([150, 151, 152, 153, 154, 155, 156, 157, 158, 159]);
  });

  it("keeps order under jitter, and stays within ±jitter otherwise", () => {
    // audio's spacing (20 ms): a packet never passes the one before it, so at video's packet rate
    // the spread is what order allows (a frame's packets arrive together, as through a queue)
    const out = run(link({ delayMs: 100, jitterMs: 30 }), 10_000, 200, 20).map((at) => at?.[0] as number);
    for (let i = 1; i < out.length; i++) expect(out[i]).toBeGreaterThanOrEqual(out[i - 1] as number);
    const extra = out.map((at, i) => at - i * 20 - 100);
    expect(Math.min(...extra)).toBeGreaterThanOrEqual(-30);
    // FIFO can push a packet past +jitter only by waiting for the one before it, never beyond it
    expect(Math.max(...extra)).toBeLessThanOrEqual(30);
    const spread = Math.max(...extra) - Math.min(...extra);
    expect(spread).toBeGreaterThan(50);
  });

  it("reorders the configured share by holding packets back", () => {
    const l = link({ delayMs: 50, reorder: 10, reorderDelayMs: 5 });
    const out = run(l, 20_000).map((at) => at?.[0] as number);
    // a packet is out of order when one sent after it arrives before it
    let late = 0;
    for (let i = 0; i < out.length - 1; i++) if ((out[i] as number) > (out[i + 1] as number)) late++;
    expect(late / out.length).toBeGreaterThan(0.09);
    expect(late / out.length).toBeLessThan(0.11);
    expect(l.counters.reordered / out.length).toBeCloseTo(0.1, 1);
  });

  it("duplicates the configured share", () => {
    const l = link({ duplicate: 5 });
    const out = run(l, 20_000);
    const twice = out.filter((at) => at?.length === 2).length;
    expect(twice / out.length).toBeGreaterThan(0.045);
    expect(twice / out.length).toBeLessThan(0.055);
    expect(l.counters.delivered).toBe(out.length + twice);
  });

  it("loses at random or in bursts with the same mean", () => {
    for (const burst of [1, 3]) {
      const l = link({ loss: 30, burst }, `loss ${burst}`);
      const out = run(l, 50_000);
      const lost = out.filter((at) => at === undefined).length;
      expect(Math.abs(lost / out.length - 0.3)).toBeLessThan(0.015);
      expect(l.counters.lost).toBe(lost);
    }
  });

  it("drops at the bottleneck queue and delays by the backlog", () => {
    // 800 kbit/s = 100 bytes/ms; 1000-byte packets every 1 ms offer 8 Mbit/s
    const l = link({ rateKbps: 800, queueMs: 100, delayMs: 20 });
    const out = run(l, 1000, 1000);
    const through = out.filter((at) => at !== undefined).length;
    // ~1 in 10 fits the rate, plus the queue's worth at the start
    expect(through).toBeGreaterThan(100);
    expect(through).toBeLessThan(125);
    expect(l.counters.queueDropped).toBe(1000 - through);
    const last = out.filter((at) => at !== undefined).at(-1)?.[0] as number;
    // arrival = backlog (≤ 100 ms + one packet) + 20 ms after being sent at ≤ 999
    expect(last).toBeLessThanOrEqual(999 + 110 + 20);
  });

  it("drops everything while cut, and recovers when the cut ends", () => {
    const l = link({ delayMs: 10 });
    expect(l.offer(0, 100)).toEqual({ delivered: true, at: [10] });
    l.reconfigure(parseLinkConditions({ delayMs: 10, cut: true }));
    expect(l.offer(1, 100)).toEqual({ delivered: false, reason: "cut" });
    l.reconfigure(parseLinkConditions({ delayMs: 10 }));
    expect(l.offer(2, 100)).toEqual({ delivered: true, at: [12] });
    expect(l.counters.cutDropped).toBe(1);
  });

  it("gives the same fate to the same packets with the same seed", () => {
    const conditions = { loss: 20, burst: 2, jitterMs: 10, delayMs: 30, reorder: 2, duplicate: 1 };
    expect(run(link(conditions, "s"), 5000)).toEqual(run(link(conditions, "s"), 5000));
    expect(run(link(conditions, "s"), 5000)).not.toEqual(run(link(conditions, "t"), 5000));
  });

  it("refuses conditions out of range with a message naming the field", () => {
    expect(() => parseLinkConditions({ loss: 120 })).toThrow(/loss/);
    expect(() => parseLinkConditions({ lose: 10 })).toThrow(/lose/);
  });
});
