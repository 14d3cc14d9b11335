import { describe, expect, it } from "vitest";
import { parseCommand, patchFromFlags } from "./commands.js";
import { parseLabConditions } from "./conditions.js";
import { mergeConditions } from "./netlab.js";

describe("netlab commands", () => {
  it("applies a typed change to both ways, or to the side named", () => {
    expect(parseCommand("loss 30 delay 150")).toEqual({
      type: "update",
      patch: { uplink: { loss: 30, delayMs: 150 }, downlink: { loss: 30, delayMs: 150 } },
    });
    expect(parseCommand("down cut")).toEqual({ type: "update", patch: { downlink: { cut: true } } });
    expect(parseCommand(" up burst 3 loss 10 ")).toEqual({ type: "update", patch: { uplink: { burst: 3, loss: 10 } } });
    expect(parseCommand("stats")).toEqual({ type: "stats" });
    expect(parseCommand("exit")).toEqual({ type: "quit" });
    expect(parseCommand("   ")).toBeNull();
  });

  it("says what it did not understand", () => {
    expect(() => parseCommand("lose 30")).toThrow(/unknown word "lose"/);
    expect(() => parseCommand("loss")).toThrow(/loss needs a number/);
    expect(() => parseCommand("up")).toThrow(/say what to change/);
  });

  it("merges a change into the current conditions, keeping the rest", () => {
    const current = parseLabConditions({ uplink: { delayMs: 150 }, downlink: { delayMs: 150, loss: 30 } });
    const command = parseCommand("down loss 50");
    if (command?.type !== "update") throw new Error("expected an update");
    const next = mergeConditions(current, command.patch);
    expect(next.downlink).toMatchObject({ delayMs: 150, loss: 50 });
    expect(next.uplink).toEqual(current.uplink);
    // the result is validated like any other input
    expect(() => mergeConditions(current, { uplink: { loss: 101 } })).toThrow(/uplink.loss/);
  });

  it("reads flags for both ways and per direction, the per-direction ones winning", () => {
    const patch = patchFromFlags({ loss: "30", delay: "150", "down-loss": "50", "up-cut": true });
    expect(mergeConditions(parseLabConditions({}), patch)).toMatchObject({
      uplink: { loss: 30, delayMs: 150, cut: true },
      downlink: { loss: 50, delayMs: 150, cut: false },
    });
    expect(() => patchFromFlags({ delay: "soon" })).toThrow(/--delay needs a number/);
  });
});
