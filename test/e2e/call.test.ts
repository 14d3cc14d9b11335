import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { received, type Stack, startStack, waitFor } from "./stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe("a real call through edge → Room DO → mediasoup node", () => {
  it("two bots receive each other's video frames and audio packets", async () => {
    const alice = await stack.bot("call-2", "alice");
    const bob = await stack.bot("call-2", "bob");
    for (const [me, other] of [
      [alice, "bob"],
      [bob, "alice"],
    ] as const) {
      await waitFor(async () => {
        const got = (await received(me.room)).get(other);
        return !!got && got.framesDecoded > 5 && got.audioPackets > 20;
      }, `${me.room.localMember.user} to decode ${other}'s media`);
    }
    const fromBob = (await received(alice.room)).get("bob");
    expect(fromBob?.width).toBe(320);
  });
});
