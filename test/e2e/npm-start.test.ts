/**
 * `npm start` as a developer meets it: the launcher prints where things are, provisions a dev app
 * once, keeps state across restarts, runs a media node that registers with the edge, serves the
 * demo page, and the CLI in the same folder mints tokens the edge admits.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SOURCE_NODE_FLAG } from "../../infra/dev/source-condition.js";
import { buildConsole } from "./support/chromium.js";
import { cleanEnv, collect, parley, REPO_ROOT, TSX_CLI, waitForOutput } from "./support/processes.js";
import { SignalMember } from "./support/signal-member.js";

let root: string;
let port: number;
let rtcPort = 0;
const running = new Set<ChildProcess>();

beforeAll(async () => {
  await buildConsole(); // the `npm run build` half of npm start: the demo's and the browser SDK's bundles
  root = await mkdtemp(path.join(os.tmpdir(), "parley-start-"));
  port = await freePort();
});

afterAll(async () => {
  for (const child of running) child.kill("SIGKILL");
  await rm(root, { recursive: true, force: true });
});

/**
 * A port free for both UDP and TCP on 127.0.0.1, below the ephemeral range like the media node's
 * default, but not 20000: a developer's own npm start (or another suite) may hold that one.
 */
async function freeRtcPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = 21000 + Math.floor(Math.random() * 9000);
    if ((await canBind(createServer(), candidate)) && (await canBind(createSocket("udp4"), candidate))) return candidate;
  }
  throw new Error("no free UDP+TCP port found for the media node");
}

function canBind(socket: Server | Socket, candidate: number): Promise<boolean> {
  return new Promise((resolve) => {
    socket.once("error", () => resolve(false));
    const close = () => (socket instanceof Server ? socket.close(() => resolve(true)) : socket.close(() => resolve(true)));
    if (socket instanceof Server) socket.listen(candidate, "127.0.0.1", close);
    else socket.bind(candidate, "127.0.0.1", close);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Runs `tsx infra/dev/start.ts` (what `npm start` runs) with its state and `.parley/` under `root`. */
async function start(
  stateName: string,
): Promise<{ child: ChildProcess; banner: string; stop(): Promise<{ code: number | null; out: string }> }> {
  rtcPort = await freeRtcPort();
  const child = spawn(process.execPath, [TSX_CLI, SOURCE_NODE_FLAG, "infra/dev/start.ts"], {
    cwd: REPO_ROOT,
    env: cleanEnv({
      PARLEY_EDGE_PORT: String(port),
      PARLEY_STATE_DIR: path.join(root, stateName),
      PARLEY_DEV_DIR: path.join(root, ".parley"),
      RTC_MIN_PORT: String(rtcPort),
      RTC_MAX_PORT: String(rtcPort + 9),
      NUM_WORKERS: "1",
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const finished = collect(child);
  const banner = await waitForOutput(child, /Ctrl-C stops everything/);
  return {
    child,
    banner,
    async stop() {
      child.kill("SIGTERM");
      const { code, stdout, stderr } = await finished;
      running.delete(child);
      return { code, out: stdout + stderr };
    },
  };
}

async function devAppFile(): Promise<{ appKey: string; appSecret: string }> {
  return JSON.parse(await readFile(path.join(root, ".parley", "dev-app.json"), "utf8"));
}

describe("npm start", () => {
  it("starts the edge, provisions a dev app once and shows its secret only then", async () => {
    const first = await start("state");
    expect(first.banner).toContain(`Parley edge        http://127.0.0.1:${port}`);
    expect(first.banner).toMatch(/operator key\s+\S+operator-key/);
    expect(first.banner).toContain("npx parley token --room demo --user alice");
    const app = await devAppFile();
    expect(first.banner).toContain(`Dev app            ${app.appKey}`);
    expect(first.banner).toContain(`AppSecret        ${app.appSecret}`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    // the demo page, served by the edge from console/public
    expect(first.banner).toContain(`Demo call:         http://127.0.0.1:${port}/demo`);
    const demo = await fetch(`http://127.0.0.1:${port}/demo`);
    expect(demo.status).toBe(200);
    expect(demo.headers.get("content-type")).toContain("text/html");
    expect(await demo.text()).toContain("Parley demo call");
    // and the browser SDK (npm start builds it first, as beforeAll does here)
    expect(first.banner).toContain(`Browser SDK:       http://127.0.0.1:${port}/sdk/parley-client.js`);
    const sdk = await fetch(`http://127.0.0.1:${port}/sdk/parley-client.js`);
    expect(sdk.status).toBe(200);
    expect(sdk.headers.get("content-type")).toContain("javascript");

    // one media node, registered with the edge before the banner is printed
    expect(first.banner).toMatch(/Media node\s+local-dev \(mediasoup [\d.]+\)/);
    expect(first.banner).toContain(`RTC ports        ${rtcPort} UDP+TCP on 127.0.0.1`);
    const operatorKey = (await readFile(path.join(root, ".parley", "operator-key"), "utf8")).trim();
    const fleet = await fetch(`http://127.0.0.1:${port}/v1/fleet/nodes`, { headers: { authorization: `Bearer ${operatorKey}` } });
    const { nodes } = (await fleet.json()) as { nodes: { node: string; status: string }[] };
    expect(nodes).toContainEqual(expect.objectContaining({ node: "local-dev", status: "up" }));

    // the CLI run next to that .parley/ folder uses the dev app by default
    const minted = await parley(["token", "--room", "demo", "--user", "alice"], { cwd: root });
    expect(minted.code).toBe(0);
    const { member } = await SignalMember.join(`http://127.0.0.1:${port}`, "demo", minted.stdout.trim());
    member.close();

    const stopped = await first.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.out).toContain("SIGTERM: stopping");
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    // the operator key is a secret: the launcher never prints it
    expect(stopped.out).not.toContain(operatorKey);
  });

  it("keeps the dev app across restarts with the same state, without printing the secret again", async () => {
    const before = await devAppFile();
    const again = await start("state");
    expect(again.banner).toContain(`Dev app            ${before.appKey}`);
    expect(again.banner).not.toContain(before.appSecret);
    expect(await devAppFile()).toEqual(before);
    expect((await again.stop()).code).toBe(0);
  });

  it("provisions a new dev app when the state no longer has the old one", async () => {
    const before = await devAppFile();
    const fresh = await start("wiped-state");
    const after = await devAppFile();
    expect(after.appKey).not.toBe(before.appKey);
    expect(fresh.banner).toContain(`AppSecret        ${after.appSecret}`);
    expect((await fresh.stop()).code).toBe(0);
  });
});
