/**
 * What `parley deploy init` writes: the templates of a Parley checkout (infra/deploy/templates/)
 * rendered for one size, region and domain. The Durable Object bindings, their migrations and the
 * compatibility date are copied from the checkout's own wrangler.toml, so a deployment can never
 * declare other classes than the code it deploys.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { type DeploySize, SIZE_PLANS } from "./sizes.js";
import { renderTemplate, type TemplateValues } from "./template.js";

export interface DeploymentRequest {
  size: DeploySize;
  region: string;
  /** The edge's public host name (its route); nodes' control URLs are named under it. */
  domain: string;
  /** Absolute: where the files go. */
  outDir: string;
  /** Absolute: the Parley checkout the templates and the Worker's sources come from. */
  repoDir: string;
}

export interface DeploymentFile {
  /** Relative to the output folder, with forward slashes. */
  path: string;
  content: string;
}

/** Where media nodes run from: the checkout (systemd) and the image's WORKDIR (Containerfile). */
const INSTALL_DIR = "/opt/parley";
const TEMPLATES = "infra/deploy/templates";
const FIRST_RTC_PORT = 20000;
/** Placeholder private addresses (the nodes' network), for the operator to replace. */
const PRIVATE_NET = "10.0.1";

/** The nearest folder at or above `from` that is a Parley checkout with deployment templates. */
export function findCheckout(from: string): string | null {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, TEMPLATES)) && existsSync(path.join(dir, "edge/src/index.ts"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export async function planDeployment(request: DeploymentRequest): Promise<DeploymentFile[]> {
  const { size, region, domain, outDir, repoDir } = request;
  const plan = SIZE_PLANS[size];
  const facts = await readCheckout(repoDir);
  const posix = (p: string) => p.split(path.sep).join("/");
  const nodes = Array.from({ length: plan.nodes }, (_, i) => i + 1);
  const singleHost = plan.nodes === 1 && size === "single";
  const controlHost = (i: number) => (singleHost ? "127.0.0.1" : `${PRIVATE_NET}.${10 + i}`);
  const lastRtcPort = FIRST_RTC_PORT + plan.cores - 1;
  const common: TemplateValues = {
    size,
    sizeSummary: plan.summary,
    region,
    domain,
    nodeCount: String(plan.nodes),
    cores: String(plan.cores),
    memoryGiB: String(plan.memoryGiB),
    rtcPorts: `${FIRST_RTC_PORT}-${lastRtcPort}`,
    rtcMaxPort: String(lastRtcPort),
    installDir: INSTALL_DIR,
    repoFromOut: posix(path.relative(outDir, repoDir)) || ".",
    containerfileFromRepo: posix(path.relative(repoDir, path.join(outDir, "media-node", "Containerfile"))),
    compatibilityDate: facts.compatibilityDate,
    durableObjects: facts.durableObjects,
    mediasoupVersion: facts.mediasoupVersion,
    mediaTargets: nodes.map((i) => `"${controlHost(i)}:4443"`).join(", "),
    redisHost: `${PRIVATE_NET}.5`,
    redisReplicaHost: `${PRIVATE_NET}.6`,
    s3: plan.storage === "s3",
    redis: plan.redis !== "none",
    replica: plan.redis === "primary-and-replica",
  };
  const render = async (template: string, values: TemplateValues = common) =>
    renderTemplate(await readFile(path.join(repoDir, TEMPLATES, template), "utf8"), values, `${TEMPLATES}/${template}`);

  const files: DeploymentFile[] = [
    { path: "README.md", content: await render("README.md.tmpl") },
    { path: "wrangler.toml", content: await render("wrangler.toml.tmpl") },
  ];
  for (const i of nodes) {
    const node: TemplateValues = {
      ...common,
      nodeId: `media-${region}-${i}`,
      controlHost: controlHost(i),
      controlUrl: `https://media-${i}.${region}.${domain}`,
    };
    files.push({ path: `media-node/media-${i}.env`, content: await render("media-node.env.tmpl", node) });
  }
  files.push(
    { path: "media-node/parley-media@.service", content: await render("parley-media@.service.tmpl") },
    { path: "media-node/Containerfile", content: await render("Containerfile.tmpl") },
  );
  if (common.redis) files.push({ path: "redis/redis.conf", content: await render("redis.conf.tmpl") });
  if (common.replica) files.push({ path: "redis/redis-replica.conf", content: await render("redis-replica.conf.tmpl") });
  files.push(
    { path: "monitoring/prometheus.yml", content: await render("prometheus.yml.tmpl") },
    // Grafana's own {{label}} legends: copied as it is, never rendered.
    { path: "monitoring/grafana-dashboard.json", content: await readFile(path.join(repoDir, TEMPLATES, "grafana-dashboard.json"), "utf8") },
  );
  return files;
}

interface CheckoutFacts {
  compatibilityDate: string;
  /** The [[durable_objects.bindings]] and [[migrations]] tables of the checkout's wrangler.toml, as written. */
  durableObjects: string;
  mediasoupVersion: string;
}

async function readCheckout(repoDir: string): Promise<CheckoutFacts> {
  const toml = await readFile(path.join(repoDir, "wrangler.toml"), "utf8");
  const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  if (!compatibilityDate) throw new Error(`${repoDir}/wrangler.toml has no compatibility_date`);
  const tables = tomlTables(toml).filter((t) => t.header === "[[durable_objects.bindings]]" || t.header === "[[migrations]]");
  if (!tables.some((t) => t.header === "[[durable_objects.bindings]]")) {
    throw new Error(`${repoDir}/wrangler.toml declares no [[durable_objects.bindings]]`);
  }
  const pkg = JSON.parse(await readFile(path.join(repoDir, "media-fleet/package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  const mediasoupVersion = pkg.dependencies?.mediasoup;
  if (!mediasoupVersion) throw new Error(`${repoDir}/media-fleet/package.json does not depend on mediasoup`);
  return { compatibilityDate, durableObjects: tables.map((t) => t.text).join("\n\n"), mediasoupVersion };
}

/** A TOML file cut at its table headers: each header with the lines under it, trailing blanks dropped. */
function tomlTables(toml: string): { header: string; text: string }[] {
  const tables: { header: string; lines: string[] }[] = [];
  for (const line of toml.split(/\r?\n/)) {
    const header = /^\s*(\[\[?[^\]]+\]\]?)\s*(#.*)?$/.exec(line)?.[1];
    if (header) tables.push({ header, lines: [line] });
    else tables.at(-1)?.lines.push(line);
  }
  return tables.map((t) => {
    while (t.lines.length > 1 && (t.lines.at(-1)?.trim() === "" || t.lines.at(-1)?.trim().startsWith("#"))) t.lines.pop();
    return { header: t.header, text: t.lines.join("\n") };
  });
}
