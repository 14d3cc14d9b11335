import { describe, expect, it } from "vitest";
import { appFetch, connect, createApp, joined, tokenFor } from "../../test/helpers.js";

const video = (over: Record<string, unknown>) => ({
  trackId: "p1",
  direction: "recv",
  kind: "video",
  bitrate: 300000,
  packets: 900,
  packetsLost: 0,
  loss: 0,
  jitterMs: 3,
  rttMs: 20,
  fps: 15,
  width: 320,
  height: 240,
  framesDecoded: 200,
  audioLevel: null,
  mos: null,
  stalledMs: 0,
  ...over,
});

type Stats = {
  buckets: {
    peakUsers: number;
    peakRooms: number;
    joins: number;
    refusedJoins: number;
    joinSuccessRate: number | null;
    reports: number;
    stallRate: number | null;
    goodTransmissionRate: number | null;
    averageMos: number | null;
  }[];
};

describe("GET /v1/stats", () => {
  it("counts peaks, join success, stalls, good transmission and MOS per bucket", async () => {
    const app = await createApp({ maxUsers: 2 });
    const a = await joined(app, "s1", "a");
    const b = await joined(app, "s2", "b");
    const refused = await (await connect("s1", await tokenFor(app, { room: "s1", user: "c" }))).request("join");
    expect(!refused.ok && refused.error.code).toBe("LICENCE_USERS_EXCEEDED");
    await a.client.ok("quality", { at: Date.now(), tracks: [video({ stalledMs: 900 })], mos: 4.2 });
    await b.client.ok("quality", { at: Date.now(), tracks: [video({ loss: 0.08 })], mos: 3.8 });
    await a.client.ok("leave");
    await b.client.ok("leave");

    const query = `/v1/stats?from=${Date.now() - 60_000}&to=${Date.now() + 60_000}&bucket=300`;
    let stats: Stats | null = null;
    for (let i = 0; i < 100; i++) {
      stats = await (await appFetch(app, query)).json<Stats>();
      const t = totals(stats);
      if (t.joins === 2 && t.refused === 1 && t.reports === 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const busy = (stats as Stats).buckets.filter((x) => x.joins + x.refusedJoins + x.reports > 0);
    const t = totals(stats as Stats);
    expect(t).toMatchObject({ joins: 2, refused: 1, reports: 2 });
    expect(Math.max(...busy.map((x) => x.peakUsers))).toBe(2);
    expect(Math.max(...busy.map((x) => x.peakRooms))).toBe(2);
    const withReports = busy.find((x) => x.reports === 2);
    expect(withReports).toMatchObject({ joinSuccessRate: 0.667, stallRate: 0.5, goodTransmissionRate: 0.5, averageMos: 4 });
  });

  it("refuses impossible ranges with a message", async () => {
    const app = await createApp();
    const backwards = await appFetch(app, "/v1/stats?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z");
    expect((await backwards.json<{ error: { message: string } }>()).error.message).toMatch(/before/);
    const tooMany = await appFetch(app, "/v1/stats?from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z&bucket=300");
    expect((await tooMany.json<{ error: { code: string } }>()).error.code).toBe("INVALID_REQUEST");
  });
});

function totals(stats: Stats) {
  return {
    joins: stats.buckets.reduce((n, x) => n + x.joins, 0),
    refused: stats.buckets.reduce((n, x) => n + x.refusedJoins, 0),
    reports: stats.buckets.reduce((n, x) => n + x.reports, 0),
  };
}
