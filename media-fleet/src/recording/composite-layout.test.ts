import { CompositeOptions } from "@parley/shared";
import { describe, expect, it } from "vitest";
import { filterGraph, layoutRects } from "./composite-layout.js";

describe("composite layouts", () => {
  it("grid: near-square tiles covering the canvas", () => {
    expect(layoutRects("grid", 2, 640, 360)).toEqual([
      { x: 0, y: 0, w: 320, h: 360 },
      { x: 320, y: 0, w: 320, h: 360 },
    ]);
    const five = layoutRects("grid", 5, 1280, 720);
    expect(five).toHaveLength(5);
    expect(five[4]).toEqual({ x: 426, y: 360, w: 426, h: 360 });
  });
  it("speaker: the first large on the left, the others stacked on the right", () => {
    expect(layoutRects("speaker", 3, 1280, 720)).toEqual([
      { x: 0, y: 0, w: 960, h: 720 },
      { x: 960, y: 0, w: 320, h: 360 },
      { x: 960, y: 360, w: 320, h: 360 },
    ]);
  });
  it("single: one member fills the canvas", () => {
    expect(layoutRects("single", 3, 640, 360)).toEqual([{ x: 0, y: 0, w: 640, h: 360 }]);
  });
  it("paces sources in real time when nobody publishes", () => {
    const graph = filterGraph(CompositeOptions.parse({}), { video: [], audio: [], hasSdp: false }, []);
    expect(graph).toContain("realtime");
    expect(graph).toContain("anullsrc");
  });
});
