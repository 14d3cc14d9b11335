import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { type DeliveryPage, verifyWebhookSignature, type WebhookEvent, type WebhookWithSecret } from "@parley/shared";
import { describe, expect, inject, it } from "vitest";
import { appFetch, createApp, joined, sleep } from "../../test/helpers.js";
import { emitWebhookEvent } from "./emit.js";
import { webhookStub } from "./webhook-do.js";
import { WebhookStore } from "./webhook-store.js";

const RECEIVER = inject("webhookReceiverUrl");
type App = { appKey: string; appSecret: string };
type Attempt = { status: number; headers: Record<string, string>; body: string };

const newSink = () => `sink${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;

async function createWebhook(app: App, sink: string, extra: Record<string, unknown> = {}): Promise<WebhookWithSecret> {
  const res = await appFetch(app, "/v1/webhooks", { method: "POST", body: JSON.stringify({ url: `${RECEIVER}/hooks/${sink}`, ...extra }) });
  expect(res.status).toBe(201);
  return res.json();
}

async function attempts(sink: string): Promise<Attempt[]> {
  return (await (await fetch(`${RECEIVER}/control/${sink}`)).json<{ attempts: Attempt[] }>()).attempts;
}

const delivered = async (sink: string) => (await attempts(sink)).filter((a) => a.status < 300);

/** Makes every queued retry due now and runs the Webhook DO's alarm, until `done` holds: no waiting out backoff. */
async function drive(appKey: string, done: () => Promise<boolean>): Promise<void> {
  const stub = webhookStub(env, appKey);
  for (let i = 0; i < 100; i++) {
    if (await done()) return;
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE wh_queue SET next_attempt_at = 0");
    });
    await runDurableObjectAlarm(stub);
    await sleep(20);
  }
  throw new Error("deliveries never reached the expected state");
}

async function deliveryLog(app: App, query: string, until: (page: DeliveryPage) => boolean): Promise<DeliveryPage> {
  for (let i = 0; i < 100; i++) {
    const page = await (await appFetch(app, `/v1/webhooks/deliveries?${query}`)).json<DeliveryPage>();
    if (until(page)) return page;
    await sleep(20);
  }
  throw new Error(`delivery log never matched for ${query}`);
}

/** Independent of the shared helper: HMAC-SHA256(secret, `${t}.${body}`) as hex. */
async function signatureValid(secret: string, attempt: Attempt): Promise<boolean> {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(attempt.headers["parley-signature"] ?? "");
  if (!match) return false;
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(`${match[1]}.${attempt.body}`)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("") === match[2];
}

const eventOf = (a: Attempt) => JSON.parse(a.body) as WebhookEvent;

function memberData(n: number) {
  return {
    room: "r",
    callId: null,
    member: `m_member0000${n}`,
    user: `u${n}`,
    name: null,
    hidden: false,
    joinedAt: new Date().toISOString(),
  };
}

describe("webhooks", () => {
  it("a webhook stored before the outbound policy, to a host the operator does not allow, is never delivered", async () => {
    const app = await createApp();
    const sink = newSink();
    // "localhost" reaches the receiver on 127.0.0.1, but the allow-list names 127.0.0.1:<port> only
    const url = `${RECEIVER.replace("127.0.0.1", "localhost")}/hooks/${sink}`;
    const hook = await new WebhookStore(env).create(app.appKey, { url, events: ["member.joined"], enabled: true, description: null });
    const id = (await emitWebhookEvent(env, app.appKey, "member.joined", memberData(1))) as string;
    const log = await deliveryLog(app, `eventId=${id}`, (p) => p.deliveries.length > 0);
    expect(log.deliveries[0]).toMatchObject({ webhookId: hook.id, httpStatus: null, status: "retrying" });
    expect(log.deliveries[0]?.error).toMatch(/^target not allowed: url names localhost, an internal host name/);
    expect(await attempts(sink)).toEqual([]);
  });

  it("room events arrive signed and in order", async () => {
    const app = await createApp();
    const sink = newSink();
    const hook = await createWebhook(app, sink);
    expect(hook.secret).toMatch(/^whsec_/);

    const alice = await joined(app, "wh-order", "alice");
    const bob = await joined(app, "wh-order", "bob");
    await alice.client.ok("leave");
    await bob.client.ok("leave");
    await drive(app.appKey, async () => (await delivered(sink)).length >= 6);

    const got = await delivered(sink);
    const events = got.map(eventOf);
    expect(events.map((e) => [e.type, "member" in e.data ? e.data.member : null])).toEqual([
      ["room.started", null],
      ["member.joined", alice.member],
      ["member.joined", bob.member],
      ["member.left", alice.member],
      ["member.left", bob.member],
      ["room.finished", null],
    ]);
    const callId = (events[0] as Extract<WebhookEvent, { type: "room.started" }>).data.callId;
    expect(callId).toMatch(/^c_/);
    for (const e of events) expect(e).toMatchObject({ app: app.appKey, data: { room: "wh-order" } });
    expect(events[3]?.data).toMatchObject({ user: "alice", reason: "left", callId });
    expect(events[5]?.data).toMatchObject({ callId });
    for (const a of got) {
      expect(await signatureValid(hook.secret, a)).toBe(true);
      expect(await verifyWebhookSignature(hook.secret, a.headers["parley-signature"] ?? null, a.body)).toBe(true);
      expect(a.headers["parley-event-id"]).toBe(eventOf(a).id);
      expect(a.headers["parley-event-type"]).toBe(eventOf(a).type);
    }
    expect(new Set(events.map((e) => e.id)).size).toBe(6);
  });

  it("a receiver that fails 3 times then recovers gets every event exactly once, in order", async () => {
    const app = await createApp();
    const sink = newSink();
    await createWebhook(app, sink, { events: ["member.joined"] });
    await fetch(`${RECEIVER}/control/${sink}/fail?count=3`, { method: "POST" });
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await emitWebhookEvent(env, app.appKey, "member.joined", memberData(n))) as string);
    expect(ids.every((id) => /^evt_/.test(id))).toBe(true);
    await drive(app.appKey, async () => (await delivered(sink)).length >= 3);

    const all = await attempts(sink);
    expect(all.map((a) => a.status)).toEqual([500, 500, 500, 204, 204, 204]);
    // the first event is retried with the same id (the receiver deduplicates by it); the rest wait behind it
    expect(all.map((a) => eventOf(a).id)).toEqual([ids[0], ids[0], ids[0], ids[0], ids[1], ids[2]]);
    expect(all.slice(0, 4).map((a) => a.headers["parley-delivery-attempt"])).toEqual(["1", "2", "3", "4"]);
    const byId = new Map<string, number>();
    for (const a of await delivered(sink)) byId.set(eventOf(a).id, (byId.get(eventOf(a).id) ?? 0) + 1);
    expect([...byId]).toEqual(ids.map((id) => [id, 1]));

    const log = await deliveryLog(app, `eventId=${ids[0]}`, (p) => p.deliveries.length === 4);
    expect(log.deliveries.map((d) => [d.attempt, d.status, d.httpStatus])).toEqual([
      [4, "delivered", 204],
      [3, "retrying", 500],
      [2, "retrying", 500],
      [1, "retrying", 500],
    ]);
    // backoff 1 s, 2 s, 4 s with ±20 % jitter
    const delays = log.deliveries.slice(1).map((d) => Date.parse(d.nextAttemptAt as string) - Date.parse(d.at));
    expect(delays.reverse().map((ms, i) => ms / 1000 / 2 ** i)).toSatisfy((r: number[]) => r.every((x) => x >= 0.79 && x <= 1.21));
    const retrying = await deliveryLog(app, "status=retrying&limit=2", (p) => p.deliveries.length === 2);
    expect(retrying.nextCursor).not.toBeNull();
    const rest = await deliveryLog(app, `status=retrying&limit=2&cursor=${retrying.nextCursor}`, () => true);
    expect(rest.deliveries.map((d) => d.attempt)).toEqual([1]);
  });

  it("gives up on an event still failing an hour after it was queued, then moves on", async () => {
    const app = await createApp();
    const sink = newSink();
    await createWebhook(app, sink);
    await fetch(`${RECEIVER}/control/${sink}/fail?count=1000`, { method: "POST" });
    const first = (await emitWebhookEvent(env, app.appKey, "member.joined", memberData(1))) as string;
    const second = (await emitWebhookEvent(env, app.appKey, "member.joined", memberData(2))) as string;
    await drive(app.appKey, async () => (await attempts(sink)).length >= 1);
    await runInDurableObject(webhookStub(env, app.appKey), (_instance, state) => {
      state.storage.sql.exec("UPDATE wh_queue SET queued_at = queued_at - 3600000");
    });
    await drive(app.appKey, async () => (await attempts(sink)).some((a) => eventOf(a).id === second));
    const failed = await deliveryLog(app, "status=failed", (p) => p.deliveries.length === 2);
    expect(failed.deliveries.map((d) => d.eventId)).toEqual([second, first]);
    expect(
      await runInDurableObject(webhookStub(env, app.appKey), (_i, s) => s.storage.sql.exec("SELECT * FROM wh_queue").toArray()),
    ).toEqual([]);
  });

  it("rotation: deliveries after it are signed with the new secret only", async () => {
    const app = await createApp();
    const sink = newSink();
    const hook = await createWebhook(app, sink);
    const res = await appFetch(app, `/v1/webhooks/${hook.id}/rotate-secret`, { method: "POST" });
    expect(res.status).toBe(200);
    const rotated = await res.json<WebhookWithSecret>();
    expect(rotated.secret).not.toBe(hook.secret);
    const listed = await (await appFetch(app, "/v1/webhooks")).text();
    expect(listed).not.toContain(rotated.secret);
    expect(listed).not.toContain("secret");

    await emitWebhookEvent(env, app.appKey, "member.joined", memberData(1));
    await drive(app.appKey, async () => (await delivered(sink)).length >= 1);
    const [attempt] = await delivered(sink);
    expect(await signatureValid(rotated.secret, attempt as Attempt)).toBe(true);
    expect(await signatureValid(hook.secret, attempt as Attempt)).toBe(false);
  });

  it("licence refusals raise licence.limit_reached (once per burst) and filters hold", async () => {
    const app = await createApp({ maxUsers: 1 });
    const sink = newSink();
    await createWebhook(app, sink, { events: ["licence.limit_reached"] });
    await joined(app, "wh-full", "alice");
    for (const user of ["bob", "carol"]) {
      const refused = await joined(app, "wh-full", user).catch((err: Error) => err.message);
      expect(refused).toContain("LICENCE_USERS_EXCEEDED");
    }
    await drive(app.appKey, async () => (await delivered(sink)).length >= 1);
    await sleep(200);
    const got = (await delivered(sink)).map(eventOf);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ type: "licence.limit_reached", data: { code: "LICENCE_USERS_EXCEEDED", room: "wh-full", user: "bob" } });
  });

  it("refuses bad input and hides other apps' webhooks", async () => {
    const app = await createApp();
    const other = await createApp();
    const post = (a: App, body: unknown) => appFetch(a, "/v1/webhooks", { method: "POST", body: JSON.stringify(body) });
    for (const url of ["http://example.com/hook", "ftp://127.0.0.1/x", "not a url", "https://"]) {
      const res = await post(app, { url });
      expect(res.status).toBe(400);
      expect((await res.json<{ error: { code: string } }>()).error.code).toBe("INVALID_REQUEST");
    }
    const unknownType = await post(app, { url: "https://example.com/h", events: ["room.exploded"] });
    expect(unknownType.status).toBe(400);
    expect(await unknownType.text()).toContain("event type must be one of");
    expect((await post(app, { url: "https://example.com/h", extra: 1 })).status).toBe(400);

    const hook = await createWebhook(app, newSink());
    for (const [method, path, body] of [
      ["GET", `/v1/webhooks/${hook.id}`, undefined],
      ["PATCH", `/v1/webhooks/${hook.id}`, { enabled: false }],
      ["DELETE", `/v1/webhooks/${hook.id}`, undefined],
      ["POST", `/v1/webhooks/${hook.id}/rotate-secret`, undefined],
    ] as const) {
      const res = await appFetch(other, path, { method, ...(body ? { body: JSON.stringify(body) } : {}) });
      expect(res.status).toBe(404);
      expect((await res.json<{ error: { code: string } }>()).error.code).toBe("NOT_FOUND");
    }
    expect((await appFetch(other, "/v1/webhooks")).status).toBe(200);
    expect((await (await appFetch(other, "/v1/webhooks")).json<{ webhooks: unknown[] }>()).webhooks).toEqual([]);
    expect((await appFetch(app, "/v1/webhooks/wh_nope")).status).toBe(400);
    expect((await appFetch(app, "/v1/webhooks/deliveries?status=maybe")).status).toBe(400);
    expect((await appFetch({ appKey: app.appKey, appSecret: "wrong" }, "/v1/webhooks")).status).toBe(401);

    const patched = await appFetch(app, `/v1/webhooks/${hook.id}`, {
      method: "PATCH",
      body: JSON.stringify({ events: ["room.finished"] }),
    });
    expect(await patched.json()).toMatchObject({ id: hook.id, events: ["room.finished"], enabled: true });
    expect((await appFetch(app, `/v1/webhooks/${hook.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await appFetch(app, `/v1/webhooks/${hook.id}`)).status).toBe(404);

    for (let i = 0; i < 10; i++) await createWebhook(other, newSink());
    const full = await post(other, { url: "https://example.com/h" });
    expect(full.status).toBe(409);
    expect((await full.json<{ error: { code: string } }>()).error.code).toBe("WEBHOOKS_FULL");
  });
});
