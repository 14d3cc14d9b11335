import { CompositeOptions } from "@parley/shared";
import { describe, expect, it } from "vitest";
import { filterGraph, followsSpeaker, layoutRects, speakerCommands, speakerMap } from "./composite-layout.js";
import { SpeakerFollower } from "./speaker-follower.js";

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

describe("speaker layout following the speaker", () => {
  const options = CompositeOptions.parse({ layout: "speaker", width: 640, height: 360 });

  it("maps the speaker to the main tile and the others, in order, beside it", () => {
    expect(speakerMap(3, 0)).toEqual([0, 1, 2]);
    expect(speakerMap(3, 2)).toEqual([2, 0, 1]);
    expect(speakerCommands(3, 1)).toEqual(["streamselect@t0 -1 map 1", "streamselect@t1 -1 map 0", "streamselect@t2 -1 map 2"]);
  });

  it("routes every video through one streamselect per tile, starting with the given speaker", () => {
    const graph = filterGraph(options, { video: [0, 1], audio: [2, 3], hasSdp: true, speaker: 1 }, []);
    expect(graph).toContain("[0:0]scale=480:360");
    expect(graph).toContain("split=2[n0t0][n0t1]");
    expect(graph).toContain("[n0t0][n1t0]streamselect@t0=inputs=2:map=1[t0]");
    // The side tile is scaled after its selector, so any member can move there.
    expect(graph).toContain("[n0t1][n1t1]streamselect@t1=inputs=2:map=0,scale=160:360");
  });

  it("keeps the fixed graph for one video and for the other layouts", () => {
    expect(followsSpeaker("speaker", 1)).toBe(false);
    expect(followsSpeaker("grid", 3)).toBe(false);
    expect(filterGraph(options, { video: [0], audio: [], hasSdp: true }, [])).not.toContain("streamselect");
  });
});

describe("speaker follower", () => {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("switches at once, then at most once per hold time, to the latest speaker", async () => {
    const shown: string[] = [];
    const follower = new SpeakerFollower((m) => shown.push(m), 200);
    follower.speaking("m_a");
    expect(shown).toEqual(["m_a"]);
    follower.speaking("m_b");
    follower.speaking("m_c");
    expect(shown).toEqual(["m_a"]);
    expect(follower.current).toBe("m_c");
    await wait(300);
    expect(shown).toEqual(["m_a", "m_c"]);
    // The same speaker again changes nothing.
    follower.speaking("m_c");
    await wait(300);
    expect(shown).toEqual(["m_a", "m_c"]);
    follower.close();
  });
});
