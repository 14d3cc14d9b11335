import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoomsClient } from "../../sdk/src/server/index.js";
import { type Bot, received, type Stack, startStack, waitFor } from "./stack.js";
import { mediaPorts, nftAvailable, UdpCut } from "./udp-cut.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function everyoneReceivesEveryone(bots: Bot[]): Promise<void> {
  for (const me of bots) {
    const others = bots.filter((b) => b !== me).map((b) => b.room.localMember.user);
    await waitFor(
      async () => {
        const got = await received(me.room);
        return others.every((u) => (got.get(u)?.framesDecoded ?? 0) > 3 && (got.get(u)?.audioPackets ?? 0) > 10);
      },
      `${me.room.localMember.user} to decode media from ${others.join(", ")}`,
      60_000,
      500,
    );
  }
}

describe("media through the node", () => {
  it("five bots in one room each decode audio and video from every other", async () => {
    const bots = [];
    for (let i = 0; i < 5; i++) bots.push(await stack.bot("five", `u${i}`, { video: { width: 160, height: 120, fps: 10 } }));
    await everyoneReceivesEveryone(bots);
    await Promise.all(bots.map((b) => b.stop()));
  });

  it("muting a camera stops the bitrate the other side receives, unmuting brings it back", async () => {
    const talker = await stack.bot("mute", "talker", { audio: false });
    const listener = await stack.bot("mute", "listener", { video: false, audio: false });
    const videoBitrate = async () => {
      const report = await listener.room.getQuality();
      return report.tracks.find((t) => t.direction === "recv" && t.kind === "video")?.bitrate ?? 0;
    };
    await waitFor(async () => (await videoBitrate()) > 50_000, "video bitrate above 50 kbps", 30_000, 1000);
    const camera = [...talker.room.localTracks.values()][0]!;
    const muted = listener.room.waitFor("trackMuted", (_t, m) => m);
    await camera.mute();
    await muted;
    await waitFor(async () => (await videoBitrate()) < 5_000, "received video bitrate to fall below 5 kbps", 30_000, 1000);
    await camera.unmute();
    await waitFor(async () => (await videoBitrate()) > 50_000, "video bitrate back above 50 kbps", 30_000, 1000);
    await Promise.all([talker.stop(), listener.stop()]);
  });

  it("the app mutes a user's camera over the API: the bitrate the other side receives falls", async () => {
    const talker = await stack.bot("api-mute", "talker", { audio: false });
    const listener = await stack.bot("api-mute", "listener", { video: false, audio: false });
    const videoBitrate = async () => {
      const report = await listener.room.getQuality();
      return report.tracks.find((t) => t.direction === "recv" && t.kind === "video")?.bitrate ?? 0;
    };
    await waitFor(async () => (await videoBitrate()) > 50_000, "video bitrate above 50 kbps", 30_000, 1000);
    const rooms = new RoomsClient(stack.edge.url, stack.app);
    expect(await rooms.mute("api-mute", "talker", { kind: "audio" })).toEqual({ muted: 0 });
    const muted = listener.room.waitFor("trackMuted", (_t, m) => m);
    const toldTalker = talker.room.waitFor("localTrackMuted", (_t, m) => m);
    expect(await rooms.mute("api-mute", "talker", { kind: "video", source: "camera" })).toEqual({ muted: 1 });
    await muted;
    expect((await toldTalker)[0].source).toBe("camera");
    await waitFor(async () => (await videoBitrate()) < 5_000, "received video bitrate to fall below 5 kbps", 30_000, 1000);
    expect(await rooms.mute("api-mute", "talker")).toEqual({ muted: 0 });
    await Promise.all([talker.stop(), listener.stop()]);
  });

  it("a simulcast subscriber switches layers and the received resolution follows", async () => {
    // libwebrtc sends as many simulcast layers as the input size allows: two (160 and 320 px) at 640x360
    const publisher = await stack.bot("simulcast", "pub", { audio: false, video: { width: 640, height: 360, fps: 15, simulcast: true } });
    const viewer = await stack.bot("simulcast", "viewer", { video: false, audio: false });
    try {
      const track = [...[...viewer.room.members.values()][0]!.tracks.values()][0]!;
      const width = async () => (await received(viewer.room)).get("pub")?.width ?? 0;
      const layers: [number | null, number | null][] = [];
      viewer.room.on("layersChanged", (_t, spatial, temporal) => layers.push([spatial, temporal]));
      await viewer.room.setSubscriptionQuality(track, 0);
      await waitFor(async () => (await width()) === 160, "the lowest layer (160 px wide)", 60_000, 500);
      await viewer.room.setSubscriptionQuality(track, 2);
      await waitFor(async () => (await width()) === 320, "the best layer sent (320 px wide)", 60_000, 500);
      expect(layers.map(([s]) => s)).toContain(0);
      // the layers.changed event travels node → edge → member, so it can land after the frames do
      await waitFor(() => layers.at(-1)?.[0] === 1, "a layersChanged event for the 320 px layer (spatial 1)", 10_000);
    } finally {
      await Promise.all([publisher.stop(), viewer.stop()]);
    }
  });

  it("the room announces the active speaker", async () => {
    const speaker = await stack.bot("speakers", "speaker", { video: false });
    const listener = await stack.bot("speakers", "listener", { video: false, audio: false });
    try {
      const [member] = await listener.room.waitFor("activeSpeaker", () => true, 30_000);
      expect(member).toBe(speaker.room.localMember.id);
    } finally {
      await Promise.all([speaker.stop(), listener.stop()]);
    }
  });

  it("when everyone leaves, the node holds no router or transport for the room", async () => {
    const a = await stack.bot("cleanup", "a");
    const b = await stack.bot("cleanup", "b");
    await everyoneReceivesEveryone([a, b]);
    const roomId = `${stack.app.appKey}:cleanup`;
    expect(stack.node.node.rooms.has(roomId)).toBe(true);
    await a.stop();
    await b.stop();
    await waitFor(() => !stack.node.node.rooms.has(roomId), "the node to close the room's router");
    const metrics = await (await fetch(`http://127.0.0.1:${stack.node.controlPort}/metrics`)).text();
    expect(metrics).toMatch(/^parley_transports(\{[^}]*\})? 0$/m);
    expect(metrics).toMatch(/^parley_routers(\{[^}]*\})? 0$/m);
  });

  it.skipIf(!nftAvailable())(
    "a client whose socket and media are cut for 10 s comes back as the same member and receives frames again; the others saw no leave",
    async () => {
      const steady = await stack.bot("drop", "steady");
      const flaky = await stack.bot("drop", "flaky");
      await everyoneReceivesEveryone([steady, flaky]);
      const memberId = flaky.room.localMember.id;
      const left: string[] = [];
      steady.room.on("memberLeft", (m) => left.push(m.id));
      const frames = async () => (await received(flaky.room)).get("steady")?.framesDecoded ?? 0;

      const cut = new UdpCut(await mediaPorts(flaky.room));
      const reconnected = flaky.room.waitFor("reconnected", () => true, 60_000);
      const started = Date.now();
      cut.start();
      flaky.room.simulateDrop(10_000);
      try {
        // media really stops: no new frames while the cut lasts (after in-flight ones drain)
        await new Promise((r) => setTimeout(r, 2000));
        const during = await frames();
        await new Promise((r) => setTimeout(r, 6000));
        expect(await frames()).toBe(during);
        await new Promise((r) => setTimeout(r, Math.max(0, started + 10_000 - Date.now())));
      } finally {
        cut.stop();
      }
      await reconnected;
      expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
      expect(flaky.room.localMember.id).toBe(memberId);

      const before = await frames();
      await waitFor(async () => (await frames()) > before + 10, "frames again after the resume and ICE restart", 30_000, 500);
      expect(left).toEqual([]);
      expect([...steady.room.members.values()].map((m) => m.id)).toContain(memberId);
    },
  );
});
