/**
 * `npm start`: the local stack on this machine. Today: the edge with persistent state and a
 * dev app; the media node joins the service list later (issue 3). Ctrl-C / SIGTERM stop all.
 */
import path from "node:path";
import { z } from "zod/v4";
import { ensureDevApp } from "./dev-app.js";
import { startEdge } from "./edge.js";
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

async function main(): Promise<void> {
  ownSignals();
  const parsed = Settings.safeParse(process.env);
  if (!parsed.success) throw new Error(`configuration: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  const settings = parsed.data;
  const parleyDir = path.resolve(settings.PARLEY_DEV_DIR);

  const edge = await startEdge({ state: { dir: settings.PARLEY_STATE_DIR }, port: settings.PARLEY_EDGE_PORT, parleyDir, logLevel: "info" });
  services.push({ name: "edge", stop: edge.stop });
  ownSignals();

  const devApp = await ensureDevApp(edge, parleyDir);
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
    "",
    "Mint a token:      npx parley token --room demo --user alice",
    `Join:              ws://${new URL(edge.url).host}/v1/rooms/demo/signal?token=<token>`,
    "More:              npx parley --help",
    "",
    "Ctrl-C stops everything.",
  );
  console.log(lines.join("\n"));
}

main().catch(async (err: unknown) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  await stopAll();
  process.exit(1);
});
