import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { afterAll, describe, expect, inject, it } from "vitest";
import { covered, documentedRoutes, expectContract, routeKey } from "../../test/contract.js";
import { heartbeat, postAsNode } from "../../test/fleet.js";
import { appFetch, BASE, createApp, joined, operatorFetch } from "../../test/helpers.js";
import { app as worker } from "../app.js";
import { DEV_APP_NAME } from "../dev/dev-app-name.js";
import type { Env } from "../env.js";
import { seedRecording } from "./seed.js";

const post = (body: unknown) => ({ method: "POST", body: JSON.stringify(body) });
const patch = (body: unknown) => ({ method: "PATCH", body: JSON.stringify(body) });

/** Calls the app with extra bindings, as the dev tests do (the test Worker's bindings are fixed). */
async function withBindings(path: string, init: RequestInit, bindings: Partial<Env>): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("contract: every documented route answers as documented", () => {
  it("health and reference", async () => {
    await expectContract(await SELF.fetch(`${BASE}/healthz`), "get", "/healthz", 200);
    await expectContract(await withBindings("/healthz", {}, { OPERATOR_KEY: "short" }), "get", "/healthz", 500);
    await expectContract(await SELF.fetch(`${BASE}/v1/openapi.json`), "get", "/v1/openapi.json", 200);
    await expectContract(await SELF.fetch(`${BASE}/v1/docs`), "get", "/v1/docs", 200);
  });

  it("apps (operator)", async () => {
    const created = await expectContract<{ appKey: string }>(
      await operatorFetch("/v1/apps", post({ name: "contract" })),
      "post",
      "/v1/apps",
      201,
    );
    await expectContract(await operatorFetch("/v1/apps", post({})), "post", "/v1/apps", 400);
    const k = created.appKey;
    await expectContract(await operatorFetch("/v1/apps"), "get", "/v1/apps", 200);
    await expectContract(await SELF.fetch(`${BASE}/v1/apps`), "get", "/v1/apps", 401);
    await expectContract(await operatorFetch(`/v1/apps/${k}`), "get", "/v1/apps/{appKey}", 200);
    await expectContract(await operatorFetch("/v1/apps/ak_0000000000000000none"), "get", "/v1/apps/{appKey}", 404);
    await expectContract(await operatorFetch(`/v1/apps/${k}`, patch({ name: "renamed" })), "patch", "/v1/apps/{appKey}", 200);
    await expectContract(await operatorFetch(`/v1/apps/${k}`, patch({ nmae: "typo" })), "patch", "/v1/apps/{appKey}", 400);
    const licence = { method: "PUT", body: JSON.stringify({ maxUsers: 10 }) };
    await expectContract(await operatorFetch(`/v1/apps/${k}/licence`, licence), "put", "/v1/apps/{appKey}/licence", 200);
    const badLicence = { method: "PUT", body: JSON.stringify({ maxUsers: -1 }) };
    await expectContract(await operatorFetch(`/v1/apps/${k}/licence`, badLicence), "put", "/v1/apps/{appKey}/licence", 400);
    await expectContract(await operatorFetch(`/v1/apps/${k}/secrets`, { method: "POST" }), "post", "/v1/apps/{appKey}/secrets", 201);
    await expectContract(await operatorFetch(`/v1/apps/${k}/secrets`, { method: "POST" }), "post", "/v1/apps/{appKey}/secrets", 409);
    const revoke = (slot: number) => operatorFetch(`/v1/apps/${k}/secrets/${slot}`, { method: "DELETE" });
    await expectContract(await revoke(1), "delete", "/v1/apps/{appKey}/secrets/{slot}", 200);
    await expectContract(await revoke(2), "delete", "/v1/apps/{appKey}/secrets/{slot}", 409);
    await expectContract(await operatorFetch(`/v1/apps/${k}/usage`), "get", "/v1/apps/{appKey}/usage", 200);
    await expectContract(await operatorFetch("/v1/apps/nope/usage"), "get", "/v1/apps/{appKey}/usage", 400);
  });

  it("fleet (operator)", async () => {
    expect((await postAsNode("heartbeat", heartbeat("node-contract"))).status).toBe(200);
    const page = await expectContract<{ nodes: unknown[] }>(await operatorFetch("/v1/fleet/nodes"), "get", "/v1/fleet/nodes", 200);
    expect(page.nodes.length).toBeGreaterThan(0);
    await expectContract(await operatorFetch("/v1/fleet/nodes?region=NOT%20A%20REGION"), "get", "/v1/fleet/nodes", 400);
  });

  it("tokens, rooms and users (app, token)", async () => {
    const app = await createApp();
    const minted = await appFetch(app, "/v1/tokens", post({ room: "contract", user: "alice" }));
    const { token } = await expectContract<{ token: string }>(minted, "post", "/v1/tokens", 201);
    await expectContract(await appFetch(app, "/v1/tokens", post({ room: "contract" })), "post", "/v1/tokens", 400);

    const upgrade = await SELF.fetch(`${BASE}/v1/rooms/contract/signal?token=${token}`, { headers: { upgrade: "websocket" } });
    await expectContract(upgrade, "get", "/v1/rooms/{room}/signal", 101);
    upgrade.webSocket?.accept();
    upgrade.webSocket?.close(1000, "done");
    await expectContract(await SELF.fetch(`${BASE}/v1/rooms/contract/signal?token=${token}`), "get", "/v1/rooms/{room}/signal", 400);

    const alice = await joined(app, "contract", "alice");
    await expectContract(await appFetch(app, "/v1/users/alice/sessions"), "get", "/v1/users/{user}/sessions", 200);
    await expectContract(await appFetch(app, "/v1/users/not%20a%20user/sessions"), "get", "/v1/users/{user}/sessions", 400);
    const notify = await appFetch(app, "/v1/users/alice/notify", post({ data: { hello: 1 } }));
    expect((await expectContract<{ delivered: number }>(notify, "post", "/v1/users/{user}/notify", 200)).delivered).toBe(1);
    const big = await appFetch(app, "/v1/users/alice/notify", post({ data: { blob: "x".repeat(5000) } }));
    await expectContract(big, "post", "/v1/users/{user}/notify", 413);

    const mute = await appFetch(app, "/v1/rooms/contract/members/alice/mute", post({ kind: "audio" }));
    expect((await expectContract<{ muted: number }>(mute, "post", "/v1/rooms/{room}/members/{user}/mute", 200)).muted).toBe(0);
    const badMute = await appFetch(app, "/v1/rooms/contract/members/alice/mute", post({ kind: "smell" }));
    await expectContract(badMute, "post", "/v1/rooms/{room}/members/{user}/mute", 400);
    const bob = await joined(app, "contract", "bob");
    const kick = await appFetch(app, "/v1/rooms/contract/members/bob", { method: "DELETE" });
    expect((await expectContract<{ removed: number }>(kick, "delete", "/v1/rooms/{room}/members/{user}", 200)).removed).toBe(1);
    await bob.client.closed;
    const badKick = await appFetch(app, "/v1/rooms/contract/members/not%20a%20user", { method: "DELETE" });
    await expectContract(badKick, "delete", "/v1/rooms/{room}/members/{user}", 400);

    const close = await appFetch(app, "/v1/rooms/contract", { method: "DELETE" });
    expect((await expectContract<{ removed: number }>(close, "delete", "/v1/rooms/{room}", 200)).removed).toBe(1);
    await alice.client.closed;
    await expectContract(await appFetch(app, "/v1/rooms/contract", { method: "DELETE", body: "{" }), "delete", "/v1/rooms/{room}", 400);
  });

  it("calls (app)", async () => {
    const app = await createApp();
    const m = await joined(app, "cdr-contract", "alice");
    await m.client.ok("leave");
    let page: { calls: { id: string; endedAt: string | null }[] } = { calls: [] };
    for (let i = 0; i < 100 && !page.calls[0]?.endedAt; i++) {
      page = await expectContract(await appFetch(app, "/v1/calls"), "get", "/v1/calls", 200);
      await new Promise((r) => setTimeout(r, 20));
    }
    await expectContract(await appFetch(app, "/v1/calls?limit=0"), "get", "/v1/calls", 400);
    await expectContract(await appFetch(app, `/v1/calls/${page.calls[0]?.id}`), "get", "/v1/calls/{id}", 200);
    await expectContract(await appFetch(app, "/v1/calls/c_00000000none"), "get", "/v1/calls/{id}", 404);
  });

  it("recordings (app)", async () => {
    const app = await createApp();
    // a recording as the node's events leave it in D1 (no media node runs in these tests),
    // on the node registered by the fleet test above, so its NAS links can be signed
    expect((await postAsNode("heartbeat", heartbeat("node-contract"))).status).toBe(200);
    await seedRecording(app.appKey, "rec_contract01", Date.now(), { node: "node-contract" });
    await expectContract(await appFetch(app, "/v1/recordings"), "get", "/v1/recordings", 200);
    await expectContract(await appFetch(app, "/v1/recordings?limit=500"), "get", "/v1/recordings", 400);
    await expectContract(await appFetch(app, "/v1/recordings/rec_contract01"), "get", "/v1/recordings/{id}", 200);
    await expectContract(await appFetch(app, "/v1/recordings/rec_missing01"), "get", "/v1/recordings/{id}", 404);
    const links = await appFetch(app, "/v1/recordings/rec_contract01/url?expires=120");
    const body = await expectContract<{ files: { url: string }[] }>(links, "get", "/v1/recordings/{id}/url", 200);
    expect(body.files[0]?.url).toContain("sig=");
    await expectContract(await appFetch(app, "/v1/recordings/rec_contract01/url?expires=5"), "get", "/v1/recordings/{id}/url", 400);
    // no media node answers in these tests: starting fails, typed and documented
    const start = await appFetch(app, "/v1/rooms/empty-room/recordings", post({}));
    await expectContract(start, "post", "/v1/rooms/{room}/recordings", start.status);
    const exportPath = "/v1/recordings/{id}/exports";
    await expectContract(
      await appFetch(app, "/v1/recordings/rec_missing01/exports", post({ kind: "mixed-audio", format: "wav" })),
      "post",
      exportPath,
      404,
    );
    await expectContract(
      await appFetch(app, "/v1/recordings/rec_contract01/exports", post({ kind: "mixed-audio", format: "pcma" })),
      "post",
      exportPath,
      400,
    );
    const snapshot = await appFetch(app, "/v1/rooms/empty-room/snapshots", post({ member: "m_nobodyhere00" }));
    await expectContract(snapshot, "post", "/v1/rooms/{room}/snapshots", 404);
    await expectContract(await appFetch(app, "/v1/rooms/empty-room/snapshots", post({})), "post", "/v1/rooms/{room}/snapshots", 400);
    expect(start.status).toBeGreaterThanOrEqual(400);
    await expectContract(
      await appFetch(app, "/v1/rooms/r/recordings", post({ mode: "video" })),
      "post",
      "/v1/rooms/{room}/recordings",
      400,
    );
    const stop = await appFetch(app, "/v1/recordings/rec_contract01/stop", { method: "POST" });
    await expectContract(stop, "post", "/v1/recordings/{id}/stop", stop.status);
    await expectContract(
      await appFetch(app, "/v1/recordings/rec_missing01/stop", { method: "POST" }),
      "post",
      "/v1/recordings/{id}/stop",
      404,
    );
  });

  it("recording settings and room options (app)", async () => {
    const app = await createApp();
    const put = (body: unknown) => ({ method: "PUT", body: JSON.stringify(body) });
    await expectContract(await appFetch(app, "/v1/recording-settings"), "get", "/v1/recording-settings", 200);
    await expectContract(await SELF.fetch(`${BASE}/v1/recording-settings`), "get", "/v1/recording-settings", 401);
    const settings = put({ storage: { kind: "nas", folder: "contract" }, composite: { width: 320, height: 240 } });
    await expectContract(await appFetch(app, "/v1/recording-settings", settings), "put", "/v1/recording-settings", 200);
    const bad = put({ storage: { kind: "nas", folder: "../x" } });
    await expectContract(await appFetch(app, "/v1/recording-settings", bad), "put", "/v1/recording-settings", 400);
    const options = "/v1/rooms/{room}/options";
    await expectContract(await appFetch(app, "/v1/rooms/opts/options"), "get", options, 200);
    await expectContract(await appFetch(app, "/v1/rooms/not%20a%20room/options"), "get", options, 400);
    await expectContract(await appFetch(app, "/v1/rooms/opts/options", put({ autoRecord: { mode: "tracks" } })), "put", options, 200);
    await expectContract(await appFetch(app, "/v1/rooms/opts/options", put({ autoRecord: { mode: "x" } })), "put", options, 400);
  });

  it("rtmp (app)", async () => {
    const app = await createApp();
    const start = "/v1/rooms/{room}/rtmp";
    const key = "sk-contract-secret-key";
    const url = `rtmp://live.example.com/live/${key}`;
    const empty = await appFetch(app, "/v1/rooms/rtmp-contract/rtmp", post({ url, source: { kind: "composite" } }));
    expect((await expectContract<{ error: { code: string } }>(empty, "post", start, 409)).error.code).toBe("NOT_IN_ROOM");
    const alice = await joined(app, "rtmp-contract", "alice");
    const bad = await appFetch(
      app,
      "/v1/rooms/rtmp-contract/rtmp",
      post({ url: "http://example.com/live/x", source: { kind: "composite" } }),
    );
    const refused = await expectContract<{ error: { code: string; message: string } }>(bad, "post", start, 400);
    expect(refused.error).toEqual({ code: "INVALID_REQUEST", message: "url: url must be rtmp:// or rtmps://" });
    const nobody = await appFetch(app, "/v1/rooms/rtmp-contract/rtmp", post({ url, source: { kind: "member", member: "m_nobodyhere00" } }));
    expect((await expectContract<{ error: { code: string } }>(nobody, "post", start, 404)).error.code).toBe("MEMBER_NOT_FOUND");
    // no media node answers in these tests (the fleet test registered one at a closed port)
    expect((await postAsNode("heartbeat", heartbeat("node-contract"))).status).toBe(200);
    const noNode = await appFetch(app, "/v1/rooms/rtmp-contract/rtmp", post({ url, source: { kind: "member", member: alice.member } }));
    const unavailable = await expectContract<{ error: { code: string } }>(noNode, "post", start, 503);
    expect(unavailable.error.code).toBe("NODE_UNAVAILABLE");
    expect(JSON.stringify(unavailable)).not.toContain(key);
    const list = await expectContract<{ pushes: unknown[] }>(await appFetch(app, "/v1/rooms/rtmp-contract/rtmp"), "get", start, 200);
    expect(list.pushes).toEqual([]);
    await expectContract(await appFetch(app, "/v1/rooms/not%20a%20room/rtmp"), "get", start, 400);
    const one = "/v1/rooms/{room}/rtmp/{id}";
    await expectContract(await appFetch(app, "/v1/rooms/rtmp-contract/rtmp/rtmp_missing00"), "get", one, 404);
    await expectContract(await appFetch(app, "/v1/rooms/rtmp-contract/rtmp/nope"), "get", one, 400);
    const stop = (id: string) => appFetch(app, `/v1/rooms/rtmp-contract/rtmp/${id}/stop`, { method: "POST" });
    await expectContract(await stop("rtmp_missing00"), "post", `${one}/stop`, 404);
    await alice.client.ok("leave");
  });

  it("webhooks (app)", async () => {
    const app = await createApp();
    const created = await appFetch(app, "/v1/webhooks", post({ url: "https://example.com/hook" }));
    const { id } = await expectContract<{ id: string }>(created, "post", "/v1/webhooks", 201);
    await expectContract(await appFetch(app, "/v1/webhooks", post({ url: "http://example.com" })), "post", "/v1/webhooks", 400);
    await expectContract(await appFetch(app, "/v1/webhooks"), "get", "/v1/webhooks", 200);
    await expectContract(await SELF.fetch(`${BASE}/v1/webhooks`), "get", "/v1/webhooks", 401);
    await expectContract(await appFetch(app, `/v1/webhooks/${id}`), "get", "/v1/webhooks/{id}", 200);
    await expectContract(await appFetch(app, "/v1/webhooks/wh_0000000000000000"), "get", "/v1/webhooks/{id}", 404);
    await expectContract(await appFetch(app, `/v1/webhooks/${id}`, patch({ enabled: false })), "patch", "/v1/webhooks/{id}", 200);
    await expectContract(await appFetch(app, `/v1/webhooks/${id}`, patch({ events: [] })), "patch", "/v1/webhooks/{id}", 400);
    const rotate = (hook: string) => appFetch(app, `/v1/webhooks/${hook}/rotate-secret`, { method: "POST" });
    await expectContract(await rotate(id), "post", "/v1/webhooks/{id}/rotate-secret", 200);
    await expectContract(await rotate("nope"), "post", "/v1/webhooks/{id}/rotate-secret", 400);
    await expectContract(await appFetch(app, "/v1/webhooks/deliveries"), "get", "/v1/webhooks/deliveries", 200);
    await expectContract(await appFetch(app, "/v1/webhooks/deliveries?status=lost"), "get", "/v1/webhooks/deliveries", 400);
    await expectContract(await appFetch(app, `/v1/webhooks/${id}`, { method: "DELETE" }), "delete", "/v1/webhooks/{id}", 204);
    await expectContract(await appFetch(app, `/v1/webhooks/${id}`, { method: "DELETE" }), "delete", "/v1/webhooks/{id}", 404);
  });

  it("console views: live rooms, stats, audit, and the operator's read-only views of an app", async () => {
    const app = await createApp();
    const alice = await joined(app, "live-contract", "alice");
    await expectContract(await appFetch(app, "/v1/rooms"), "get", "/v1/rooms", 200);
    await expectContract(await operatorFetch(`/v1/rooms?app=${app.appKey}`), "get", "/v1/rooms", 200);
    await expectContract(await operatorFetch("/v1/rooms"), "get", "/v1/rooms", 400);
    await expectContract(await appFetch(app, "/v1/rooms/live-contract"), "get", "/v1/rooms/{room}", 200);
    await expectContract(await appFetch(app, "/v1/rooms/not%20a%20room"), "get", "/v1/rooms/{room}", 400);
    await alice.client.ok("leave");
    await expectContract(await appFetch(app, "/v1/stats"), "get", "/v1/stats", 200);
    await expectContract(await appFetch(app, "/v1/stats?bucket=1"), "get", "/v1/stats", 400);
    await expectContract(await operatorFetch("/v1/audit?limit=5"), "get", "/v1/audit", 200);
    await expectContract(await operatorFetch("/v1/audit?cursor=x"), "get", "/v1/audit", 400);

    const q = `app=${app.appKey}`;
    let calls: { calls: { id: string; endedAt: string | null }[] } = { calls: [] };
    for (let i = 0; i < 100 && !calls.calls[0]?.endedAt; i++) {
      calls = await expectContract(await operatorFetch(`/v1/operator/calls?${q}`), "get", "/v1/operator/calls", 200);
      await new Promise((r) => setTimeout(r, 20));
    }
    await expectContract(await operatorFetch("/v1/operator/calls"), "get", "/v1/operator/calls", 400);
    await expectContract(await operatorFetch(`/v1/operator/calls/${calls.calls[0]?.id}?${q}`), "get", "/v1/operator/calls/{id}", 200);
    await expectContract(await operatorFetch(`/v1/operator/calls/c_00000000none?${q}`), "get", "/v1/operator/calls/{id}", 404);

    expect((await postAsNode("heartbeat", heartbeat("node-operator"))).status).toBe(200);
    await seedRecording(app.appKey, "rec_operator01", Date.now(), { node: "node-operator" });
    await expectContract(await operatorFetch(`/v1/operator/recordings?${q}`), "get", "/v1/operator/recordings", 200);
    await expectContract(await operatorFetch(`/v1/operator/recordings?${q}&limit=0`), "get", "/v1/operator/recordings", 400);
    const recording = "/v1/operator/recordings/{id}";
    await expectContract(await operatorFetch(`/v1/operator/recordings/rec_operator01?${q}`), "get", recording, 200);
    await expectContract(await operatorFetch(`/v1/operator/recordings/rec_missing01?${q}`), "get", recording, 404);
    await expectContract(await operatorFetch(`/v1/operator/recordings/rec_operator01/url?${q}`), "get", `${recording}/url`, 200);
    await expectContract(await operatorFetch(`/v1/operator/recordings/rec_missing01/url?${q}`), "get", `${recording}/url`, 404);

    const hook = await appFetch(app, "/v1/webhooks", post({ url: `${inject("webhookReceiverUrl")}/hooks/contract` }));
    const { id } = (await hook.json()) as { id: string };
    await expectContract(await operatorFetch(`/v1/operator/webhooks?${q}`), "get", "/v1/operator/webhooks", 200);
    await expectContract(await operatorFetch("/v1/operator/webhooks?app=nope"), "get", "/v1/operator/webhooks", 400);
    await expectContract(await operatorFetch(`/v1/operator/webhooks/${id}?${q}`), "get", "/v1/operator/webhooks/{id}", 200);
    await expectContract(await operatorFetch(`/v1/operator/webhooks/wh_0000000000000000?${q}`), "get", "/v1/operator/webhooks/{id}", 404);
    const deliveries = "/v1/operator/webhooks/deliveries";
    await expectContract(await operatorFetch(`${deliveries}?${q}`), "get", deliveries, 200);
    await expectContract(await operatorFetch(`${deliveries}?${q}&status=lost`), "get", deliveries, 400);
  });

  it("dev (local stack only)", async () => {
    await operatorFetch("/v1/apps", post({ name: DEV_APP_NAME }));
    const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ room: "demo", user: "u" }) };
    await expectContract(await SELF.fetch(`${BASE}/v1/dev/token`, init), "post", "/v1/dev/token", 403);
    await expectContract(await withBindings("/v1/dev/token", init, { DEV_MODE: "1" }), "post", "/v1/dev/token", 201);
  });

  afterAll(() => {
    // the reference routes cannot fail; everything else needs a success and a failure above
    const cannotFail = new Set(["GET /v1/openapi.json", "GET /v1/docs"]);
    // these succeed only with a media node that records: test/e2e/recording.test.ts
    const needsMediaNode = new Set([
      "POST /v1/rooms/{room}/recordings",
      "POST /v1/recordings/{id}/stop",
      "POST /v1/rooms/{room}/snapshots",
      "POST /v1/recordings/{id}/exports",
      "POST /v1/rooms/{room}/rtmp",
      "GET /v1/rooms/{room}/rtmp/{id}",
      "POST /v1/rooms/{room}/rtmp/{id}/stop",
    ]);
    const missing = documentedRoutes.flatMap((r) => {
      const key = routeKey(r.method, r.path);
      const kinds = covered.get(key) ?? new Set();
      return [
        ...(kinds.has("ok") || needsMediaNode.has(key) ? [] : [`${key} ok`]),
        ...(kinds.has("fail") || cannotFail.has(key) ? [] : [`${key} fail`]),
      ];
    });
    expect(missing, "documented routes no contract test called").toEqual([]);
  });
});
