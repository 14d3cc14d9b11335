import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { expectContract } from "../../../test/contract.js";
import { BASE, createApp, joined, operatorFetch, tokenFor } from "../../../test/helpers.js";

/** A call to the public API with `Authorization: Bearer <token>`, as a customer's tool would make it. */
function bearerFetch(token: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  if (init.body) headers.set("content-type", "application/json");
  return SELF.fetch(`${BASE}${path}`, { ...init, headers });
}

async function refusedWith(res: Response, method: string, path: string, status: number): Promise<{ code: string; message: string }> {
  return (await expectContract<{ error: { code: string; message: string } }>(res, method, path, status)).error;
}

describe("admin access tokens as API credentials", () => {
  it("a token for room * with the admin grant reaches the app-wide routes", async () => {
    const app = await createApp();
    const admin = await tokenFor(app, { room: "*", user: "ops-tool", grants: { admin: true } });
    const calls = await bearerFetch(admin, "/v1/calls");
    expect((await expectContract<{ calls: unknown[] }>(calls, "get", "/v1/calls", 200)).calls).toEqual([]);
    const rooms = await bearerFetch(admin, "/v1/rooms");
    expect(rooms.status).toBe(200);
  });

  it("a room-scoped admin token administers its own room only", async () => {
    const app = await createApp();
    const member = await joined(app, "desk-7", "customer");
    await joined(app, "desk-8", "someone");
    const desk7 = await tokenFor(app, { room: "desk-7", user: "agent", grants: { admin: true } });

    const detail = await bearerFetch(desk7, "/v1/rooms/desk-7");
    const room = await expectContract<{ members: { user: string }[] }>(detail, "get", "/v1/rooms/{room}", 200);
    expect(room.members.map((m) => m.user)).toEqual(["customer"]);
    const kick = await bearerFetch(desk7, "/v1/rooms/desk-7/members/customer", { method: "DELETE" });
    expect((await expectContract<{ removed: number }>(kick, "delete", "/v1/rooms/{room}/members/{user}", 200)).removed).toBe(1);
    expect((await member.client.closed).code).toBe(4001);

    const other = await bearerFetch(desk7, "/v1/rooms/desk-8/members/someone", { method: "DELETE" });
    expect((await refusedWith(other, "delete", "/v1/rooms/{room}/members/{user}", 403)).code).toBe("TOKEN_WRONG_ROOM");
    const appWide = await refusedWith(await bearerFetch(desk7, "/v1/calls"), "get", "/v1/calls", 403);
    expect(appWide).toEqual({ code: "TOKEN_WRONG_ROOM", message: expect.stringContaining("room *") });
  });

  it("refuses tokens without the admin grant, expired, forged, or used to mint more tokens", async () => {
    const app = await createApp();
    const member = await tokenFor(app, { room: "*", user: "u" });
    expect((await refusedWith(await bearerFetch(member, "/v1/calls"), "get", "/v1/calls", 403)).code).toBe("GRANT_MISSING");
    const expired = await tokenFor(app, { room: "*", user: "u", grants: { admin: true }, now: Math.floor(Date.now() / 1000) - 7200 });
    expect((await refusedWith(await bearerFetch(expired, "/v1/calls"), "get", "/v1/calls", 401)).code).toBe("TOKEN_EXPIRED");
    const forged = await tokenFor({ appKey: app.appKey, appSecret: "not-the-secret" }, { room: "*", user: "u", grants: { admin: true } });
    expect((await refusedWith(await bearerFetch(forged, "/v1/calls"), "get", "/v1/calls", 401)).code).toBe("TOKEN_BAD_SIGNATURE");
    expect((await refusedWith(await bearerFetch("not-a-jwt", "/v1/calls"), "get", "/v1/calls", 401)).code).toBe("TOKEN_MALFORMED");

    const admin = await tokenFor(app, { room: "*", user: "ops", grants: { admin: true } });
    const mint = await bearerFetch(admin, "/v1/tokens", { method: "POST", body: JSON.stringify({ room: "*", user: "x" }) });
    const refused = await refusedWith(mint, "post", "/v1/tokens", 401);
    expect(refused).toEqual({ code: "UNAUTHORIZED", message: expect.stringContaining("AppSecret") });
  });

  it("a disabled app's admin tokens stop working; the operator key still works on shared routes", async () => {
    const app = await createApp();
    const admin = await tokenFor(app, { room: "*", user: "ops", grants: { admin: true } });
    await operatorFetch(`/v1/apps/${app.appKey}`, { method: "PATCH", body: JSON.stringify({ disabled: true }) });
    expect((await refusedWith(await bearerFetch(admin, "/v1/calls"), "get", "/v1/calls", 403)).code).toBe("APP_DISABLED");
    const asOperator = await operatorFetch(`/v1/rooms?app=${app.appKey}`);
    expect(asOperator.status).toBe(200);
  });
});
