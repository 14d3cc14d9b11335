// Pure logic of the byte-counter deltas; the real counters are measured in test/e2e/fleet-traffic.test.ts.
import { describe, expect, it } from "vitest";
import { type CountedTransport, TrafficMeter } from "./traffic-meter.js";

function transport(id: string, counters: { received: number; sent: number }): CountedTransport & { closed: boolean } {
  return {
    id,
    closed: false,
    async getStats() {
      if (this.closed) throw new Error("Transport closed");
      return [{ bytesReceived: counters.received, bytesSent: counters.sent }];
    },
  };
}

describe("TrafficMeter", () => {
  it("counts each transport's bytes since its previous reading, new ones from zero, closed ones no more", async () => {
    const a = { received: 1000, sent: 500 };
    const b = { received: 0, sent: 0 };
    const ta = transport("a", a);
    const tb = transport("b", b);
    let live: CountedTransport[] = [ta];
    const meter = new TrafficMeter(() => live);
    const seen: number[] = [];
    meter.on("sample", (s) => seen.push(s.bytesIn));

    const first = await meter.sample();
    expect(first).toMatchObject({ bytesIn: 1000, bytesOut: 500, bitrateIn: 0, windowMs: 0 }); // no window yet

    a.received += 2000;
    a.sent += 4000;
    b.received = 300;
    live = [ta, tb];
    await new Promise((r) => setTimeout(r, 100));
    const second = await meter.sample();
    expect(second).toMatchObject({ bytesIn: 2300, bytesOut: 4000 });
    expect(second.windowMs).toBeGreaterThanOrEqual(99);
    // bits over the window (reported rounded to the millisecond)
    expect(second.bitrateIn / ((2300 * 8 * 1000) / second.windowMs)).toBeCloseTo(1, 2);
    expect(second.bitrateOut / ((4000 * 8 * 1000) / second.windowMs)).toBeCloseTo(1, 2);

    // a transport that closes while asked drops out; one that comes back under the same id starts over
    ta.closed = true;
    b.received += 100;
    const third = await meter.sample();
    expect(third).toMatchObject({ bytesIn: 100, bytesOut: 0 });
    expect(seen).toEqual([1000, 2300, 100]);
    expect(meter.latest).toBe(third);
  });

  it("shares a sample in flight, so two callers at once never count the same bytes twice", async () => {
    const counters = { received: 800, sent: 800 };
    const meter = new TrafficMeter(() => [transport("x", counters)]);
    const [one, two] = await Promise.all([meter.sample(), meter.sample()]);
    expect(one).toBe(two);
    expect(one.bytesIn).toBe(800);
  });
});
