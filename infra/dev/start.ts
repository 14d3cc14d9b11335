/**
 * `npm start`: the local stack on this machine: the edge with persistent state and a dev app,
 * one media node registered with it, and the demo call page at /demo. Ctrl-C / SIGTERM stop all.
 */
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { z } from "zod/v4";
import { ensureDevApp } from "./dev-app.js";
import { startEdge } from "./edge.js";
import { startLocalMediaNode } from "./media-node.js";
import { DEFAULT_PARLEY_DIR, DEFAULT_STATE_DIR, REPO_ROOT } from "./paths.js";

/** A running part of the stack; stopped in reverse start order. */
interface Service {
  name: string;
  stop(): Promise<void>;
}

const Settings = z.object({
  PARLEY_EDGE_PORT: z.coerce
    .number()
    .int()
    .min(1, "PARLEY_EDGE_PORT must be 1-65535")
    .max(65535, "PARLEY_EDGE_PORT must be 1-65535")
    .default(8787),
  PARLEY_STATE_DIR: z.string().min(1).default(DEFAULT_STATE_DIR),
  PARLEY_DEV_DIR: z.string().min(1).default(DEFAULT_PARLEY_DIR),
  // loopback/private hosts tenants' URLs may name (e.g. a local webhook receiver); none by default
  OUTBOUND_ALLOW: z.string().default(""),
});

const services: Service[] = [];
let stopping: Promise<void> | null = null;

function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const service of services.toReversed()) {
      try {
        await service.stop();
      } catch (err) {
        console.error(`stopping ${service.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  })();
  return stopping;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) {
    console.error("forced exit");
    process.exit(130);
  }
  console.log(`\n${signal}: stopping…`);
  void stopAll().then(() => process.exit(0));
}

/**
 * wrangler, run in-process, installs SIGINT/SIGTERM handlers that call process.exit() at once;
 * drop them so every service stops cleanly first (its own exit hooks still run on our exit).
 * Called after each service starts, since starting one may add handlers.
 */
function ownSignals(): void {
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) if (listener !== onSignal) process.off(signal, listener);
    if (!process.listeners(signal).includes(onSignal)) process.on(signal, onSignal);
  }
}

/**
 * wrangler logs every request at "info"; the media node's heartbeat (every 5 s) would bury the
 * requests a developer wants to see, so successful heartbeats are not printed. Failures still are.
 */
function hideHeartbeatLogs(): void {
  const isHeartbeat = (args: unknown[]) =>
    args.length === 1 && typeof args[0] === "string" && /POST \/internal\/fleet\/heartbeat 2\d\d /.test(stripVTControlCharacters(args[0]));
  // wrangler's request log goes through console.log (its logger picks the method by level)
  for (const method of ["log", "info"] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      if (!isHeartbeat(args)) original(...args);
    };
  }
}

async function main(): Promise<void> {
  ownSignals();
  hideHeartbeatLogs();
  const parsed = Settings.safeParse(process.env);
  if (!parsed.success) throw new Error(`configuration: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  const settings = parsed.data;
  const parleyDir = path.resolve(settings.PARLEY_DEV_DIR);

  const edge = await startEdge({
    state: { dir: settings.PARLEY_STATE_DIR },
    port: settings.PARLEY_EDGE_PORT,
    parleyDir,
    logLevel: "info",
    outboundAllow: settings.OUTBOUND_ALLOW.split(/[\s,]+/).filter(Boolean),
  });
  services.push({ name: "edge", stop: edge.stop });
  ownSignals();

  const devApp = await ensureDevApp(edge, parleyDir);
  const media = await startLocalMediaNode({ edgeUrl: edge.url, fleetSecret: edge.fleetSecret, edgeOperatorKey: edge.operatorKey }).catch(
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      const hint = /in use/i.test(message) ? " (another npm start? pick other ports with RTC_MIN_PORT / RTC_MAX_PORT)" : "";
      throw new Error(`media node: ${message}${hint}`);
    },
  );
  services.push({ name: "media node", stop: media.stop });
  ownSignals();
  // paths inside the repo read better relative; anything else stays absolute
  const rel = (p: string) => {
    const r = path.relative(REPO_ROOT, p);
    return r && !r.startsWith("..") ? r : p;
  };

  const lines = [
    "",
    `Parley edge        ${edge.url}`,
    `  state            ${rel(edge.stateDir)}`,
    `  operator key     ${rel(edge.operatorKeyPath)} (Authorization: Bearer <key> on /v1/apps)`,
    `Dev app            ${devApp.app.appKey}${devApp.disabled ? ` (DISABLED: npx parley apps enable ${devApp.app.appKey})` : ""}`,
    `  credentials      ${rel(devApp.file)}`,
  ];
  if (devApp.created) {
    lines.push(`  AppSecret        ${devApp.app.appSecret}  (new app: shown this once; it stays in ${rel(devApp.file)})`);
  }
  lines.push(
    `Media node         ${media.nodeId} (mediasoup ${media.mediasoupVersion}), registered with the edge`,
    `  control API      ${media.controlUrl}`,
    `  RTC ports        ${ports(media.rtcPorts)} UDP+TCP on ${media.listenIp}, announced as ${media.announcedIp}${media.announcedIp === "127.0.0.1" ? " (set PARLEY_ANNOUNCED_IP for other machines)" : ""}`,
    "",
    `Demo call:         ${edge.url}/demo  (open it in two tabs to call yourself)`,
    "Mint a token:      npx parley token --room demo --user alice",
    `Join:              ws://${new URL(edge.url).host}/v1/rooms/demo/signal?token=<token>`,
    "More:              npx parley --help",
    "",
    "Ctrl-C stops everything.",
  );
  console.log(lines.join("\n"));
}

const ports = ({ first, last }: { first: number; last: number }) => (first === last ? String(first) : `${first}-${last}`);

main().catch(async (err: unknown) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  await stopAll();
  process.exit(1);
});
