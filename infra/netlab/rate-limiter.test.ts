import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limiter.js";

describe("rate limiter", () => {
  it("spaces packets at the rate and queues a burst", () => {
    const limiter = new RateLimiter(800, 1000); // 800 kbit/s = 100 bytes per ms
    // ten 1000-byte packets at once: each takes 10 ms on the wire
    const left = Array.from({ length: 10 }, () => limiter.admit(0, 1000));
    expect(left).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(limiter.backlogMs(0)).toBe(100);
    expect(limiter.backlogMs(60)).toBe(40);
    // once drained, a packet goes at once
    expect(limiter.admit(200, 1000)).toBe(210);
  });

  it("drops at the tail when the backlog is over the queue limit", () => {
    const limiter = new RateLimiter(800, 50);
    const left = Array.from({ length: 10 }, () => limiter.admit(0, 1000));
    // backlog before each: 0, 10, … 50 ms admitted; 60 ms is over
    expect(left.slice(0, 6)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(left.slice(6)).toEqual([null, null, null, null]);
    // the queue drains at the rate: at t = 30 the backlog is 30 ms, so there is room again
    expect(limiter.admit(30, 1000)).toBe(70);
  });

  it("sustains exactly the rate under overload (what gets through is rate × time)", () => {
    const limiter = new RateLimiter(1000, 100); // 125 bytes per ms
    let through = 0;
    let last = 0;
    for (let t = 0; t < 10_000; t += 1) {
      // offered 2.5 Mbit/s: twice 156 bytes per ms
      for (let i = 0; i < 2; i++) {
        const left = limiter.admit(t, 156);
        if (left !== null) {
          through += 156;
          last = left;
        }
      }
    }
    const kbps = (through * 8) / last;
    expect(kbps).toBeGreaterThan(990);
    expect(kbps).toBeLessThan(1010);
  });

  it("does nothing at rate 0 (unlimited)", () => {
    const limiter = new RateLimiter(0, 0);
    expect(limiter.admit(5, 1e6)).toBe(5);
  });
});
