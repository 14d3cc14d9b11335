/** REDIS_URL validation, the password-free description of it, and sealing (pure logic, no Redis). */
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config.js";
import { describeRedisUrl } from "./redis-journals.js";
import { Sealer } from "./seal.js";

const BASE = {
  NODE_ID: "node-a",
  FLEET_SECRET: "a-fleet-secret-of-enough-length-0123",
  MEDIASOUP_WORKER_BIN: process.execPath, // any executable passes the check
};

describe("REDIS_URL", () => {
  it("is optional, and an empty value means unset", () => {
    expect(loadConfig({ ...BASE }).redisUrl).toBeUndefined();
    expect(loadConfig({ ...BASE, REDIS_URL: "" }).redisUrl).toBeUndefined();
    expect(loadConfig({ ...BASE, REDIS_URL: "rediss://:pw@cache.internal:6380/2" }).redisUrl).toBe("rediss://:pw@cache.internal:6380/2");
  });

  it("refuses what is not a redis URL, naming the variable and never echoing the value", () => {
    for (const bad of ["http://:hunter2@cache:6379", "hunter2", "redis//:hunter2@cache"]) {
      let error: unknown;
      try {
        loadConfig({ ...BASE, REDIS_URL: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain("REDIS_URL: must be a redis:// or rediss:// URL");
      expect((error as Error).message).not.toContain("hunter2");
    }
  });

  it("is described without user or password", () => {
    expect(describeRedisUrl("redis://user:hunter2@cache:6379/3")).toBe("redis://cache:6379/3");
    expect(describeRedisUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
  });
});

describe("Sealer", () => {
  const sealer = new Sealer(BASE.FLEET_SECRET);

  it("opens what it sealed for the same context only", () => {
    const sealed = sealer.seal('{"secretAccessKey":"abc"}', "rec-1");
    expect(sealed).not.toContain("abc");
    expect(sealer.open(sealed, "rec-1")).toBe('{"secretAccessKey":"abc"}');
    expect(() => sealer.open(sealed, "rec-2")).toThrow();
    expect(() => new Sealer("another-fleet-secret-of-enough-len").open(sealed, "rec-1")).toThrow();
  });

  it("refuses altered or truncated values", () => {
    const sealed = sealer.seal("plain", "rec-1");
    const flipped = `${sealed.slice(0, -2)}${sealed.at(-2) === "A" ? "B" : "A"}${sealed.at(-1)}`;
    expect(() => sealer.open(flipped, "rec-1")).toThrow();
    expect(() => sealer.open("v1.AAAA", "rec-1")).toThrow("truncated");
    expect(() => sealer.open("plain", "rec-1")).toThrow("not a sealed value");
  });
});
