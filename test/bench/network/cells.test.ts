import { describe, expect, it } from "vitest";
import { cellConditions, cellId, fullMatrix, selectCells } from "./cells.js";
import { selectVariants } from "./variants.js";

describe("network benchmark cells", () => {
  it("has one clean cell per delay and every lossy combination", () => {
    const all = fullMatrix();
    expect(all).toHaveLength(2 + 2 * 2 * 3 * 5);
    expect(all.filter((c) => c.lossPercent === 0).map(cellId)).toEqual(["both:random:0:50", "both:random:0:150"]);
    expect(new Set(all.map(cellId)).size).toBe(all.length);
  });

  it("selects by pattern, with * for any part", () => {
    expect(selectCells("downlink:random:30:150").map(cellId)).toEqual(["downlink:random:30:150"]);
    expect(selectCells("downlink:random:*:150").map(cellId)).toEqual([
      "both:random:0:150",
      "downlink:random:10:150",
      "downlink:random:30:150",
      "downlink:random:50:150",
      "downlink:random:70:150",
      "downlink:random:80:150",
    ]);
    expect(selectCells("*:bursty:80:*,uplink:random:10:50")).toHaveLength(7);
    expect(() => selectCells("sideways:random:30:150")).toThrow(/direction "sideways"/);
    expect(() => selectCells("downlink:random:30")).toThrow(/direction:model:loss:delay/);
  });

  it("puts the delay on both ways and the loss only where the cell says", () => {
    expect(cellConditions({ direction: "downlink", model: "bursty", lossPercent: 30, delayMs: 150 })).toEqual({
      uplink: { delayMs: 150 },
      downlink: { loss: 30, burst: 3, delayMs: 150 },
    });
    expect(cellConditions({ direction: "both", model: "random", lossPercent: 50, delayMs: 50 })).toEqual({
      uplink: { loss: 50, burst: 1, delayMs: 50 },
      downlink: { loss: 50, burst: 1, delayMs: 50 },
    });
  });

  it("always runs the baseline with any variant", () => {
    expect(selectVariants("").map((v) => v.name)).toEqual(["baseline"]);
    expect(() => selectVariants("baseline,magic")).toThrow(/unknown variant "magic"/);
  });
});
