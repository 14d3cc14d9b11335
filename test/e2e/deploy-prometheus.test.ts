/**
 * The generated monitoring is real: Debian's Prometheus, started with the `prometheus.yml` that
 * `parley deploy init --size standard` writes (targets pointed at this machine), scrapes a media
 * node started as production starts it (the bundle infra/deploy/build-media-node.sh builds, the
 * generated env file, its Redis from the generated redis.conf) and the edge's `/v1/fleet/metrics`;
 * the node's figures come back through Prometheus' HTTP API, and every query of the generated
 * Grafana dashboard answers.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEdge, startEdge } from "../../infra/dev/edge.js";
import { freePort } from "../../media-fleet/test/free-port.js";
import { controlCaller } from "../../media-fleet/test/helpers.js";
import { TestRedis } from "../../media-fleet/test/redis-server.js";
import { parley, REPO_ROOT } from "./support/processes.js";

const REGION = "eu-west";
const REDIS_PASSWORD = "deploy-prometheus-test-password";

let scratch: string;
let edge: RunningEdge;
let redis: TestRedis;
let node: ChildProcess | undefined;
let nodeLog = "";
let nodeUrl: string;
let nodeId: string;
let prometheus: ChildProcess | undefined;
let prometheusLog = "";

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  return exited;
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "parley-deploy-prometheus-"));
  const out = path.join(scratch, "deploy");
  const init = await parley(["deploy", "init", "--size", "standard", "--region", REGION, "--out", out], { cwd: scratch });
  expect(init.code, init.stderr).toBe(0);

  edge = await startEdge({ state: "temp", logLevel: "error" });
  redis = new TestRedis(await freePort(), {
    password: REDIS_PASSWORD,
    config: { file: path.join(out, "redis/redis.conf"), args: ["--supervised", "no", "--logfile", ""] },
  });
  await redis.start();

  // the node as production runs it: the bundle and worker in media-fleet/dist, configured by the env file
  execFileSync(path.join(REPO_ROOT, "infra/deploy/build-media-node.sh"), { stdio: ["ignore", "ignore", "pipe"] });
  const envFile = parseEnv(await readFile(path.join(out, "media-node/media-1.env"), "utf8"));
  nodeId = envFile.NODE_ID as string;
  const controlPort = await freePort();
  nodeUrl = `http://127.0.0.1:${controlPort}`;
  // below the kernel's ephemeral range, away from media-fleet's own test ports
  const rtcBase = 25000 + Math.floor(Math.random() * 500) * 10;
  const env = {
    ...envFile,
    // what differs on one test machine from the template's production values
    FLEET_SECRET: edge.fleetSecret,
    PARLEY_ANNOUNCED_IP: "127.0.0.1",
    CONTROL_HOST: "127.0.0.1",
    CONTROL_PORT: String(controlPort),
    CONTROL_URL: nodeUrl,
    EDGE_URL: edge.url,
    LISTEN_IP: "127.0.0.1",
    NUM_WORKERS: "1",
    RTC_MIN_PORT: String(rtcBase),
    RTC_MAX_PORT: String(rtcBase + 9),
    HEARTBEAT_INTERVAL_MS: "1000",
    SPOOL_DIR: path.join(scratch, "spool"),
    NAS_PATH: path.join(scratch, "recordings"),
    S3_ACCESS_KEY_ID: "AKIAEXAMPLE",
    S3_SECRET_ACCESS_KEY: "not-used-by-this-test",
    REDIS_URL: (envFile.REDIS_URL as string).replace("CHANGE_ME", REDIS_PASSWORD).replace("10.0.1.5:6379", `127.0.0.1:${redis.port}`),
    MEDIASOUP_WORKER_BIN: path.join(REPO_ROOT, "media-fleet/dist/mediasoup-worker"),
  };
  // the environment systemd gives a unit: the file's variables and little else
  node = spawn(process.execPath, ["--enable-source-maps", path.join(REPO_ROOT, "media-fleet/dist/media-node.mjs")], {
    cwd: scratch,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  node.stdout?.on("data", (d: Buffer) => (nodeLog += d.toString()));
  node.stderr?.on("data", (d: Buffer) => (nodeLog += d.toString()));
  await waitFor(async () => {
    if (node?.exitCode !== null) throw new Error(`the media node exited (${node?.exitCode}):\n${nodeLog}`);
    const health = (await (await fetch(`${nodeUrl}/healthz`)).json()) as { ok: boolean; recordings: { journals: string; ready: boolean } };
    // the journal store is named by its URL, password left out
    return health.ok && health.recordings.ready && health.recordings.journals === `redis://127.0.0.1:${redis.port}/0` ? true : undefined;
  }, "the media node to be healthy with its journals in Redis").catch((error: Error) => {
    throw new Error(`${error.message}\n${nodeLog}`);
  });
  // a room on it, so its gauges and control counters have something to show
  const created = await controlCaller(nodeUrl, nodeId)(
    "POST",
    "/rooms/deploy-check/router",
    "deploy-check",
    {},
    { secret: edge.fleetSecret },
  );
  expect(created.status).toBe(200);
}, 240_000);

afterAll(async () => {
  await stopChild(prometheus);
  await stopChild(node);
  await redis?.stop();
  await edge?.stop();
  if (redis) await rm(redis.dir, { recursive: true, force: true });
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("the generated Prometheus config, against a running node and edge", () => {
  it("scrapes both, and a node metric read back through /api/v1/query matches what the node reports", async () => {
    const out = path.join(scratch, "deploy");
    const keyFile = path.join(scratch, "operator-key");
    await writeFile(keyFile, edge.operatorKey, { mode: 0o600 });
    const edgeHost = new URL(edge.url).host;
    let config = await readFile(path.join(out, "monitoring/prometheus.yml"), "utf8");
    const rewrite = (from: string, to: string) => {
      expect(config.split(from).length - 1, `the template has ${from} once`).toBe(1);
      config = config.replace(from, to);
    };
    // the targets this test runs, and a faster cadence so it need not wait 15 s a scrape
    rewrite("scrape_interval: 15s", "scrape_interval: 1s");
    rewrite("scrape_timeout: 10s", "scrape_timeout: 1s");
    rewrite('targets: ["10.0.1.11:4443", "10.0.1.12:4443"]', `targets: ["127.0.0.1:${new URL(nodeUrl).port}"]`);
    rewrite("scheme: https", "scheme: http");
    rewrite("credentials_file: /etc/prometheus/parley-operator-key", `credentials_file: ${keyFile}`);
    rewrite('targets: ["parley.example.com"]', `targets: ["${edgeHost}"]`);
    const configFile = path.join(scratch, "prometheus.yml");
    await writeFile(configFile, config);

    const port = await freePort();
    const api = `http://127.0.0.1:${port}`;
    const started = Date.now();
    prometheus = spawn(
      "prometheus",
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(scratch, "tsdb")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    prometheus.stderr?.on("data", (d: Buffer) => (prometheusLog += d.toString()));
    type Sample = { metric: Record<string, string>; value: [number, string] };
    const query = async (q: string): Promise<Sample[]> => {
      const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await res.json()) as { status: string; error?: string; data: { result: Sample[] } };
      if (body.status !== "success") throw new Error(`${q}: ${body.error}`);
      return body.data.result;
    };
    await waitFor(async () => ((await fetch(`${api}/-/ready`)).ok ? true : undefined), `Prometheus ready:\n${prometheusLog}`);
    const readyMs = Date.now() - started;

    // both jobs up: Prometheus reached the node's /metrics and the edge's /v1/fleet/metrics with the key
    const up = await waitFor(async () => {
      const result = await query("up");
      const jobs = Object.fromEntries(result.map((s) => [s.metric.job, s.value[1]]));
      return jobs["parley-media"] === "1" && jobs["parley-edge"] === "1" ? jobs : undefined;
    }, `both scrape jobs up:\n${prometheusLog}`);
    const firstScrapeMs = Date.now() - started;
    expect(up).toEqual({ "parley-media": "1", "parley-edge": "1" });

    // what the node itself says on /metrics …
    const own = await (await fetch(`${nodeUrl}/metrics`)).text();
    const ownValue = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, "m").exec(own)?.[1]);
    expect(ownValue("parley_workers")).toBe(1);
    expect(ownValue("parley_rooms")).toBe(1);
    // … is what Prometheus has, labelled with the node
    for (const name of ["parley_workers", "parley_rooms", "parley_recording_journals_ready"]) {
      const [sample] = await query(`${name}{node="${nodeId}"}`);
      expect(sample?.metric).toMatchObject({ job: "parley-media", node: nodeId, region: REGION });
      expect(Number(sample?.value[1]), name).toBe(ownValue(name));
    }
    // and the edge's view of the same node, once a heartbeat with the room reached it
    const edgeRooms = await waitFor(async () => {
      const [sample] = await query(`parley_fleet_node_rooms{node="${nodeId}"}`);
      return sample?.value[1] === "1" ? sample : undefined;
    }, "the edge's view of the node's room");
    expect(edgeRooms.metric).toMatchObject({ job: "parley-edge", region: REGION, node: nodeId });
    expect((await query(`parley_fleet_node_up{node="${nodeId}"}`))[0]?.value[1]).toBe("1");
    const readBackMs = Date.now() - started;

    // every query of the generated dashboard answers; all but the failure counters (none yet) with data
    await new Promise((r) => setTimeout(r, 3000)); // a few scrapes, so rate() and increase() have two samples
    const dashboard = JSON.parse(await readFile(path.join(out, "monitoring/grafana-dashboard.json"), "utf8")) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const empty: string[] = [];
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        const expr = target.expr.replaceAll("$region", ".*").replaceAll("$node", ".*");
        if ((await query(expr)).length === 0) empty.push(`${panel.title}: ${target.expr}`);
      }
    }
    expect(empty).toEqual([expect.stringContaining("parley_edge_delivery_failures_total")]);

    console.log(JSON.stringify({ prometheusReadyMs: readyMs, bothJobsUpMs: firstScrapeMs, nodeAndEdgeMetricsReadBackMs: readBackMs }));
  });
});
