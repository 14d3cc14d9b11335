import { SELF } from "cloudflare:test";
import type { LiveRoomDetail, LiveRoomsResponse } from "@parley/shared";
import { describe, expect, it } from "vitest";
import { appFetch, BASE, createApp, joined, operatorFetch } from "../../test/helpers.js";

describe("live rooms: GET /v1/rooms and /v1/rooms/:room", () => {
  it("lists an app's live rooms with member counts, for the app and for the operator with ?app=", async () => {
    const app = await createApp();
    const a = await joined(app, "standup", "alice");
    const b = await joined(app, "standup", "bob");
    const c = await joined(app, "retro", "carol");

    const mine = await (await appFetch(app, "/v1/rooms")).json<LiveRoomsResponse>();
    expect(mine.appKey).toBe(app.appKey);
    expect(mine.rooms.map((r) => [r.room, r.members, r.connected]).sort()).toEqual([
      ["retro", 1, 1],
      ["standup", 2, 2],
    ]);
    expect(Date.parse(mine.rooms[0]?.since ?? "")).toBeGreaterThan(Date.now() - 60_000);

    const viaOperator = await (await operatorFetch(`/v1/rooms?app=${app.appKey}`)).json<LiveRoomsResponse>();
    expect(viaOperator.rooms).toEqual(mine.rooms);

    const detail = await (await operatorFetch(`/v1/rooms/standup?app=${app.appKey}`)).json<LiveRoomDetail>();
    expect(detail.members.map((m) => m.user).sort()).toEqual(["alice", "bob"]);
    expect(detail.members.find((m) => m.user === "alice")).toMatchObject({ id: a.member, connected: true, hidden: false });

    await b.client.ok("leave");
    const after = await (await appFetch(app, "/v1/rooms/standup")).json<LiveRoomDetail>();
    expect(after.members.map((m) => m.user)).toEqual(["alice"]);
    a.client.close();
    c.client.close();
  });

  it("shows another app nothing, and an empty room as empty", async () => {
    const app = await createApp();
    const other = await createApp();
    const x = await joined(app, "private", "alice");
    expect((await (await appFetch(other, "/v1/rooms")).json<LiveRoomsResponse>()).rooms).toEqual([]);
    expect((await (await appFetch(other, "/v1/rooms/private")).json<LiveRoomDetail>()).members).toEqual([]);
    x.client.close();
  });

  it("refuses missing or wrong credentials, a missing or unknown ?app= and a bad room name", async () => {
    expect((await SELF.fetch(`${BASE}/v1/rooms`)).status).toBe(401);
    expect((await SELF.fetch(`${BASE}/v1/rooms`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const missing = await operatorFetch("/v1/rooms");
    expect(missing.status).toBe(400);
    expect((await missing.json<{ error: { message: string } }>()).error.message).toMatch(/^app/);
    expect((await operatorFetch("/v1/rooms?app=ak_0000000000000000nope")).status).toBe(404);
    const app = await createApp();
    expect((await appFetch(app, "/v1/rooms/bad%20name")).status).toBe(400);
  });

  it("leaves the signalling upgrade and room closing as they were", async () => {
    const app = await createApp();
    const a = await joined(app, "closing", "alice");
    const res = await appFetch(app, "/v1/rooms/closing", { method: "DELETE", body: "{}" });
    expect(await res.json()).toEqual({ room: "closing", removed: 1 });
    a.client.close();
  });

  it("pages the room list by name, and shows no node before anyone used media", async () => {
    const app = await createApp();
    for (const room of ["page-a", "page-b", "page-c"]) await joined(app, room, `u-${room}`);
    type Page = { rooms: { room: string; node: string | null }[]; nextCursor: string | null };
    const first = await (await appFetch(app, "/v1/rooms?limit=2")).json<Page>();
    expect(first.rooms.map((r) => r.room)).toEqual(["page-a", "page-b"]);
    expect(first.rooms.every((r) => r.node === null)).toBe(true);
    const second = await (await appFetch(app, `/v1/rooms?limit=2&cursor=${first.nextCursor}`)).json<Page>();
    expect(second).toMatchObject({ rooms: [{ room: "page-c" }], nextCursor: null });
    const detail = await (await appFetch(app, "/v1/rooms/page-a")).json<{
      node: string | null;
      tracks: unknown[];
      members: { quality: unknown }[];
    }>();
    expect(detail).toMatchObject({ node: null, tracks: [], members: [{ quality: null }] });
  });
});
