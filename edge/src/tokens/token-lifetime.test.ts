import { env, runInDurableObject } from "cloudflare:test";
import { LIMITS } from "@parley/shared";
import { SignJWT } from "jose";
import { describe, expect, inject, it } from "vitest";
import { appFetch, connect, createApp, joined, operatorFetch, sleep, tokenFor } from "../../test/helpers.js";

const now = () => Math.floor(Date.now() / 1000);
type App = { appKey: string; appSecret: string };

/** Connects and joins: "joined", or the code the edge refused with. */
async function admission(room: string, token: string, query = ""): Promise<string> {
  const client = await connect(room, token, query);
  const refused = client.waitFor((f) => "ok" in f && !f.ok && f.id === null);
  const answer = await Promise.race([client.request("join"), refused]);
  client.ws.close();
  return "ok" in answer && answer.ok ? "joined" : (answer as { error: { code: string } }).error.code;
}

/** A token signed with the app's secret with exactly these time claims (mintToken refuses long ones). */
function signed(app: App, room: string, user: string, times: { iat: number; exp: number; nbf?: number }): Promise<string> {
  const jwt = new SignJWT({ room })
    .setProtectedHeader({ alg: "HS256", kid: "1" })
    .setIssuer(app.appKey)
    .setSubject(user)
    .setIssuedAt(times.iat)
    .setExpirationTime(times.exp);
  if (times.nbf !== undefined) jwt.setNotBefore(times.nbf);
  return jwt.sign(new TextEncoder().encode(app.appSecret));
}

describe("token lifetime: a maximum per app, checked at verification", () => {
  it("refuses a token living longer than the default maximum, counted from iat or nbf", async () => {
    const app = await createApp();
    const old = await signed(app, "life", "u", { iat: now() - 8 * 24 * 3600, exp: now() + 3600 });
    expect(await admission("life", old)).toBe("TOKEN_LIFETIME_EXCEEDED");
    const earlyNbf = await signed(app, "life", "u", { iat: now() - 60, nbf: now() - 8 * 24 * 3600, exp: now() + 3600 });
    expect(await admission("life", earlyNbf)).toBe("TOKEN_LIFETIME_EXCEEDED");
    const longest = await signed(app, "life", "u", { iat: now() - 60, exp: now() - 60 + LIMITS.maxTokenTtlSeconds });
    expect(await admission("life", longest)).toBe("joined");
  });

  it("an operator sets a shorter maximum for an app: longer tokens are refused, minting too", async () => {
    const app = await createApp(undefined, { maxTokenTtlSeconds: 3600 });
    expect(app.maxTokenTtlSeconds).toBe(3600);
    expect(await admission("life", await tokenFor(app, { room: "life", user: "u", ttlSeconds: 7200 }))).toBe("TOKEN_LIFETIME_EXCEEDED");
    expect(await admission("life", await tokenFor(app, { room: "life", user: "u", ttlSeconds: 3600 }))).toBe("joined");
    const mint = await appFetch(app, "/v1/tokens", { method: "POST", body: JSON.stringify({ room: "life", user: "u", ttl: 7200 }) });
    expect(mint.status).toBe(400);
    expect(await mint.json()).toMatchObject({ error: { code: "INVALID_REQUEST", message: expect.stringContaining("3600") } });

    const patch = (body: unknown) => operatorFetch(`/v1/apps/${app.appKey}`, { method: "PATCH", body: JSON.stringify(body) });
    expect((await patch({ maxTokenTtlSeconds: LIMITS.maxTokenTtlSeconds + 1 })).status).toBe(400);
    expect(await (await patch({ maxTokenTtlSeconds: null })).json()).toMatchObject({ maxTokenTtlSeconds: LIMITS.maxTokenTtlSeconds });
    expect(await admission("life", await tokenFor(app, { room: "life", user: "u", ttlSeconds: 7200 }))).toBe("joined");
  });

  it("a kick outlives every token it covers: pruning never lets an old token in again", async () => {
    const app = await createApp();
    const room = "prune";
    expect((await appFetch(app, `/v1/rooms/${room}/members/mallory`, { method: "DELETE" })).status).toBe(200);
    // the kick is now just over the longest token lifetime old; the room's periodic pruning runs
    const stub = env.ROOMS.get(env.ROOMS.idFromName(`${app.appKey}:${room}`));
    const kickedAt = await runInDurableObject(stub, async (instance, state) => {
      state.storage.sql.exec("UPDATE revocations SET at = at - ?", (LIMITS.maxTokenTtlSeconds + 2) * 1000);
      await (instance as unknown as { alarm(): Promise<void> }).alarm();
      return state.storage.sql.exec<{ at: number }>("SELECT at FROM revocations").toArray()[0]?.at ?? null;
    });
    expect(kickedAt).not.toBeNull();
    // issued a second before the kick, as long-lived as allowed: expired, but within the clock skew
    const iat = Math.floor((kickedAt as number) / 1000) - 1;
    const old = await tokenFor(app, { room, user: "mallory", now: iat, ttlSeconds: LIMITS.maxTokenTtlSeconds });
    expect(await admission(room, old)).toBe("TOKEN_REVOKED");
  });
});

describe("auth centre: kicks apply to opaque tokens", () => {
  it("a kicked user is refused with the opaque token it had, until the auth centre says a token is newer", async () => {
    const app = await createApp(undefined, { authCentreUrl: inject("authCentreUrl") });
    const room = "ac-kick";
    const { client: admin } = await joined(app, room, "admin", { grants: { admin: true } });
    const dave = await connect(room, "ok-dave", `app=${app.appKey}`);
    const { member } = (await dave.ok("join")) as unknown as { member: { id: string } };
    await admin.ok("kick", { member: member.id });
    expect((await dave.closed).code).toBe(4001);
    await sleep(1100); // the kick is a whole second in the past: "issued now" would pass it
    expect(await admission(room, "ok-dave", `app=${app.appKey}`)).toBe("TOKEN_REVOKED");
    expect(await admission(room, `iat${now() - 5}-dave`, `app=${app.appKey}`)).toBe("TOKEN_REVOKED");
    expect(await admission(room, `iat${now() + 2}-dave`, `app=${app.appKey}`)).toBe("joined");
  });
});
