import { env, SELF } from "cloudflare:test";
import { LIMITS } from "@parley/shared";
import { describe, expect, it } from "vitest";
import { appFetch, BASE, connect, createApp, operatorFetch, refusal, streamedBody, tokenFor } from "../../test/helpers.js";

describe("operator API: apps", () => {
  it("refuses a missing or wrong operator key", async () => {
    const none = await SELF.fetch(`${BASE}/v1/apps`);
    expect(none.status).toBe(401);
    expect((await none.json<{ error: { code: string } }>()).error.code).toBe("UNAUTHORIZED");
    const wrong = await SELF.fetch(`${BASE}/v1/apps`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
  });

  it("creates an app, shows its secret once and stores it sealed", async () => {
    const app = await createApp({ maxUsers: 10 });
    expect(app.appKey).toMatch(/^ak_/);
    expect(app.appSecret).toMatch(/^as_/);
    expect(app.licence).toEqual({ expiresAt: null, maxRooms: null, maxUsers: 10 });

    const info = await (await operatorFetch(`/v1/apps/${app.appKey}`)).json<Record<string, unknown>>();
    expect(JSON.stringify(info)).not.toContain(app.appSecret);
    expect(info.secretSlots).toEqual([1]);

    const row = await env.DB.prepare("SELECT secret1 FROM apps WHERE app_key = ?").bind(app.appKey).first<{ secret1: string }>();
    expect(row?.secret1).toBeTruthy();
    expect(row?.secret1).not.toContain(app.appSecret.slice(3));

    const list = await (await operatorFetch("/v1/apps")).text();
    expect(list).toContain(app.appKey);
    expect(list).not.toContain(app.appSecret);
  });

  it("stops reading a JSON body at 64 KiB, whatever its Content-Length says", async () => {
    const big = streamedBody();
    const res = await operatorFetch("/v1/apps", { method: "POST", body: big.body });
    expect(res.status).toBe(413);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(big.pulled()).toBeLessThanOrEqual(LIMITS.httpBodyBytes + big.chunkBytes);
  });

  it("refuses invalid input with the field named", async () => {
    const res = await operatorFetch("/v1/apps", { method: "POST", body: JSON.stringify({ name: "", licence: { maxUsers: -1 } }) });
    expect(res.status).toBe(400);
    const body = await res.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe("INVALID_REQUEST");
    expect(body.error.message).toMatch(/name|maxUsers/);
    const notJson = await operatorFetch("/v1/apps", { method: "POST", body: "{" });
    expect((await notJson.json<{ error: { code: string } }>()).error.code).toBe("INVALID_REQUEST");
    const unknownApp = await operatorFetch("/v1/apps/ak_doesnotexist000000");
    expect(unknownApp.status).toBe(404);
  });

  it("rotates secrets: both slots valid until one is revoked", async () => {
    const app = await createApp();
    const added = await operatorFetch(`/v1/apps/${app.appKey}/secrets`, { method: "POST" });
    expect(added.status).toBe(201);
    const second = await added.json<{ slot: number; appSecret: string }>();
    expect(second.slot).toBe(2);
    const full = await operatorFetch(`/v1/apps/${app.appKey}/secrets`, { method: "POST" });
    expect((await full.json<{ error: { code: string } }>()).error.code).toBe("SECRET_SLOTS_FULL");

    const oldToken = await tokenFor(app, { room: "r1", user: "u1", slot: 1 });
    const newToken = await tokenFor({ appKey: app.appKey, appSecret: second.appSecret }, { room: "r1", user: "u2", slot: 2 });
    for (const token of [oldToken, newToken]) {
      const client = await connect("r1", token);
      expect((await client.request("join")).ok).toBe(true);
      client.close();
    }
    // both secrets authenticate the HTTP API too
    expect((await appFetch(app, "/v1/users/u1/sessions")).status).toBe(200);
    expect((await appFetch({ appKey: app.appKey, appSecret: second.appSecret }, "/v1/users/u1/sessions")).status).toBe(200);

    const revoked = await operatorFetch(`/v1/apps/${app.appKey}/secrets/1`, { method: "DELETE" });
    expect((await revoked.json<{ secretSlots: number[] }>()).secretSlots).toEqual([2]);
    expect((await refusal("r1", oldToken)).code).toBe("TOKEN_BAD_SIGNATURE");
    expect((await appFetch(app, "/v1/users/u1/sessions")).status).toBe(401);
    const last = await operatorFetch(`/v1/apps/${app.appKey}/secrets/2`, { method: "DELETE" });
    expect((await last.json<{ error: { code: string } }>()).error.code).toBe("LAST_SECRET");
  });

  it("disables and enables an app, and audits every change", async () => {
    const app = await createApp();
    const token = await tokenFor(app, { room: "r", user: "u" });
    await operatorFetch(`/v1/apps/${app.appKey}`, { method: "PATCH", body: JSON.stringify({ disabled: true }) });
    expect((await refusal("r", token)).code).toBe("APP_DISABLED");
    const api = await appFetch(app, "/v1/tokens", { method: "POST", body: JSON.stringify({ room: "r", user: "u" }) });
    expect((await api.json<{ error: { code: string } }>()).error.code).toBe("APP_DISABLED");
    await operatorFetch(`/v1/apps/${app.appKey}`, { method: "PATCH", body: JSON.stringify({ disabled: false }) });
    const client = await connect("r", token);
    expect((await client.request("join")).ok).toBe(true);

    const { results } = await env.DB.prepare("SELECT action FROM audit_log WHERE target = ? ORDER BY id")
      .bind(app.appKey)
      .all<{ action: string }>();
    expect(results.map((r) => r.action)).toEqual(["app.create", "app.disable", "app.enable"]);
  });
});
