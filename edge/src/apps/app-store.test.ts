import { env } from "cloudflare:test";
import { LIMITS } from "@parley/shared";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../test/helpers.js";
import { AppStore, appCacheSizes } from "./app-store.js";

describe("AppStore cache", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("unknown AppKeys (anyone can send them) never grow the cache past its bound", async () => {
    const store = new AppStore(env);
    const app = await createApp();
    for (let i = 0; i < LIMITS.unknownAppCacheEntries + 200; i++) {
      expect(await store.get(`ak_unknown${i}`)).toBeNull();
    }
    expect(appCacheSizes().unknown).toBeLessThanOrEqual(LIMITS.unknownAppCacheEntries);
    // a real app is still answered from D1 or the cache, whatever the unknown keys did
    expect((await store.get(app.appKey))?.appKey).toBe(app.appKey);
  });

  it("an app created after its AppKey was looked up becomes visible once the negative entry expires", async () => {
    const store = new AppStore(env);
    // the key this isolate has been told does not exist, then created (as another isolate would)
    const appKey = `ak_later${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    expect(await store.get(appKey)).toBeNull();
    const now = new Date().toISOString();
    await env.DB.prepare("INSERT INTO apps (app_key, name, created_at, updated_at) VALUES (?, 'later', ?, ?)").bind(appKey, now, now).run();
    vi.setSystemTime(Date.now() + LIMITS.unknownAppCacheMs + 1);
    expect((await store.get(appKey))?.name).toBe("later");
  });
});
