/**
 * Recording journals in a real Redis (REDIS_URL, test/redis.setup.ts): while storage is down the
 * files wait in the spool, the node restarts with fresh process state over the same spool, reads
 * the queue back from Redis (no recording.json on disk) and finishes the uploads, bytes matching.
 * The storage credentials in Redis are sealed. A node whose Redis is unreachable starts unhealthy,
 * refuses recordings with a typed error, and becomes ready when Redis answers.
 */
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { RecordingStatus } from "@parley/shared";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { Sealer } from "../src/recording/seal.js";
import { freePort } from "./free-port.js";
import { FLEET_SECRET, startTestNode, TEST_PORT_OFFSET, type TestNode, waitFor } from "./helpers.js";
import { isEvent, recordingEvents, sha256, sleep, tempDir } from "./recording-helpers.js";
import { type Publisher, publish } from "./recording-peer.js";
import { TestRedis } from "./redis-server.js";

const ROOM = "ak_test:redis-room";
const R = `/rooms/${encodeURIComponent(ROOM)}`;
const RTC_BASE = 22100;
const nodes: TestNode[] = [];
const publishers: Publisher[] = [];
const clients: Redis[] = [];
const servers: TestRedis[] = [];

afterAll(async () => {
  for (const p of publishers) p.close();
  for (const n of nodes) await n.stop();
  for (const c of clients) c.disconnect();
  for (const s of servers) await s.stop();
});

function redisUrl(): string {
  const redis = inject("redis");
  if ("unavailable" in redis) throw new Error(redis.unavailable);
  return redis.url;
}

function env(spool: string, redis: string): Record<string, string> {
  return {
    REDIS_URL: redis,
    SPOOL_DIR: spool,
    NAS_PATH: join(spool, "..", "unused-nas"),
    SPOOL_MIN_FREE_BYTES: "0",
    UPLOAD_MAX_BACKOFF_MS: "500",
    RECORDING_MIN_PORT: "41800",
    RECORDING_MAX_PORT: "41899",
    // The S3 endpoint nobody listens on (below) is a loopback target: the node refuses it unless allowed.
    OUTBOUND_ALLOW: `127.0.0.1:${1 + TEST_PORT_OFFSET}`,
  };
}

/** Every file name under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

async function health(
  node: TestNode,
): Promise<{ status: number; body: { ok: boolean; recordings: { journals: string; ready: boolean } } }> {
  const response = await fetch(`${node.baseUrl}/healthz`);
  return { status: response.status, body: await response.json() };
}

describe("recording journals in Redis", () => {
  it("keeps the upload queue in Redis across a restart, with sealed credentials, and completes the uploads", async () => {
    const url = redisUrl();
    const redis = new Redis(url);
    clients.push(redis);
    const spool = await tempDir("spool-redis");
    const target = join(await tempDir("nas-redis"), "mount");
    const first = await startTestNode({ rtcBasePort: RTC_BASE, env: env(spool, url) });
    nodes.push(first);
    const key = `parley:node:${first.nodeId}:journals`;
    await redis.del(key);
    expect((await health(first)).body.recordings).toEqual({ journals: url, ready: true });
    const rec = recordingEvents(first);
    const alice = await publish(first, ROOM, "m_alice", ["audio"]);
    publishers.push(alice);
    // The NAS folder is not mounted: uploads fail and are retried. A second recording goes to an S3
    // endpoint nobody listens on, with credentials that must never appear in Redis.
    const s3 = {
      kind: "s3",
      endpoint: `http://127.0.0.1:${1 + TEST_PORT_OFFSET}`,
      region: "us-east-1",
      bucket: "nowhere",
      prefix: "",
      accessKeyId: "AKIDREDISTESTPLAINTEXT",
      secretAccessKey: "s3cr3t-that-must-not-be-in-redis",
      forcePathStyle: true,
    };
    for (const [recordingId, storage] of [
      ["rec-redis", { kind: "nas", path: target }],
      ["rec-redis-s3", s3],
    ] as const) {
      const start = await first.call("POST", `${R}/recordings`, ROOM, { recordingId, segmentSeconds: 2, storage });
      expect(start.status).toBe(200);
    }
    await sleep(4500);
    for (const id of ["rec-redis", "rec-redis-s3"]) {
      const stopped = (await first.call("POST", `${R}/recordings/${id}/stop`, ROOM, {})).json as RecordingStatus;
      expect(stopped.state).toBe("uploading");
    }
    await rec.wait(isEvent("recording.failed", "rec-redis"), "storage outage event");
    const waiting = (await first.call("GET", `${R}/recordings/rec-redis`, ROOM)).json as RecordingStatus;
    expect(waiting.files.length).toBeGreaterThanOrEqual(2);
    for (const f of waiting.files) expect(f.status).toBe("pending");
    // Every pending file of both recordings is in the node's upload queue, as /metrics shows.
    const s3Waiting = (await first.call("GET", `${R}/recordings/rec-redis-s3`, ROOM)).json as RecordingStatus;
    const depth = /^parley_upload_queue_depth\{[^}]*\} (\d+)$/m.exec(await (await fetch(`${first.baseUrl}/metrics`)).text());
    expect(Number(depth?.[1])).toBe(waiting.files.length + s3Waiting.files.length);

    // The queue is in Redis, not in the spool; the credentials in it are sealed.
    expect(await filesUnder(spool)).not.toContain("recording.json");
    const stored = await redis.hgetall(key);
    expect(Object.keys(stored).sort()).toEqual(["rec-redis", "rec-redis-s3"]);
    const raw = Object.values(stored).join("\n");
    expect(raw).not.toContain(s3.secretAccessKey);
    expect(raw).not.toContain(s3.accessKeyId);
    const s3Journal = JSON.parse(stored["rec-redis-s3"]!) as { state: string; storage: { sealed: string }; files: unknown[] };
    expect(s3Journal.state).toBe("uploading");
    expect(JSON.parse(new Sealer(FLEET_SECRET).open(s3Journal.storage.sealed, "rec-redis-s3"))).toEqual(s3);
    expect(() => new Sealer(FLEET_SECRET).open(s3Journal.storage.sealed, "rec-redis")).toThrow();
    const journal = JSON.parse(stored["rec-redis"]!) as { files: { file: string; status: string }[] };
    expect(journal.files.map((f) => f.file).sort()).toEqual(waiting.files.map((f) => f.file).sort());

    // A new node (fresh process state, same id and spool) reads the queue back from Redis.
    alice.close();
    await first.stop();
    nodes.splice(nodes.indexOf(first), 1);
    await mkdir(target, { recursive: true });
    const second = await startTestNode({ rtcBasePort: RTC_BASE, env: env(spool, url) });
    nodes.push(second);
    const done = await waitFor(async () => {
      const s = await second.call("GET", `${R}/recordings/rec-redis`, ROOM);
      return s.json.state === "available" ? (s.json as RecordingStatus) : undefined;
    }, "resumed uploads");
    expect(done.files.map((f) => f.file).sort()).toEqual(waiting.files.map((f) => f.file).sort());
    for (const f of done.files) {
      expect(f.status).toBe("uploaded");
      expect(await sha256(join(target, ROOM, "rec-redis", f.file))).toBe(f.sha256);
    }
    // The S3 one was unsealed and resumed too: still waiting for its (absent) storage.
    const s3Status = (await second.call("GET", `${R}/recordings/rec-redis-s3`, ROOM)).json as RecordingStatus;
    expect(s3Status.state).toBe("uploading");
    expect(s3Status.storage).toBe("s3");
    // A finished recording leaves neither journal nor spool folder.
    await waitFor(async () => ((await redis.hexists(key, "rec-redis")) === 0 ? true : undefined), "journal removed");
    expect(await readdir(spool)).toEqual(["rec-redis-s3"]);
  });

  it("starts unhealthy without Redis, refuses recordings with a typed error, and recovers when Redis answers", async () => {
    // a port found free now, not a fixed one: a redis-server left by a crashed run must not answer here
    const port = await freePort();
    const password = "redis-pass-never-logged";
    const server = new TestRedis(port, { password });
    servers.push(server);
    const spool = await tempDir("spool-redis-down");
    const node = await startTestNode({ rtcBasePort: RTC_BASE + 20, env: env(spool, server.url) });
    nodes.push(node);
    const down = await health(node);
    expect(down.status).toBe(503);
    expect(down.body.recordings).toEqual({ journals: `redis://127.0.0.1:${port}`, ready: false });
    expect(JSON.stringify(down.body)).not.toContain(password);
    await node.call("POST", `${R}/router`, ROOM, {});
    const refused = await node.call("POST", `${R}/recordings`, ROOM, { recordingId: "rec-no-redis" });
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe("RECORDING_QUEUE_UNAVAILABLE");
    expect(refused.json.error.message).toContain(`redis://127.0.0.1:${port}`);
    expect(refused.json.error.message).not.toContain(password);
    const metrics = await (await fetch(`${node.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^parley_recording_journals_ready\{[^}]*\} 0$/m);

    await server.start();
    await waitFor(async () => ((await health(node)).status === 200 ? true : undefined), "healthy once Redis answers", 20_000);
    const started = await node.call("POST", `${R}/recordings`, ROOM, { recordingId: "rec-redis-late", segmentSeconds: 2 });
    expect(started.status).toBe(200);
    const stopped = await node.call("POST", `${R}/recordings/rec-redis-late/stop`, ROOM, {});
    expect(stopped.status).toBe(200);
    expect(await filesUnder(spool)).not.toContain("recording.json");
  });

  it("goes on recording and uploading while Redis is away mid-run, and Redis catches up when it is back", async () => {
    const server = new TestRedis(await freePort());
    servers.push(server);
    await server.start();
    const spool = await tempDir("spool-redis-lost");
    const target = await tempDir("nas-redis-lost");
    const node = await startTestNode({ rtcBasePort: RTC_BASE + 40, env: { ...env(spool, server.url), RECORDING_MIN_PORT: "41850" } });
    nodes.push(node);
    const redis = new Redis(server.url);
    redis.on("error", () => undefined); // this test takes the server away on purpose
    clients.push(redis);
    const key = `parley:node:${node.nodeId}:journals`;
    const bob = await publish(node, ROOM, "m_bob", ["audio"]);
    publishers.push(bob);
    const start = await node.call("POST", `${R}/recordings`, ROOM, {
      recordingId: "rec-redis-lost",
      segmentSeconds: 2,
      storage: { kind: "nas", path: target },
    });
    expect(start.status).toBe(200);
    expect(await redis.hexists(key, "rec-redis-lost")).toBe(1);
    await server.stop();
    await waitFor(async () => ((await health(node)).status === 503 ? true : undefined), "unhealthy without Redis");
    await sleep(4500); // segments close and upload while their journal writes wait for Redis
    await server.start();
    await waitFor(async () => ((await health(node)).status === 200 ? true : undefined), "healthy again", 20_000);
    const stopped = (await node.call("POST", `${R}/recordings/rec-redis-lost/stop`, ROOM, {})).json as RecordingStatus;
    expect(stopped.state).not.toBe("recording");
    const done = await waitFor(async () => {
      const s = await node.call("GET", `${R}/recordings/rec-redis-lost`, ROOM);
      return s.json.state === "available" ? (s.json as RecordingStatus) : undefined;
    }, "uploads after the outage");
    // ≥ 3 segments of 2 s in the ~5.5 s recorded; every one stored with matching bytes.
    expect(done.files.length).toBeGreaterThanOrEqual(3);
    for (const f of done.files) expect(await sha256(join(target, ROOM, "rec-redis-lost", f.file))).toBe(f.sha256);
    await waitFor(async () => ((await redis.hexists(key, "rec-redis-lost")) === 0 ? true : undefined), "journal removed from Redis");
  });

  it("moves the journals a spool-only run left into Redis when REDIS_URL is added", async () => {
    const url = redisUrl();
    const spool = await tempDir("spool-redis-migrate");
    const target = join(await tempDir("nas-redis-migrate"), "mount");
    const { REDIS_URL: _, ...spoolOnly } = env(spool, url);
    const plain = { ...spoolOnly, RECORDING_MIN_PORT: "41870" };
    const before = await startTestNode({ rtcBasePort: RTC_BASE + 60, env: plain });
    nodes.push(before);
    const carol = await publish(before, ROOM, "m_carol", ["audio"]);
    publishers.push(carol);
    const start = await before.call("POST", `${R}/recordings`, ROOM, {
      recordingId: "rec-migrate",
      segmentSeconds: 2,
      storage: { kind: "nas", path: target },
    });
    expect(start.status).toBe(200);
    await sleep(3000);
    const waiting = (await before.call("POST", `${R}/recordings/rec-migrate/stop`, ROOM, {})).json as RecordingStatus;
    expect(waiting.state).toBe("uploading");
    carol.close();
    await before.stop();
    nodes.splice(nodes.indexOf(before), 1);
    expect(await filesUnder(spool)).toContain("recording.json");

    await mkdir(target, { recursive: true });
    const after = await startTestNode({ rtcBasePort: RTC_BASE + 60, env: { ...plain, REDIS_URL: url } });
    nodes.push(after);
    const done = await waitFor(async () => {
      const s = await after.call("GET", `${R}/recordings/rec-migrate`, ROOM);
      return s.json.state === "available" ? (s.json as RecordingStatus) : undefined;
    }, "uploads resumed from the migrated journal");
    expect(done.files.map((f) => f.file).sort()).toEqual(waiting.files.map((f) => f.file).sort());
    for (const f of done.files) expect(await sha256(join(target, ROOM, "rec-migrate", f.file))).toBe(f.sha256);
    expect(await readdir(spool)).toEqual([]);
  });
});
