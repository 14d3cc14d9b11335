import { describe, expect, it } from "vitest";
import { connect, createApp, joined, operatorFetch, tokenFor } from "../../test/helpers.js";

async function usage(appKey: string) {
  const res = await operatorFetch(`/v1/apps/${appKey}/usage`);
  return (await res.json<{ usage: { rooms: number; users: number } }>()).usage;
}

describe("licences are exact under concurrency", () => {
  it("200 parallel joins against 50 users admit exactly 50", async () => {
    const app = await createApp({ maxUsers: 50 });
    const clients = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => connect("busy", await tokenFor(app, { room: "busy", user: `u${i}` }))),
    );
    const answers = await Promise.all(clients.map((c) => c.request("join")));
    const admitted = answers.filter((a) => a.ok).length;
    const refused = answers.filter((a) => !a.ok && a.error.code === "LICENCE_USERS_EXCEEDED").length;
    expect({ admitted, refused }).toEqual({ admitted: 50, refused: 150 });
    expect(await usage(app.appKey)).toEqual({ rooms: 1, users: 50 });
  });

  it("parallel joins across rooms admit exactly maxRooms rooms", async () => {
    const app = await createApp({ maxRooms: 5 });
    const clients = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => connect(`room${i}`, await tokenFor(app, { room: `room${i}`, user: `u${i}` }))),
    );
    const answers = await Promise.all(clients.map((c) => c.request("join")));
    expect(answers.filter((a) => a.ok)).toHaveLength(5);
    expect(answers.filter((a) => !a.ok && a.error.code === "LICENCE_ROOMS_EXCEEDED")).toHaveLength(35);
    // a live room still takes more members
    const admittedRoom = clients.findIndex((_, i) => answers[i]?.ok);
    const extra = await joined(app, `room${admittedRoom}`, "late");
    expect(extra.member).toMatch(/^m_/);
  });

  it("counters fall back when members leave, a room empties, or it is closed", async () => {
    const app = await createApp({ maxUsers: 2, maxRooms: 1 });
    const a = await joined(app, "one", "a");
    const b = await joined(app, "one", "b");
    const refused = await (await connect("one", await tokenFor(app, { room: "one", user: "c" }))).request("join");
    expect(!refused.ok && refused.error.code).toBe("LICENCE_USERS_EXCEEDED");

    await a.client.ok("leave");
    expect(await usage(app.appKey)).toEqual({ rooms: 1, users: 1 });
    const otherRoom = await (await connect("two", await tokenFor(app, { room: "two", user: "d" }))).request("join");
    expect(!otherRoom.ok && otherRoom.error.code).toBe("LICENCE_ROOMS_EXCEEDED");
    const c = await joined(app, "one", "c");

    await b.client.ok("leave");
    await c.client.ok("leave");
    expect(await usage(app.appKey)).toEqual({ rooms: 0, users: 0 });
    const d = await joined(app, "two", "d");
    expect(d.member).toMatch(/^m_/);
  });

  it("a licence change applies to the next join", async () => {
    const app = await createApp();
    await operatorFetch(`/v1/apps/${app.appKey}/licence`, {
      method: "PUT",
      body: JSON.stringify({ maxUsers: 0 }),
    });
    const res = await (await connect("x", await tokenFor(app, { room: "x", user: "u" }))).request("join");
    expect(!res.ok && res.error.code).toBe("LICENCE_USERS_EXCEEDED");
    const bad = await operatorFetch(`/v1/apps/${app.appKey}/licence`, { method: "PUT", body: JSON.stringify({ maxUsers: "lots" }) });
    expect(bad.status).toBe(400);
  });
});
