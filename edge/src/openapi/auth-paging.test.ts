import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { documentedRoutes, expectContract } from "../../test/contract.js";
import { appFetch, BASE, createApp, joined, operatorFetch, refusal, tokenFor } from "../../test/helpers.js";
import { app as worker } from "../app.js";
import { seedDelivery, seedRecording } from "./seed.js";

/** A concrete URL for a documented path; auth runs before validation, so any segment will do. */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, "x1");
const withScheme = (scheme: string) => documentedRoutes.filter((r) => r.security?.some((s) => scheme in s));

describe("auth refusals for each route class", () => {
  it("operator routes refuse a missing or wrong operator key", async () => {
    const routes = withScheme("operatorKey");
    expect(routes.length).toBeGreaterThan(5);
    for (const r of routes) {
      const none = await SELF.fetch(`${BASE}${concrete(r.path)}`, { method: r.method });
      expect((await expectContract<{ error: { code: string } }>(none, r.method, r.path, 401)).error.code).toBe("UNAUTHORIZED");
      const wrong = await SELF.fetch(`${BASE}${concrete(r.path)}`, { method: r.method, headers: { authorization: "Bearer not-the-key" } });
      expect((await expectContract<{ error: { code: string } }>(wrong, r.method, r.path, 401)).error.code).toBe("UNAUTHORIZED");
    }
  });

  it("app routes refuse missing, unknown, wrong and disabled app credentials", async () => {
    const app = await createApp();
    const disabled = await createApp();
    await operatorFetch(`/v1/apps/${disabled.appKey}`, { method: "PATCH", body: JSON.stringify({ disabled: true }) });
    const routes = withScheme("appCredentials");
    expect(routes.length).toBeGreaterThan(10);
    const cases = [
      [undefined, "UNAUTHORIZED", 401],
      [{ appKey: "ak_0000000000000000none", appSecret: "x" }, "APP_UNKNOWN", 401],
      [{ appKey: app.appKey, appSecret: "wrong" }, "UNAUTHORIZED", 401],
      [disabled, "APP_DISABLED", 403],
    ] as const;
    for (const r of routes) {
      for (const [credentials, code, status] of cases) {
        const res = credentials
          ? await appFetch(credentials, concrete(r.path), { method: r.method })
          : await SELF.fetch(`${BASE}${concrete(r.path)}`, { method: r.method });
        expect((await expectContract<{ error: { code: string } }>(res, r.method, r.path, status)).error.code, `${r.method} ${r.path}`).toBe(
          code,
        );
      }
    }
  });

  it("app routes refuse an access token without the admin grant or for another room; credential routes refuse any token", async () => {
    const app = await createApp();
    const routes = withScheme("adminToken");
    expect(routes.length).toBeGreaterThan(10);
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const member = await tokenFor(app, { room: "*", user: "u" });
    const elsewhere = await tokenFor(app, { room: "not-x1", user: "u", grants: { admin: true } });
    for (const r of routes) {
      const url = `${BASE}${concrete(r.path)}`;
      const plain = await SELF.fetch(url, { method: r.method, headers: bearer(member) });
      expect((await expectContract<{ error: { code: string } }>(plain, r.method, r.path, 403)).error.code, `${r.method} ${r.path}`).toBe(
        "GRANT_MISSING",
      );
      const wrongRoom = await SELF.fetch(url, { method: r.method, headers: bearer(elsewhere) });
      expect(
        (await expectContract<{ error: { code: string } }>(wrongRoom, r.method, r.path, 403)).error.code,
        `${r.method} ${r.path}`,
      ).toBe("TOKEN_WRONG_ROOM");
    }
    const secretOnly = withScheme("appCredentials").filter((r) => !r.security?.some((s) => "adminToken" in s));
    expect(secretOnly.map((r) => r.path)).toEqual(["/v1/tokens"]);
    const admin = await tokenFor(app, { room: "*", user: "u", grants: { admin: true } });
    for (const r of secretOnly) {
      const res = await SELF.fetch(`${BASE}${concrete(r.path)}`, { method: r.method, headers: bearer(admin) });
      expect((await expectContract<{ error: { code: string } }>(res, r.method, r.path, 401)).error.code).toBe("UNAUTHORIZED");
    }
  });

  it("the token route refuses a missing, forged or wrong-room token with an error frame", async () => {
    expect(withScheme("accessToken").map((r) => r.path)).toEqual(["/v1/rooms/{room}/signal"]);
    const app = await createApp();
    expect(await refusal("lobby", null)).toMatchObject({ code: "TOKEN_MISSING", closeCode: 4401 });
    const forged = await tokenFor({ appKey: app.appKey, appSecret: "not-the-secret" }, { room: "lobby", user: "u" });
    expect(await refusal("lobby", forged)).toMatchObject({ code: "TOKEN_BAD_SIGNATURE", closeCode: 4401 });
    const elsewhere = await tokenFor(app, { room: "other", user: "u" });
    expect(await refusal("lobby", elsewhere)).toMatchObject({ code: "TOKEN_WRONG_ROOM", closeCode: 4403 });
  });
});

/** Follows nextCursor to the end; returns every item's id in order. */
async function allPages(fetchPage: (cursor?: string) => Promise<Response>, method: string, path: string, key: string) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10; pages++) {
    const page = await expectContract<Record<string, unknown>>(await fetchPage(cursor), method, path, 200);
    const items = page[key] as { id: string | number }[];
    expect(items.length).toBeLessThanOrEqual(2);
    ids.push(...items.map((i) => String(i.id)));
    if (page.nextCursor === null) return { ids, pages: pages + 1 };
    cursor = page.nextCursor as string;
  }
  throw new Error("paging did not end");
}

describe("paging with cursors", () => {
  it("/v1/calls", async () => {
    const app = await createApp();
    for (let i = 0; i < 3; i++) await (await joined(app, `paged-${i}`, "u")).client.ok("leave");
    for (let i = 0; i < 100; i++) {
      const page = await (await appFetch(app, "/v1/calls")).json<{ calls: { endedAt: string | null }[] }>();
      if (page.calls.length === 3 && page.calls.every((c) => c.endedAt)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const q = (c?: string) => appFetch(app, `/v1/calls?limit=2${c ? `&cursor=${encodeURIComponent(c)}` : ""}`);
    const { ids, pages } = await allPages(q, "get", "/v1/calls", "calls");
    expect(pages).toBe(2);
    expect(new Set(ids).size).toBe(3);
    await expectContract(await appFetch(app, "/v1/calls?cursor=bm90LWEtY3Vyc29y"), "get", "/v1/calls", 400);
  });

  it("/v1/recordings, newest first", async () => {
    const app = await createApp();
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 5; i++) await seedRecording(app.appKey, `rec_paging0${i}`, t0 + i * 1000);
    const q = (c?: string) => appFetch(app, `/v1/recordings?limit=2${c ? `&cursor=${encodeURIComponent(c)}` : ""}`);
    const { ids, pages } = await allPages(q, "get", "/v1/recordings", "recordings");
    expect(pages).toBe(3);
    expect(ids).toEqual(["rec_paging04", "rec_paging03", "rec_paging02", "rec_paging01", "rec_paging00"]);
  });

  it("/v1/webhooks/deliveries, newest first, filtered", async () => {
    const app = await createApp();
    const hook = "wh_0000000000000001";
    for (let i = 0; i < 4; i++) await seedDelivery(app.appKey, hook, `evt_000000000000000${i}`, Date.UTC(2026, 0, 1) + i);
    await seedDelivery(app.appKey, "wh_0000000000000002", "evt_00000000000000aa", Date.UTC(2026, 0, 2));
    const q = (c?: string) => appFetch(app, `/v1/webhooks/deliveries?webhookId=${hook}&limit=2${c ? `&cursor=${c}` : ""}`);
    const { ids, pages } = await allPages(q, "get", "/v1/webhooks/deliveries", "deliveries");
    expect(pages).toBe(2);
    expect(ids).toHaveLength(4);
    expect(ids.map(Number)).toEqual([...ids.map(Number)].sort((a, b) => b - a));
  });
});

/**
 * Routes the web-console work added to app.ts while this document was written (plain Hono, not
 * yet declared with createRoute). Converting them documents them; this list must only shrink.
 */

describe("the document", () => {
  it("documents every route the Worker serves, except the node-only /internal routes", async () => {
    const doc = await (await SELF.fetch(`${BASE}/v1/openapi.json`)).json<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    }>();
    expect(doc.openapi).toBe("3.1.0");
    const served = worker.routes
      .filter((r) => r.method !== "ALL" && !r.path.startsWith("/internal/"))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([^/]+)/g, "{$1}")}`);
    const undocumented = [...new Set(served)].filter((s) => {
      const [method, path] = s.split(" ") as [string, string];
      return !doc.paths[path]?.[method];
    });
    expect(undocumented).toEqual([]);
  });

  it("the reference page is self-contained", async () => {
    const res = await SELF.fetch(`${BASE}/v1/docs`);
    const html = await res.text();
    expect(html).toContain("/v1/apps/{appKey}/licence");
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i);
  });
});
