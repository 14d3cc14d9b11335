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

  it("the call leaves a call record whose quality timeline has points from both members", async () => {
    const carol = await stack.bot("cdr", "carol", { qualityReportIntervalMs: 1000 });
    const dave = await stack.bot("cdr", "dave", { qualityReportIntervalMs: 1000 });
    const members = [carol.room.localMember.id, dave.room.localMember.id];
    const credentials = `Basic ${btoa(`${stack.app.appKey}:${stack.app.appSecret}`)}`;
    const api = async <T>(path: string) =>
      (await (await fetch(`${stack.edge.url}${path}`, { headers: { authorization: credentials } })).json()) as T;
    type Detail = {
      endpoints: { user: string; client: { sdk: string } | null }[];
      quality: { member: string; source: string; mos: number | null; tracks: { kind: string; bitrate: number; score?: number }[] }[];
    };
    let detail: Detail | null = null;
    await waitFor(
      async () => {
        const page = await api<{ calls: { id: string }[] }>("/v1/calls?room=cdr");
        if (!page.calls[0]) return false;
        detail = await api<Detail>(`/v1/calls/${page.calls[0].id}`);
        const reporters = new Set(
          detail.quality.filter((q) => q.source === "sdk" && q.tracks.some((t) => t.bitrate > 0)).map((q) => q.member),
        );
        const scored = detail.quality.some((q) => q.source === "node" && q.tracks.some((t) => typeof t.score === "number"));
        return members.every((m) => reporters.has(m)) && scored;
      },
      "quality points with media from both members, and node scores",
      30_000,
      500,
    );
    // the live view while they are in the room: node, tracks, each member's latest quality
    const rooms = await api<{ rooms: { room: string; node: string | null; members: number }[] }>("/v1/rooms");
    expect(rooms.rooms.find((r) => r.room === "cdr")).toMatchObject({ node: stack.nodeId, members: 2 });
    const live = await api<{ node: string; tracks: unknown[]; members: { user: string; quality: { mos: number | null } | null }[] }>(
      "/v1/rooms/cdr",
    );
    expect(live.node).toBe(stack.nodeId);
    expect(live.tracks).toHaveLength(4);
    expect(live.members.every((m) => m.quality !== null)).toBe(true);
    const found = detail as unknown as Detail;
    expect(found.endpoints.map((e) => e.user).sort()).toEqual(["carol", "dave"]);
    expect(found.endpoints.every((e) => e.client?.sdk === "parley-js")).toBe(true);
    expect(found.quality.some((q) => q.mos !== null && q.mos > 3)).toBe(true);
    await Promise.all([carol.stop(), dave.stop()]);
  });
});
