import { mintToken } from "@parley/shared";
import { SignJWT } from "jose";
import { describe, expect, inject, it } from "vitest";
import { appFetch, connect, createApp, joined, operatorFetch, refusal, tokenFor } from "../../test/helpers.js";

const now = () => Math.floor(Date.now() / 1000);

describe("tokens: minting over HTTP", () => {
  it("POST /v1/tokens mints a token the edge accepts, signed with the authenticating slot", async () => {
    const app = await createApp();
    const res = await appFetch(app, "/v1/tokens", { method: "POST", body: JSON.stringify({ room: "lobby", user: "alice", ttl: 60 }) });
    expect(res.status).toBe(201);
    const { token, expiresAt } = await res.json<{ token: string; expiresAt: string }>();
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(50_000);
    const client = await connect("lobby", token);
    const join = await client.ok("join");
    expect((join.member as { user: string }).user).toBe("alice");
  });

  it("refuses bad credentials and bad bodies with typed codes", async () => {
    const app = await createApp();
    const wrong = await appFetch({ appKey: app.appKey, appSecret: "as_wrong" }, "/v1/tokens", { method: "POST", body: "{}" });
    expect((await wrong.json<{ error: { code: string } }>()).error.code).toBe("UNAUTHORIZED");
    const unknown = await appFetch({ appKey: "ak_nobody0000000000000", appSecret: "x" }, "/v1/tokens", { method: "POST", body: "{}" });
    expect((await unknown.json<{ error: { code: string } }>()).error.code).toBe("APP_UNKNOWN");
    const badTtl = await appFetch(app, "/v1/tokens", { method: "POST", body: JSON.stringify({ room: "r", user: "u", ttl: 0 }) });
    expect(badTtl.status).toBe(400);
    const badRoom = await appFetch(app, "/v1/tokens", { method: "POST", body: JSON.stringify({ room: "no spaces", user: "u" }) });
    const body = await badRoom.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe("INVALID_REQUEST");
    expect(body.error.message).toContain("room");
  });
});

describe("tokens: every refusal has its own code", () => {
  it("missing and malformed", async () => {
    expect((await refusal("r", null)).code).toBe("TOKEN_MISSING");
    expect((await refusal("r", "not-a-jwt")).code).toBe("TOKEN_MALFORMED");
    const noKid = await new SignJWT({ room: "r" }).setProtectedHeader({ alg: "HS256" }).setIssuer("ak_x").sign(new Uint8Array(32));
    const app = await createApp();
    const unsignedSlot = await new SignJWT({ room: "r" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(app.appKey)
      .setSubject("u")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(app.appSecret));
    expect((await refusal("r", noKid)).code).toBe("APP_UNKNOWN");
    expect((await refusal("r", unsignedSlot)).code).toBe("TOKEN_MALFORMED");
  });

  it("expired, and not yet valid — with 10 s of skew tolerated both ways", async () => {
    const app = await createApp();
    const expired = await tokenFor(app, { room: "r", user: "u", now: now() - 3600, ttlSeconds: 60 });
    const refused = await refusal("r", expired);
    expect(refused).toMatchObject({ code: "TOKEN_EXPIRED", closeCode: 4401 });
    const justExpired = await tokenFor(app, { room: "r", user: "u", now: now() - 65, ttlSeconds: 60 });
    expect((await (await connect("r", justExpired)).request("join")).ok).toBe(true);
    const future = await tokenFor(app, { room: "r", user: "u", notBeforeSeconds: 120 });
    expect((await refusal("r", future)).code).toBe("TOKEN_NOT_YET_VALID");
    const issuedAhead = await tokenFor(app, { room: "r", user: "u", now: now() + 60 });
    expect((await refusal("r", issuedAhead)).code).toBe("TOKEN_NOT_YET_VALID");
    const slightlyAhead = await tokenFor(app, { room: "r", user: "u", now: now() + 5 });
    expect((await (await connect("r", slightlyAhead)).request("join")).ok).toBe(true);
  });

  it("bad signature, unknown app, disabled app", async () => {
    const app = await createApp();
    const forged = await mintToken({ appKey: app.appKey, appSecret: "as_not_the_secret", room: "r", user: "u" });
    expect((await refusal("r", forged)).code).toBe("TOKEN_BAD_SIGNATURE");
    const emptySlot = await tokenFor(app, { room: "r", user: "u", slot: 2 });
    expect((await refusal("r", emptySlot)).code).toBe("TOKEN_BAD_SIGNATURE");
    const stranger = await mintToken({ appKey: "ak_unknownunknown0000", appSecret: "x", room: "r", user: "u" });
    expect((await refusal("r", stranger)).code).toBe("APP_UNKNOWN");
    await operatorFetch(`/v1/apps/${app.appKey}`, { method: "PATCH", body: JSON.stringify({ disabled: true }) });
    expect((await refusal("r", await tokenFor(app, { room: "r", user: "u" }))).code).toBe("APP_DISABLED");
  });

  it("wrong room; a '*' token opens any room", async () => {
    const app = await createApp();
    const other = await refusal("room-b", await tokenFor(app, { room: "room-a", user: "u" }));
    expect(other).toMatchObject({ code: "TOKEN_WRONG_ROOM", closeCode: 4403 });
    const any = await connect("room-b", await tokenFor(app, { room: "*", user: "u" }));
    expect((await any.request("join")).ok).toBe(true);
  });

  it("expired licence", async () => {
    const app = await createApp({ expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect((await refusal("r", await tokenFor(app, { room: "r", user: "u" }))).code).toBe("LICENCE_EXPIRED");
  });

  it("missing grant: messages need publishData, kicks need admin", async () => {
    const app = await createApp();
    const { client: viewer } = await joined(app, "g", "viewer", { grants: { publishData: false } });
    const msg = await viewer.request("message", { text: "hi" });
    expect(!msg.ok && msg.error.code).toBe("GRANT_MISSING");
    const { member: target } = await joined(app, "g", "target");
    const kick = await viewer.request("kick", { member: target });
    expect(!kick.ok && kick.error.code).toBe("GRANT_MISSING");
  });

  it("revoked: a kicked user cannot rejoin with a token issued before the kick", async () => {
    const app = await createApp();
    const { client: admin } = await joined(app, "k", "admin", { grants: { admin: true } });
    const oldToken = await tokenFor(app, { room: "k", user: "mallory", now: now() - 5 });
    const mallory = await connect("k", oldToken);
    const { member } = (await mallory.ok("join")) as unknown as { member: { id: string } };
    await admin.ok("kick", { member: member.id, reason: "spam" });
    const kicked = await mallory.event("kicked");
    expect(kicked).toMatchObject({ reason: "spam" });
    expect((await mallory.closed).code).toBe(4001);
    expect((await refusal("k", oldToken)).code).toBe("TOKEN_REVOKED");
    // a token issued after the kick is accepted; other rooms are unaffected
    const fresh = await tokenFor(app, { room: "k", user: "mallory", now: now() + 2 });
    expect((await (await connect("k", fresh)).request("join")).ok).toBe(true);
    const elsewhere = await tokenFor(app, { room: "other", user: "mallory", now: now() - 5 });
    expect((await (await connect("other", elsewhere)).request("join")).ok).toBe(true);
  });
});

describe("auth centre: opaque tokens checked by the customer's endpoint", () => {
  async function appWithAuthCentre() {
    return createApp(undefined, { authCentreUrl: inject("authCentreUrl") });
  }

  it("admits on a 2xx answer naming the user", async () => {
    const app = await appWithAuthCentre();
    const client = await connect("ac", "ok-carol", `app=${app.appKey}`);
    const join = await client.ok("join");
    expect(join.member).toMatchObject({ user: "carol", name: "Via auth centre" });
  });

  it("refusal, failure, unreadable answer and timeout are distinct errors", async () => {
    const app = await appWithAuthCentre();
    expect((await refusal("ac", "deny", `app=${app.appKey}`)).code).toBe("AUTH_CENTRE_REFUSED");
    expect((await refusal("ac", "broken", `app=${app.appKey}`)).code).toBe("AUTH_CENTRE_FAILED");
    expect((await refusal("ac", "nojson", `app=${app.appKey}`)).code).toBe("AUTH_CENTRE_FAILED");
    const slow = await refusal("ac", "slow", `app=${app.appKey}`);
    expect(slow.code).toBe("AUTH_CENTRE_TIMEOUT");
  });

  it("an opaque token without an auth-centre app is malformed", async () => {
    const app = await createApp();
    expect((await refusal("ac", "ok-carol", `app=${app.appKey}`)).code).toBe("TOKEN_MALFORMED");
  });
});
