/**
 * One media node in this process, registered with the local edge: what `npm start` runs next to
 * the edge, configured through media-fleet's own loadConfig so it is validated the same way.
 */
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./paths.js";

export interface LocalMediaNode {
  nodeId: string;
  controlUrl: string;
  announcedIp: string;
  listenIp: string;
  /** The UDP+TCP ports the workers' WebRtcServers listen on: one per worker from RTC_MIN_PORT. */
  rtcPorts: { first: number; last: number };
  mediasoupVersion: string;
  stop(): Promise<void>;
}

export interface LocalMediaNodeOptions {
  edgeUrl: string;
  fleetSecret: string;
  edgeOperatorKey: string;
  /** Environment to read PARLEY_ANNOUNCED_IP, RTC_MIN_PORT/RTC_MAX_PORT, NUM_WORKERS, MEDIASOUP_WORKER_BIN, OUTBOUND_ALLOW from. */
  env?: NodeJS.ProcessEnv;
  nodeId?: string;
  registerTimeoutMs?: number;
}

const ENSURE_WORKER = path.join(REPO_ROOT, "infra", "mediasoup", "ensure-worker.sh");

/** A set MEDIASOUP_WORKER_BIN wins; otherwise the cached (or freshly built) worker from ensure-worker.sh. */
async function workerBin(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.MEDIASOUP_WORKER_BIN) return env.MEDIASOUP_WORKER_BIN;
  // stderr shows the build's progress on a first run (a few minutes); stdout is just the path
  const child = promisify(execFile)(ENSURE_WORKER, { encoding: "utf8", timeout: 30 * 60_000 });
  child.child.stderr?.pipe(process.stderr);
  return (await child).stdout.trim();
}

export async function startLocalMediaNode(options: LocalMediaNodeOptions): Promise<LocalMediaNode> {
  const env = options.env ?? process.env;
  const bin = await workerBin(env);
  // mediasoup reads MEDIASOUP_WORKER_BIN once, when first imported: set it, then import the node
  process.env.MEDIASOUP_WORKER_BIN = bin;
  const [{ loadConfig }, { createLogger }, { startMediaNodeService }, { version }] = await Promise.all([
    import("../../media-fleet/src/config.js"),
    import("../../media-fleet/src/logger.js"),
    import("../../media-fleet/src/service.js"),
    import("mediasoup"),
  ]);
  const nodeId = options.nodeId ?? "local-dev";
  const announcedIp = env.PARLEY_ANNOUNCED_IP;
  const config = loadConfig({
    NODE_ID: nodeId,
    REGION: "local",
    FLEET_SECRET: options.fleetSecret,
    EDGE_URL: options.edgeUrl,
    CONTROL_HOST: "127.0.0.1",
    CONTROL_PORT: String(await freePort()),
    // only 127.0.0.1 unless you announce an address others can reach, which needs a public bind
    LISTEN_IP: announcedIp ? "0.0.0.0" : "127.0.0.1",
    PARLEY_ANNOUNCED_IP: announcedIp,
    RTC_MIN_PORT: env.RTC_MIN_PORT,
    RTC_MAX_PORT: env.RTC_MAX_PORT,
    NUM_WORKERS: env.NUM_WORKERS,
    // Ctrl-C on a dev machine should not wait for calls to wind down
    DRAIN_GRACE_MS: "0",
    LOG_LEVEL: "warn",
    MEDIASOUP_WORKER_BIN: bin,
    // the same allow-list as the edge's (infra/dev/start.ts): none unless the developer names hosts
    OUTBOUND_ALLOW: env.OUTBOUND_ALLOW,
  });
  const service = await startMediaNodeService(config, createLogger(config.logLevel, { node: nodeId }));
  const stop = () => service.shutdown(0);
  try {
    await waitForRegistration(options, nodeId, options.registerTimeoutMs ?? 20_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    nodeId,
    controlUrl: config.controlUrl,
    announcedIp: config.announcedIp,
    listenIp: config.listenIp,
    rtcPorts: { first: config.rtcMinPort, last: config.rtcMinPort + config.numWorkers - 1 },
    mediasoupVersion: version,
    stop,
  };
}

/** The node heartbeats at once on start; the edge lists it as "up" when that landed. */
async function waitForRegistration(options: LocalMediaNodeOptions, nodeId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${options.edgeUrl}/v1/fleet/nodes`, { headers: { authorization: `Bearer ${options.edgeOperatorKey}` } });
      const body = (await res.json()) as { nodes?: { node: string; status: string }[] };
      const mine = body.nodes?.find((n) => n.node === nodeId);
      if (mine?.status === "up") return;
      last = mine ? `status ${mine.status}` : `HTTP ${res.status}, not listed`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`media node ${nodeId} did not register with the edge within ${timeoutMs} ms (last: ${last})`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
