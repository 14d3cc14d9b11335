/**
 * `parley deploy init` as an operator runs it, and its output checked by the tools that will read it:
 * wrangler bundles each Worker config (the size check CI runs), the media node's own config loader
 * takes each env file, promtool each Prometheus config, systemd-analyze the unit, redis-server the
 * Redis config.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseEnv } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { loadConfig, NodeEnv } from "../../media-fleet/src/config.js";
import { RecordingEnv } from "../../media-fleet/src/recording/config.js";
import { freePort } from "../../media-fleet/test/free-port.js";
import { TestRedis } from "../../media-fleet/test/redis-server.js";
import { DEPLOY_SIZES, SIZE_PLANS } from "../../sdk/src/cli/deploy/sizes.js";
import { parley, REPO_ROOT, run } from "./support/processes.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "parley-deploy-init-"));
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Renders one size into a fresh folder of the scratch space. */
async function init(size: string, region = "eu-west"): Promise<string> {
  const out = path.join(scratch, `${size}-${region}`);
  const result = await parley(["deploy", "init", "--size", size, "--region", region, "--domain", "rtc.example.org", "--out", out], {
    cwd: scratch,
  });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  expect(result.stdout).toContain(`Wrote the ${size} deployment for region ${region} to ${out}`);
  return out;
}

/** What a media node's env file says, with the REQUIRED blanks filled in as an operator would. */
function filled(envFile: string): Record<string, string> {
  return {
    ...parseEnv(envFile),
    FLEET_SECRET: "0123456789abcdef0123456789abcdef",
    PARLEY_ANNOUNCED_IP: "198.51.100.7",
    MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN as string,
    ...(/^RECORDING_STORAGE=s3$/m.test(envFile) ? { S3_ACCESS_KEY_ID: "AKIAEXAMPLE", S3_SECRET_ACCESS_KEY: "secret-example" } : {}),
  };
}

describe("parley deploy init: flags", () => {
  it("refuses missing or malformed flags saying what to pass, and a folder with files in it unless --force", async () => {
    const refused = async (args: string[], message: string) => {
      const result = await parley(["deploy", "init", ...args], { cwd: scratch });
      expect(result.stderr).toContain(message);
      expect(result.code).toBe(2);
    };
    await Promise.all([
      refused(["--region", "eu-west"], "error: --size is required: single, basic, standard, cluster"),
      refused(["--size", "huge", "--region", "eu-west"], "error: --size: must be one of single, basic, standard, cluster"),
      refused(["--size", "basic"], "error: --region is required"),
      refused(["--size", "basic", "--region", "EU West"], "error: --region: region is lower-case letters, digits and -"),
      refused(["--size", "basic", "--region", "eu", "--domain", "not a host"], "error: --domain: must be a host name"),
      refused(["--size", "basic", "--region", "eu", "--repo", scratch], "is not a Parley checkout"),
      refused(["--size", "basic", "--region", "eu", "--out", REPO_ROOT], "is not empty: choose another folder, or pass --force"),
    ]);

    const out = path.join(scratch, "taken");
    const mine = path.join(out, "notes.txt");
    await mkdir(out, { recursive: true });
    await writeFile(mine, "my own notes");
    await refused(["--size", "basic", "--region", "eu", "--out", out], `--out ${out} is not empty`);
    expect(await readdir(out)).toEqual(["notes.txt"]);
    const forced = await parley(["deploy", "init", "--size", "basic", "--region", "eu", "--out", out, "--force"], { cwd: scratch });
    expect(forced.code).toBe(0);
    expect(await readFile(mine, "utf8")).toBe("my own notes");
    expect((await stat(path.join(out, "media-node", "media-1.env"))).mode & 0o777).toBe(0o600);
  });
});

describe("worker-bundle-size.sh", () => {
  it("fails a Worker whose upload is over 3 MiB gzipped, saying by how much", async () => {
    const dir = await mkdtemp(path.join(scratch, "big-worker-"));
    // 5 MiB of base64 noise: gzip cannot take it below ~3.8 MiB
    const noise = randomBytes(3.75 * 1024 * 1024).toString("base64");
    await writeFile(
      path.join(dir, "index.js"),
      `const NOISE = "${noise}";\nexport default { fetch: () => new Response(String(NOISE.length)) };\n`,
    );
    await writeFile(path.join(dir, "wrangler.toml"), 'name = "big"\nmain = "index.js"\ncompatibility_date = "2026-04-20"\n');
    const sized = await run(path.join(REPO_ROOT, "infra/deploy/worker-bundle-size.sh"), ["--config", path.join(dir, "wrangler.toml")]);
    expect(sized.code).toBe(1);
    expect(sized.stderr).toMatch(/the gzipped bundle \(\d+\.\d KiB\) is over the 3 MiB limit/);
    const figures = JSON.parse(sized.stdout.trim().split("\n").at(-1) as string) as { gzipBytes: number; maxGzipBytes: number };
    expect(figures.gzipBytes).toBeGreaterThan(figures.maxGzipBytes);
  });
});

describe.each(DEPLOY_SIZES)("parley deploy init --size %s", (size) => {
  const plan = SIZE_PLANS[size];
  let out: string;
  beforeAll(async () => {
    out = await init(size);
  });

  it("writes a Worker config that wrangler bundles under the size limit, with the checkout's Durable Objects and migrations", async () => {
    const config = path.join(out, "wrangler.toml");
    const sized = await run(path.join(REPO_ROOT, "infra/deploy/worker-bundle-size.sh"), ["--config", config]);
    expect(sized.stderr).toBe("");
    expect(sized.code).toBe(0);
    const figures = JSON.parse(sized.stdout.trim().split("\n").at(-1) as string) as { rawBytes: number; gzipBytes: number };
    expect(figures.gzipBytes).toBeGreaterThan(100_000);
    expect(figures.gzipBytes).toBeLessThan(3 * 1024 * 1024);

    const generated = unstable_readConfig({ config });
    const repo = unstable_readConfig({ config: path.join(REPO_ROOT, "wrangler.toml") });
    expect(generated.durable_objects).toEqual(repo.durable_objects);
    expect(generated.migrations).toEqual(repo.migrations);
    expect(generated.compatibility_date).toBe(repo.compatibility_date);
    expect(generated.main).toBe(path.join(REPO_ROOT, "edge/src/index.ts"));
    expect(generated.d1_databases).toMatchObject([{ binding: "DB", database_name: "parley" }]);
    expect(path.resolve(out, generated.d1_databases[0]?.migrations_dir ?? "")).toBe(path.join(REPO_ROOT, "edge/migrations"));
    expect(generated.vars).toMatchObject({ DEFAULT_REGION: "eu-west" });
    expect(generated.routes).toEqual([{ pattern: "rtc.example.org", custom_domain: true }]);
    expect(generated.vars).not.toHaveProperty("DEV_MODE");
    // the secrets it lists are the ones the edge's config needs
    const text = await readFile(config, "utf8");
    for (const secret of ["OPERATOR_KEY", "MASTER_KEY", "FLEET_SECRET"]) expect(text).toMatch(new RegExp(`^#\\s+${secret}\\s`, "m"));
    expect(/^#\s+S3_SECRET_ACCESS_KEY/m.test(text)).toBe(plan.storage === "s3");
  });

  it("writes one env file per node that names every variable the node reads and that the node accepts once filled in", async () => {
    const envFiles = (await readdir(path.join(out, "media-node"))).filter((f) => f.endsWith(".env")).sort();
    expect(envFiles).toEqual(Array.from({ length: plan.nodes }, (_, i) => `media-${i + 1}.env`));
    const known = [...Object.keys(NodeEnv.shape), ...Object.keys(RecordingEnv.shape)].sort();
    const ids = new Set<string>();
    for (const name of envFiles) {
      const text = await readFile(path.join(out, "media-node", name), "utf8");
      const named = [...text.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] as string);
      expect([...new Set(named)].sort(), `${name} lists every variable`).toEqual(known);

      // as written, the REQUIRED blanks stop the node with the variables named
      expect(() => loadConfig({ ...parseEnv(text), MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN })).toThrow(
        /FLEET_SECRET[\s\S]*PARLEY_ANNOUNCED_IP/,
      );
      const config = loadConfig(filled(text));
      expect(config.region).toBe("eu-west");
      expect(config.recording.storage.kind).toBe(plan.storage);
      expect(config.redisUrl !== undefined).toBe(plan.redis !== "none");
      expect(config.edgeUrl).toBe("https://rtc.example.org");
      expect(config.controlUrl).toMatch(/^https:\/\/[^:/]+$/); // port 443: Workers ignore others on https
      ids.add(config.nodeId);
    }
    expect(ids.size).toBe(plan.nodes);
  });

  it("writes a Prometheus config promtool accepts, scraping every node and the edge, and a Grafana dashboard", async () => {
    const original = await readFile(path.join(out, "monitoring/prometheus.yml"), "utf8");
    // promtool checks the credentials file exists: point it at one
    const keyFile = path.join(out, "operator-key");
    await writeFile(keyFile, "k".repeat(40));
    const checked = path.join(out, "monitoring/prometheus.checked.yml");
    await writeFile(checked, original.replace("credentials_file: /etc/prometheus/parley-operator-key", `credentials_file: ${keyFile}`));
    const promtool = await run("promtool", ["check", "config", checked]);
    expect(promtool.stdout + promtool.stderr).toContain("SUCCESS");
    expect(promtool.code).toBe(0);
    const targets = [...original.matchAll(/"(\d+\.\d+\.\d+\.\d+:4443)"/g)].map((m) => m[1]);
    expect(targets).toHaveLength(plan.nodes);
    expect(original).toContain('targets: ["rtc.example.org"]');
    expect(original).toContain("metrics_path: /v1/fleet/metrics");

    const dashboard = JSON.parse(await readFile(path.join(out, "monitoring/grafana-dashboard.json"), "utf8")) as {
      panels: { type: string; targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets?.map((t) => t.expr) ?? []);
    expect(exprs.some((e) => e.includes("parley_fleet_node_up"))).toBe(true);
    expect(exprs.some((e) => e.includes("parley_media_send_bits_per_second"))).toBe(true);
  });

  it("writes a systemd unit systemd-analyze accepts, and the Containerfile builds the worker with ensure-worker.sh", async () => {
    // systemd-analyze verifies an instance of the template next to it
    const units = await mkdtemp(path.join(scratch, `units-${size}-`));
    await writeFile(path.join(units, "parley-media@.service"), await readFile(path.join(out, "media-node/parley-media@.service"), "utf8"));
    const verified = await run("systemd-analyze", ["verify", path.join(units, "parley-media@1.service")]);
    expect(verified.stderr).toBe("");
    expect(verified.code).toBe(0);

    const containerfile = await readFile(path.join(out, "media-node/Containerfile"), "utf8");
    expect(containerfile).toContain("RUN PARLEY_CACHE_DIR=/var/cache/parley infra/deploy/build-media-node.sh");
    expect(containerfile).toMatch(/^CMD \["node", "--enable-source-maps", "media-fleet\/dist\/media-node.mjs"\]$/m);
    expect(containerfile).toContain(`EXPOSE 4443/tcp 20000-${20000 + plan.cores - 1}/udp`);
  });

  it.runIf(plan.redis !== "none")("writes a Redis config redis-server runs with, that never evicts the journals", async () => {
    // what differs on this machine: a free port on loopback, its own folder, no systemd, no log file, a password
    const server = new TestRedis(await freePort(), {
      password: "deploy-test-password",
      config: { file: path.join(out, "redis/redis.conf"), args: ["--supervised", "no", "--logfile", ""] },
    });
    await server.start();
    const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      expect(await client.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "noeviction"]);
      expect(await client.config("GET", "appendfsync")).toEqual(["appendfsync", "everysec"]);
      expect(await client.config("GET", "maxmemory")).toEqual(["maxmemory", String(1024 ** 3)]);
    } finally {
      client.disconnect();
      await server.stop();
      await rm(server.dir, { recursive: true, force: true });
    }
  });
});
