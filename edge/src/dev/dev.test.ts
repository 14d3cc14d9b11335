import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, connect, operatorFetch } from "../../test/helpers.js";
import { app } from "../app.js";
import type { Env } from "../env.js";
import { DEV_APP_NAME } from "./dev-app-name.js";

type ErrorBody = { error: { code: string; message: string } };

function devToken(body: unknown, bindings: Partial<Env> = {}): Promise<Response> {
  const request = new Request(`${BASE}/v1/dev/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  // the test Worker's bindings are fixed by wrangler.toml, which must never set DEV_MODE:
  // call the app directly with DEV_MODE added, as the local launcher binds it
  if (Object.keys(bindings).length === 0) return SELF.fetch(request);
  const ctx = createExecutionContext();
  return Promise.resolve(app.fetch(request, { ...env, ...bindings }, ctx)).finally(() => waitOnExecutionContext(ctx));
}

async function createDevApp(): Promise<string> {
  const res = await operatorFetch("/v1/apps", { method: "POST", body: JSON.stringify({ name: DEV_APP_NAME }) });
  expect(res.status).toBe(201);
  return (await res.json<{ appKey: string }>()).appKey;
}

describe("dev: POST /v1/dev/token", () => {
  it("refuses with FORBIDDEN when DEV_MODE is not set, even with a dev app present", async () => {
    await createDevApp();
    const res = await devToken({ room: "demo", user: "alice" });
    expect(res.status).toBe(403);
    const { error } = await res.json<ErrorBody>();
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("DEV_MODE");
  });

  it("refuses when DEV_MODE is anything but 1", async () => {
    const res = await devToken({ room: "demo", user: "alice" }, { DEV_MODE: "0" });
    expect((await res.json<ErrorBody>()).error.code).toBe("FORBIDDEN");
  });

  it("with DEV_MODE=1 mints a token for the newest dev app that the edge admits", async () => {
    await createDevApp();
    const newest = await createDevApp();
    const res = await devToken({ room: "demo", user: "alice", name: "Alice" }, { DEV_MODE: "1" });
    expect(res.status).toBe(201);
    const body = await res.json<{ token: string; appKey: string; expiresAt: string }>();
    expect(body.appKey).toBe(newest);
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    const client = await connect("demo", body.token);
    const join = await client.ok("join");
    expect(join.member).toMatchObject({ user: "alice", name: "Alice" });
    client.close();
  });

  it("validates room and user with the shared schemas", async () => {
    await createDevApp();
    const res = await devToken({ room: "no spaces", user: "alice" }, { DEV_MODE: "1" });
    expect(res.status).toBe(400);
    const { error } = await res.json<ErrorBody>();
    expect(error.code).toBe("INVALID_REQUEST");
    expect(error.message).toContain("room");
    const extra = await devToken({ room: "demo", user: "alice", admin: true }, { DEV_MODE: "1" });
    expect(extra.status).toBe(400);
  });
});
