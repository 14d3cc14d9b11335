import { SELF } from "cloudflare:test";
import type { AuditPage } from "@parley/shared";
import { describe, expect, it } from "vitest";
import { appFetch, BASE, createApp, operatorFetch } from "../../test/helpers.js";

describe("GET /v1/audit", () => {
  it("is for the operator only", async () => {
    expect((await SELF.fetch(`${BASE}/v1/audit`)).status).toBe(401);
    const app = await createApp();
    expect((await appFetch(app, "/v1/audit")).status).toBe(401);
  });

  it("lists administrative actions newest first, with who, what, target, where and when, in pages", async () => {
    const app = await createApp();
    await operatorFetch(`/v1/apps/${app.appKey}/secrets`, { method: "POST", headers: { "cf-connecting-ip": "203.0.113.9" } });
    await operatorFetch(`/v1/apps/${app.appKey}`, { method: "PATCH", body: JSON.stringify({ disabled: true }) });

    const first = await (await operatorFetch("/v1/audit?limit=2")).json<AuditPage>();
    expect(first.entries.map((e) => [e.action, e.target])).toEqual([
      ["app.disable", app.appKey],
      ["secret.add.2", app.appKey],
    ]);
    expect(first.entries[1]).toMatchObject({ actor: "operator", ip: "203.0.113.9" });
    expect(Date.parse(first.entries[0]?.at ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect(first.nextCursor).not.toBeNull();

    const second = await (await operatorFetch(`/v1/audit?limit=2&cursor=${first.nextCursor}`)).json<AuditPage>();
    expect(second.entries[0]).toMatchObject({ action: "app.create", target: app.appKey });
    expect(second.entries.every((e) => e.id < (first.entries[1]?.id ?? 0))).toBe(true);
  });

  it("refuses a bad limit or cursor with the field named", async () => {
    for (const query of ["limit=0", "limit=abc", "cursor=xyz", "other=1"]) {
      const res = await operatorFetch(`/v1/audit?${query}`);
      expect(res.status, query).toBe(400);
      expect((await res.json<{ error: { code: string } }>()).error.code).toBe("INVALID_REQUEST");
    }
  });
});
