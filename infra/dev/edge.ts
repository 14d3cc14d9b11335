/**
 * Programmatic launcher for the edge Worker on this machine (wrangler's unstable_startWorker,
 * in-process): used by `npm start`, the benchmarks and the Node end-to-end tests.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { unstable_DevEnv } from "wrangler";
import { ensureDevKeys } from "./keys.js";
import { applyLocalMigrations } from "./migrations.js";
import { applyQuietWranglerEnv, DEFAULT_PARLEY_DIR, DEFAULT_STATE_DIR, WRANGLER_CONFIG } from "./paths.js";

export interface EdgeOptions {
  /** "persistent": `.wrangler/state` (npm start); "temp": a throwaway dir removed on stop; or a path. */
  state?: "persistent" | "temp" | { dir: string };
  /** Port on 127.0.0.1; 0 or omitted picks a free one. */
  port?: number;
  /** Folder holding operator-key / master-key; default `<repo>/.parley`. */
  parleyDir?: string;
  /** wrangler log level; default "warn" (errors from the Worker still show). */
  logLevel?: "none" | "error" | "warn" | "info" | "log" | "debug";
  /** How long to wait for GET /healthz = 200. */
  readyTimeoutMs?: number;
  /**
   * DEV_MODE=1 on the Worker (default true: this launcher only runs local stacks): turns on
   * edge/src/dev, e.g. POST /v1/dev/token that the demo page gets its token from.
   */
  devMode?: boolean;
  /**
   * OUTBOUND_ALLOW on the Worker: the loopback or private hosts (`host:port`) tenants' URLs may
   * name. A stack allows only what it runs (its tests' receivers, RGW, nginx-rtmp); default none.
   */
  outboundAllow?: readonly string[];
}

export interface RunningEdge {
  url: string;
  operatorKey: string;
  operatorKeyPath: string;
  /**
   * The Worker's own address inside workerd, behind wrangler's dev proxy (which `url` goes
   * through, and which relays every WebSocket frame). Benchmarks use it to measure the edge
   * rather than the dev tooling; it changes if wrangler reloads the Worker.
   */
  directUrl: string;
  /** For a local media node (same value as the edge's FLEET_SECRET binding). */
  fleetSecret: string;
  stateDir: string;
  stop(): Promise<void>;
}

export async function startEdge(options: EdgeOptions = {}): Promise<RunningEdge> {
  applyQuietWranglerEnv();
  // wrangler waits forever on a taken port instead of failing; say so up front
  if (options.port) await assertPortFree(options.port);
  const keys = await ensureDevKeys(options.parleyDir ?? DEFAULT_PARLEY_DIR);
  const state = options.state ?? "temp";
  const tempDir = state === "temp" ? await mkdtemp(path.join(os.tmpdir(), "parley-edge-")) : null;
  const stateDir = tempDir ?? (state === "persistent" ? DEFAULT_STATE_DIR : path.resolve((state as { dir: string }).dir));
  const removeTemp = async () => {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };

  try {
    await applyLocalMigrations(stateDir);
  } catch (err) {
    await removeTemp();
    throw err;
  }

  // what unstable_startWorker does, plus a look at the bus for the Worker's direct address
  const devEnv = new unstable_DevEnv();
  const directUrl = new Promise<string>((resolve) => {
    const dispatch = devEnv.dispatch.bind(devEnv);
    devEnv.dispatch = (event: Parameters<typeof dispatch>[0]) => {
      if (event.type === "reloadComplete") {
        const u = event.proxyData.userWorkerUrl;
        resolve(`${u.protocol}//${u.hostname}:${u.port}`);
      }
      dispatch(event);
    };
  });
  const worker = await devEnv
    .startWorker({
      config: WRANGLER_CONFIG,
      bindings: {
        OPERATOR_KEY: { type: "secret_text", value: keys.operatorKey },
        MASTER_KEY: { type: "secret_text", value: keys.masterKey },
        FLEET_SECRET: { type: "secret_text", value: keys.fleetSecret },
        // the only place DEV_MODE is set: never in wrangler.toml, so a deployed edge has it off
        DEV_MODE: { type: "plain_text", value: options.devMode === false ? "0" : "1" },
        OUTBOUND_ALLOW: { type: "plain_text", value: (options.outboundAllow ?? []).join(",") },
      },
      sendMetrics: false,
      dev: {
        server: { hostname: "127.0.0.1", port: options.port ?? 0 },
        inspector: false,
        persist: stateDir,
        watch: false,
        logLevel: options.logLevel ?? "warn",
        enableContainers: false,
      },
    })
    .catch(async (err: unknown) => {
      await removeTemp();
      throw err;
    });

  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= withoutTeardownNoise(() => worker.dispose()).finally(removeTemp);
    return stopped;
  };

  try {
    const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    const url = await withTimeout(
      worker.ready.then(() => worker.url),
      readyTimeoutMs,
      "wrangler did not report the edge ready",
    ).then((u) => u.origin);
    await waitForHealthy(url, readyTimeoutMs);
    // healthy through the proxy means the runtime has reported in: this has resolved by now
    let timer: NodeJS.Timeout | undefined;
    const direct = await Promise.race([directUrl, new Promise<string>((r) => (timer = setTimeout(() => r(url), 5000)))]);
    clearTimeout(timer);
    return {
      url,
      directUrl: direct,
      operatorKey: keys.operatorKey,
      operatorKeyPath: keys.operatorKeyPath,
      fleetSecret: keys.fleetSecret,
      stateDir,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * wrangler 4.86's bundler always runs an esbuild watcher; when it is disposed while a rebuild
 * is pending it logs "Build failed … Could not resolve …/middleware-loader.entry.ts" (a known
 * teardown race, see BundlerController.teardown). Harmless, but alarming on every Ctrl-C, so
 * that one message is dropped while the worker is being disposed; everything else still shows.
 */
async function withoutTeardownNoise(dispose: () => Promise<void>): Promise<void> {
  const original = console.error;
  console.error = (...args: unknown[]) => {
    if (args.some((a) => typeof a === "string" && a.includes("middleware-loader.entry.ts"))) return;
    original(...args);
  };
  try {
    await dispose();
  } finally {
    console.error = original;
  }
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
      .once("error", (err: NodeJS.ErrnoException) =>
        reject(new Error(err.code === "EADDRINUSE" ? `port ${port} on 127.0.0.1 is in use (another npm start?)` : String(err))),
      )
      .listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls /healthz: 200 means the Worker is up and its configuration validated. */
async function waitForHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`edge at ${url} was not healthy within ${timeoutMs} ms (last: ${last})`);
}
