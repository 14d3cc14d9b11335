/** The server SDK against a real local edge (wrangler, throwaway state). */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEdge, startEdge } from "../../infra/dev/edge.js";
import { claimsOf } from "../../test/e2e/support/jwt.js";
import { SignalMember } from "../../test/e2e/support/signal-member.js";
import {
  type AppCredentials,
  AppsClient,
  mintToken,
  ParleyError,
  ParleyTransportError,
  RoomsClient,
  TokensClient,
  UsersClient,
} from "../src/index.js";

let edge: RunningEdge;
let apps: AppsClient;

beforeAll(async () => {
  edge = await startEdge({ state: "temp" });
  apps = new AppsClient(edge.url, edge.operatorKey);
});

afterAll(async () => {
  await edge?.stop();
});

async function newApp(name = "sdk test"): Promise<AppCredentials> {
  const created = await apps.create({ name });
  return { appKey: created.appKey, appSecret: created.appSecret };
}

async function refusedWith(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ParleyError);
  return (err as ParleyError).code;
}

describe("AppsClient", () => {
  it("creates an app whose secret is shown once, then lists and reads it", async () => {
    const created = await apps.create({ name: "shop", licence: { maxUsers: 10 } });
    expect(created.appKey).toMatch(/^ak_/);
    expect(created.appSecret.length).toBeGreaterThan(16);
    expect(created.slot).toBe(1);
    expect(created.licence).toEqual({ expiresAt: null, maxRooms: null, maxUsers: 10 });

    const listed = await apps.list();
    expect(listed.map((a) => a.appKey)).toContain(created.appKey);
    expect(JSON.stringify(listed)).not.toContain(created.appSecret);

    const info = await apps.get(created.appKey);
    expect(info).toMatchObject({ name: "shop", disabled: false, secretSlots: [1] });
  });

  it("disables and enables an app; a disabled app's credentials are refused", async () => {
    const app = await newApp();
    const tokens = new TokensClient(edge.url, app);
    expect((await apps.disable(app.appKey)).disabled).toBe(true);
    expect(await refusedWith(tokens.create({ room: "r1", user: "alice" }))).toBe("APP_DISABLED");
    expect((await apps.enable(app.appKey)).disabled).toBe(false);
    await expect(tokens.create({ room: "r1", user: "alice" })).resolves.toMatchObject({ token: expect.any(String) });
  });

  it("sets the licence, the auth centre URL, and reports usage", async () => {
    const app = await newApp();
    const info = await apps.setLicence(app.appKey, { maxRooms: 2, expiresAt: "2099-01-01T00:00:00Z" });
    expect(info.licence).toEqual({ maxRooms: 2, maxUsers: null, expiresAt: "2099-01-01T00:00:00Z" });
    expect((await apps.setAuthCentreUrl(app.appKey, "https://auth.example.com/check")).authCentreUrl).toBe(
      "https://auth.example.com/check",
    );
    expect((await apps.setAuthCentreUrl(app.appKey, null)).authCentreUrl).toBeNull();
    expect(await apps.usage(app.appKey)).toMatchObject({ appKey: app.appKey, usage: { rooms: 0, users: 0 } });
  });

  it("rotates secrets: add a second, revoke the first, the old secret stops working", async () => {
    const app = await newApp();
    const second = await apps.addSecret(app.appKey);
    expect(second.slot).toBe(2);
    expect(await refusedWith(apps.addSecret(app.appKey))).toBe("SECRET_SLOTS_FULL");
    expect((await apps.revokeSecret(app.appKey, 1)).secretSlots).toEqual([2]);
    expect(await refusedWith(new TokensClient(edge.url, app).create({ room: "r", user: "u" }))).toBe("UNAUTHORIZED");
    const fresh = new TokensClient(edge.url, { appKey: app.appKey, appSecret: second.appSecret });
    expect((await fresh.create({ room: "r", user: "u" })).token).toBeTruthy();
    expect(await refusedWith(apps.revokeSecret(app.appKey, 2))).toBe("LAST_SECRET");
  });

  it("turns refusals into ParleyError with the edge's code", async () => {
    expect(await refusedWith(apps.get("ak_0000000000000000nope"))).toBe("NOT_FOUND");
    const wrongKey = new AppsClient(edge.url, randomBytes(32).toString("hex"));
    expect(await refusedWith(wrongKey.list())).toBe("UNAUTHORIZED");
  });

  it("checks input before sending it, with the code the edge would use", async () => {
    expect(await refusedWith(apps.create({ name: "" }))).toBe("INVALID_REQUEST");
    expect(await refusedWith(apps.get("not-an-app-key"))).toBe("INVALID_REQUEST");
  });

  it("reports an unreachable edge as ParleyTransportError", async () => {
    const nowhere = new AppsClient("http://127.0.0.1:9", edge.operatorKey, { timeoutMs: 2000 });
    await expect(nowhere.list()).rejects.toBeInstanceOf(ParleyTransportError);
  });
});

describe("tokens", () => {
  it("TokensClient mints a token the edge admits to its room", async () => {
    const app = await newApp();
    const { token, expiresAt } = await new TokensClient(edge.url, app).create({ room: "lobby", user: "alice", ttl: 120, name: "Alice" });
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(100_000);
    expect(claimsOf(token)).toMatchObject({ iss: app.appKey, sub: "alice", room: "lobby", name: "Alice" });
    const { member, id } = await SignalMember.join(edge.url, "lobby", token);
    expect(id).toMatch(/^m_/);
    member.close();
  });

  it("mintToken signs locally with the AppSecret; the edge admits it, and refuses it for another room", async () => {
    const app = await newApp();
    const token = await mintToken({ ...app, room: "local", user: "bob", grants: { admin: true } });
    const { member } = await SignalMember.join(edge.url, "local", token);
    member.close();
    const elsewhere = await SignalMember.connect(edge.url, "other", token);
    expect(await elsewhere.refusal()).toMatchObject({ code: "TOKEN_WRONG_ROOM" });
  });
});

describe("UsersClient and RoomsClient", () => {
  it("lists a user's sessions and delivers a notification to their socket", async () => {
    const app = await newApp();
    const users = new UsersClient(edge.url, app);
    expect(await users.sessions("carol")).toEqual({ user: "carol", sessions: [] });

    const { member, id } = await SignalMember.join(edge.url, "room-a", await mintToken({ ...app, room: "room-a", user: "carol" }));
    const { sessions } = await users.sessions("carol");
    expect(sessions).toEqual([expect.objectContaining({ room: "room-a", member: id, user: "carol", connected: true })]);

    const arrived = member.event("notification");
    expect(await users.notify("carol", { invite: "room-b", from: "dave" })).toEqual({ delivered: 1 });
    expect((await arrived).data).toEqual({ invite: "room-b", from: "dave" });
    expect(await users.notify("nobody", { hi: true })).toEqual({ delivered: 0 });
    member.close();
  });

  it("refuses a notification larger than the limit before sending it", async () => {
    const users = new UsersClient(edge.url, await newApp());
    expect(await refusedWith(users.notify("carol", { blob: "x".repeat(5000) }))).toBe("PAYLOAD_TOO_LARGE");
  });

  it("closes a room: members get room.closed and are removed", async () => {
    const app = await newApp();
    const { member } = await SignalMember.join(edge.url, "doomed", await mintToken({ ...app, room: "doomed", user: "erin" }));
    const closedEvent = member.event("room.closed");
    expect(await new RoomsClient(edge.url, app).close("doomed", "meeting over")).toEqual({ room: "doomed", removed: 1 });
    expect((await closedEvent).reason).toBe("meeting over");
    expect((await member.closed).code).toBe(4003);
    expect((await new UsersClient(edge.url, app).sessions("erin")).sessions).toEqual([]);
  });
});
