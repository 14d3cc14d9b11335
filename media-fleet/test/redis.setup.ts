/**
 * Starts a real redis-server for the whole media-fleet run (port 16379 + PARLEY_TEST_PORT_OFFSET),
 * for the tests of the Redis-backed recording journals. Without redis-server installed those tests
 * fail, saying how to install it.
 */
import type { TestProject } from "vitest/node";
import { redisInstalled, TestRedis } from "./redis-server.js";

const OFFSET = Number(process.env.PARLEY_TEST_PORT_OFFSET ?? 0); // see test/helpers.ts

declare module "vitest" {
  export interface ProvidedContext {
    redis: { url: string; port: number } | { unavailable: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!redisInstalled()) {
    project.provide("redis", { unavailable: "redis-server is not installed (apt-get install redis-server)" });
    return async () => {};
  }
  const redis = new TestRedis(16379 + OFFSET);
  await redis.start();
  project.provide("redis", { url: redis.url, port: redis.port });
  return () => redis.stop();
}
