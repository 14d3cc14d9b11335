import { describe, expect, it } from "vitest";
import { appFetch, createApp, joined } from "../../test/helpers.js";

type Page = { calls: { id: string; room: string; members: number; endedAt: string | null }[]; nextCursor: string | null };

async function waitForCalls(app: { appKey: string; appSecret: string }, query: string, where: (p: Page) => boolean): Promise<Page> {
  for (let i = 0; i < 100; i++) {
    const page = await (await appFetch(app, `/v1/calls?${query}`)).json<Page>();
    if (where(page)) return page;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`call records never matched for ${query}`);
}

const sample = (member: string) => ({
  trackId: "p1",
  direction: "recv",
  kind: "audio",
  member,
  bitrate: 32000,
  packets: 500,
  packetsLost: 2,
  loss: 0.004,
  jitterMs: 3,
  rttMs: 20,
  fps: null,
  width: null,
  height: null,
  framesDecoded: null,
  audioLevel: 0.1,
  mos: 4.3,
});

describe("call records", () => {
  it("a room session becomes a call with each endpoint and a quality timeline from both members", async () => {
    const app = await createApp();
    const a = await joined(app, "cdr", "alice");
    const b = await joined(app, "cdr", "bob");
    expect((await a.client.ok("quality", { at: Date.now(), tracks: [sample(b.member)], mos: 4.3 })).stored).toBe(true);
    expect((await b.client.ok("quality", { at: Date.now(), tracks: [sample(a.member)], mos: 4.1 })).stored).toBe(true);
    // a second report within 2 s is accepted but not stored
    expect((await a.client.ok("quality", { at: Date.now(), tracks: [], mos: null })).stored).toBe(false);
    await a.client.ok("leave");
    await b.client.ok("leave");

    const page = await waitForCalls(app, "room=cdr", (p) => p.calls[0]?.endedAt !== null && p.calls.length === 1);
    expect(page.calls[0]).toMatchObject({ room: "cdr", members: 2 });
    const detail = await (await appFetch(app, `/v1/calls/${page.calls[0]?.id}`)).json<{
      endpoints: { user: string; leaveReason: string; durationSeconds: number }[];
      quality: { member: string; mos: number; tracks: unknown[] }[];
    }>();
    expect(detail.endpoints.map((e) => [e.user, e.leaveReason])).toEqual([
      ["alice", "left"],
      ["bob", "left"],
    ]);
    expect(detail.quality.map((q) => q.member).sort()).toEqual([a.member, b.member].sort());
    expect(detail.quality[0]?.tracks).toHaveLength(1);

    // a new session in the same room is a new call
    const c = await joined(app, "cdr", "carol");
    await c.client.ok("leave");
    const both = await waitForCalls(app, "room=cdr", (p) => p.calls.length === 2 && p.calls.every((x) => x.endedAt));
    expect(new Set(both.calls.map((x) => x.id)).size).toBe(2);
  });

  it("searches by user, pages with a cursor, and keeps apps apart", async () => {
    const app = await createApp();
    for (let i = 0; i < 3; i++) {
      const m = await joined(app, `page-${i}`, i === 1 ? "dave" : "erin");
      await m.client.ok("leave");
    }
    const first = await waitForCalls(app, "limit=2", (p) => p.calls.length === 2 && p.nextCursor !== null);
    const second = await (await appFetch(app, `/v1/calls?limit=2&cursor=${encodeURIComponent(first.nextCursor as string)}`)).json<Page>();
    expect(second.calls).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const all = [...first.calls, ...second.calls].map((x) => x.room).sort();
    expect(all).toEqual(["page-0", "page-1", "page-2"]);
    const dave = await (await appFetch(app, "/v1/calls?user=dave")).json<Page>();
    expect(dave.calls.map((x) => x.room)).toEqual(["page-1"]);

    const other = await createApp();
    expect((await (await appFetch(other, "/v1/calls")).json<Page>()).calls).toEqual([]);
    const foreign = await appFetch(other, `/v1/calls/${first.calls[0]?.id}`);
    expect(foreign.status).toBe(404);
    const bad = await appFetch(app, "/v1/calls?limit=0");
    expect((await bad.json<{ error: { code: string } }>()).error.code).toBe("INVALID_REQUEST");
  });
});
