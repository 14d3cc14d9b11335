/** The server SDK against a real local edge (wrangler, throwaway state). */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEdge, startEdge } from "../../infra/dev/edge.js";
import { claimsOf } from "../../test/e2e/support/jwt.js";
import { SignalMember } from "../../test/e2e/support/signal-member.js";
import {
  type AppSecretCredentials,
  AppsClient,
  CallsClient,
  mintToken,
  ParleyError,
  ParleyTransportError,
  RecordingsClient,
  RoomsClient,
  RtmpClient,
  StatsClient,
  TokensClient,
  UsersClient,
  WebhooksClient,
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

async function newApp(name = "sdk test"): Promise<AppSecretCredentials> {
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

describe("admin access tokens as credentials", () => {
  it("a client holding only an admin token reads the app's rooms; a room-scoped one is refused app-wide", async () => {
    const app = await newApp();
    const { member } = await SignalMember.join(edge.url, "desk-1", await mintToken({ ...app, room: "desk-1", user: "customer" }));
    const appWide = { token: await mintToken({ ...app, room: "*", user: "ops", grants: { admin: true } }) };
    expect((await new RoomsClient(edge.url, appWide).list()).rooms.map((r) => r.room)).toEqual(["desk-1"]);
    const oneRoom = { token: await mintToken({ ...app, room: "desk-1", user: "agent", grants: { admin: true } }) };
    expect((await new RoomsClient(edge.url, oneRoom).get("desk-1")).members.map((m) => m.user)).toEqual(["customer"]);
    expect(await refusedWith(new RoomsClient(edge.url, oneRoom).list())).toBe("TOKEN_WRONG_ROOM");
    const noGrant = { token: await mintToken({ ...app, room: "*", user: "someone" }) };
    expect(await refusedWith(new RoomsClient(edge.url, noGrant).list())).toBe("GRANT_MISSING");
    member.close();
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

  it("reads and sets a room's auto-record option", async () => {
    const rooms = new RoomsClient(edge.url, await newApp());
    expect(await rooms.options("opts")).toEqual({ room: "opts", autoRecord: null, autoRecordFrom: "app" });
    const set = await rooms.setOptions("opts", { autoRecord: { mode: "composite", composite: { layout: "speaker" } } });
    expect(set).toEqual({ room: "opts", autoRecord: { mode: "composite", composite: { layout: "speaker" } }, autoRecordFrom: "room" });
    expect(await refusedWith(rooms.setOptions("opts", { autoRecord: { mode: "tracks", composite: {} } }))).toBe("INVALID_REQUEST");
  });
});

describe("RoomsClient: live rooms, kick and mute", () => {
  it("lists rooms and members, kicks a user (tokens issued before refused), mutes nothing without tracks", async () => {
    const app = await newApp();
    const rooms = new RoomsClient(edge.url, app);
    const aliceToken = await mintToken({ ...app, room: "live-1", user: "alice" });
    const alice = await SignalMember.join(edge.url, "live-1", aliceToken);
    const bob = await SignalMember.join(edge.url, "live-1", await mintToken({ ...app, room: "live-1", user: "bob" }));

    const { rooms: live } = await rooms.list();
    expect(live).toEqual([expect.objectContaining({ room: "live-1", members: 2, connected: 2 })]);
    const detail = await rooms.get("live-1");
    expect(detail.members.map((m) => m.user).sort()).toEqual(["alice", "bob"]);
    expect((await rooms.get("nobody-here")).members).toEqual([]);

    expect(await rooms.mute("live-1", "alice")).toEqual({ muted: 0 });
    expect(await rooms.mute("live-1", "alice", { kind: "audio", source: "microphone" })).toEqual({ muted: 0 });
    expect(await refusedWith(rooms.mute("live-1", "alice", { kind: "smell" } as never))).toBe("INVALID_REQUEST");

    const kicked = alice.member.event("kicked");
    const left = bob.member.event("member.left");
    expect(await rooms.kick("live-1", "alice", "rules")).toEqual({ room: "live-1", user: "alice", removed: 1 });
    expect(await kicked).toMatchObject({ by: "app", reason: "rules" });
    expect((await alice.member.closed).code).toBe(4001);
    expect(await left).toMatchObject({ member: alice.id, reason: "kicked" });
    const again = await SignalMember.connect(edge.url, "live-1", aliceToken);
    expect(await again.refusal()).toMatchObject({ code: "TOKEN_REVOKED" });
    expect(await rooms.kick("live-1", "alice")).toMatchObject({ removed: 0 });
    expect(await refusedWith(rooms.kick("live-1", "not a user"))).toBe("INVALID_REQUEST");
    bob.member.close();
  });
});

describe("CallsClient, RecordingsClient, WebhooksClient, StatsClient", () => {
  it("finds a call by room and user and reads it", async () => {
    const app = await newApp();
    const calls = new CallsClient(edge.url, app);
    const { member } = await SignalMember.join(edge.url, "cdr-room", await mintToken({ ...app, room: "cdr-room", user: "gina" }));
    await member.ok("leave");
    let page = await calls.search({ room: "cdr-room", user: "gina", from: new Date(Date.now() - 60_000) });
    for (let i = 0; i < 50 && !page.calls[0]?.endedAt; i++) {
      await new Promise((r) => setTimeout(r, 100));
      page = await calls.search({ room: "cdr-room", user: "gina", from: new Date(Date.now() - 60_000) });
    }
    expect(page.calls).toHaveLength(1);
    const call = await calls.get(page.calls[0]?.id as string);
    expect(call).toMatchObject({ room: "cdr-room", members: 1 });
    expect(call.endpoints).toEqual([expect.objectContaining({ user: "gina", leaveReason: "left" })]);
    expect((await calls.search({ room: "elsewhere" })).calls).toEqual([]);
    expect(await refusedWith(calls.get("c_00000000none"))).toBe("NOT_FOUND");
    expect(await refusedWith(calls.search({ limit: 0 }))).toBe("INVALID_REQUEST");
  });

  it("recordings: an empty list, typed refusals without a media node, input checked before sending", async () => {
    const recordings = new RecordingsClient(edge.url, await newApp());
    expect(await recordings.list({ room: "r" })).toEqual({ recordings: [], nextCursor: null });
    expect(await refusedWith(recordings.get("rec_missing01"))).toBe("RECORDING_NOT_FOUND");
    expect(await refusedWith(recordings.downloadLinks("rec_missing01", 120))).toBe("RECORDING_NOT_FOUND");
    expect(await refusedWith(recordings.stop("rec_missing01"))).toBe("RECORDING_NOT_FOUND");
    expect(await refusedWith(recordings.snapshot("r", "m_nobodyhere00"))).toBe("MEMBER_NOT_FOUND");
    expect(await refusedWith(recordings.start("r", { mode: "composite", composite: { layout: "mosaic" as never } }))).toBe(
      "INVALID_REQUEST",
    );
    expect(await refusedWith(recordings.start("r", { mode: "composite", composite: { layout: "grid" } }))).toMatch(/^[A-Z_]+$/);
    expect(await recordings.settings()).toMatchObject({ version: 0, autoRecord: null });
    const s3 = { kind: "s3" as const, bucket: "b-app", accessKeyId: "AK1", secretAccessKey: "sdk-secret-0123456789" };
    const updated = await recordings.updateSettings({ storage: s3, composite: { width: 640, height: 360 } });
    expect(updated).toMatchObject({ version: 1, storage: { kind: "s3", bucket: "b-app", secretAccessKeySet: true } });
    expect(JSON.stringify(updated)).not.toContain("sdk-secret");
    expect(await refusedWith(recordings.updateSettings({ storage: { kind: "nas", folder: "/abs" } }))).toBe("INVALID_REQUEST");
  });

  it("rtmp: an empty list, typed refusals without a live room, input checked before sending", async () => {
    const rtmp = new RtmpClient(edge.url, await newApp());
    expect(await rtmp.list("r")).toEqual([]);
    expect(await refusedWith(rtmp.get("r", "rtmp_missing00"))).toBe("RTMP_PUSH_NOT_FOUND");
    expect(await refusedWith(rtmp.stop("r", "rtmp_missing00"))).toBe("RTMP_PUSH_NOT_FOUND");
    expect(await refusedWith(rtmp.get("r", "nope"))).toBe("INVALID_REQUEST");
    expect(await refusedWith(rtmp.start("r", { url: "rtmp://live.example.com/live/key", source: { kind: "composite" } }))).toBe(
      "NOT_IN_ROOM",
    );
    const badUrl = rtmp.start("r", { url: "https://example.com/live/key", source: { kind: "composite" } });
    await expect(badUrl).rejects.toThrow("url must be rtmp:// or rtmps://");
  });

  it("webhooks: create, list, update, rotate, deliveries, delete", async () => {
    const hooks = new WebhooksClient(edge.url, await newApp());
    const created = await hooks.create({ url: "https://example.com/hook", events: ["room.started"] });
    expect(created.secret.length).toBeGreaterThan(16);
    expect((await hooks.list()).map((h) => h.id)).toEqual([created.id]);
    expect(await hooks.get(created.id)).toMatchObject({ url: "https://example.com/hook", enabled: true });
    expect(await hooks.update(created.id, { enabled: false, description: "off" })).toMatchObject({ enabled: false });
    const rotated = await hooks.rotateSecret(created.id);
    expect(rotated.secret).not.toBe(created.secret);
    expect(await hooks.deliveries({ webhookId: created.id })).toEqual({ deliveries: [], nextCursor: null });
    await hooks.delete(created.id);
    expect(await hooks.list()).toEqual([]);
    expect(await refusedWith(hooks.delete(created.id))).toBe("NOT_FOUND");
    expect(await refusedWith(hooks.create({ url: "http://example.com" }))).toBe("INVALID_REQUEST");
  });

  it("stats: buckets over the asked window", async () => {
    const stats = new StatsClient(edge.url, await newApp());
    const to = new Date();
    const answer = await stats.get({ from: new Date(to.getTime() - 2 * 3600_000), to, bucket: 3600 });
    expect(answer.bucketSeconds).toBe(3600);
    expect(answer.buckets.length).toBeGreaterThan(0);
    expect(await refusedWith(stats.get({ bucket: 5 }))).toBe("INVALID_REQUEST");
  });
});
