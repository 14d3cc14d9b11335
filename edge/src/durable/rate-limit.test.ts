import { describe, expect, it } from "vitest";
import { TokenBucket } from "./rate-limit.js";

describe("TokenBucket", () => {
  it("allows a burst, then refuses until time refills it", () => {
    const bucket = new TokenBucket(10, 5, 0);
    const taken = Array.from({ length: 8 }, () => bucket.take(0));
    expect(taken.filter(Boolean)).toHaveLength(5);
    expect(bucket.take(50)).toBe(false); // 0.5 token after 50 ms
    expect(bucket.take(100)).toBe(true); // a whole one after 100 ms
  });

  it("never holds more than the burst", () => {
    const bucket = new TokenBucket(10, 3, 0);
    const taken = Array.from({ length: 10 }, () => bucket.take(60_000));
    expect(taken.filter(Boolean)).toHaveLength(3);
  });
});
