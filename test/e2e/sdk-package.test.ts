/**
 * The SDK as an app gets it from npm: @parley/shared and @parley/sdk packed with `npm pack`,
 * installed from the tarballs into a scratch project outside the repository, and used from plain
 * Node (.mjs, no TypeScript), the installed `parley` CLI and tsc against the packages' .d.ts,
 * with the real local stack (edge in workerd, a mediasoup node) on the other end.
 * The tests run in order, each a step of setting the app up, as a person would.
 */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { access, cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type { LiveRoomDetail } from "@parley/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appApi, type Stack, startStack } from "./stack.js";
import { claimsOf } from "./support/jwt.js";
import { cleanEnv, collect, REPO_ROOT, type RunResult, run, waitForOutput } from "./support/processes.js";
import { SignalMember } from "./support/signal-member.js";

const FIXTURES = path.join(import.meta.dirname, "sdk-app");
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

interface PackedPackage {
  name: string;
  filename: string;
  /** Bytes of the .tgz. */
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

let stack: Stack;
/** The scratch project: an app folder in the system temp dir, far from the repo's node_modules. */
let app: string;
let packed: PackedPackage[];
const timings: Record<string, number> = {};

/**
 * What an app developer's shell has: no PARLEY_* settings, none of the npm_* variables of the npm
 * running this suite, and nothing of the repository on PATH (its node_modules/.bin holds a `parley`).
 */
function appEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cleanEnv(extra);
  for (const key of Object.keys(env)) if (key.startsWith("npm_") || key === "INIT_CWD") delete env[key];
  env.PATH = (env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => !dir.startsWith(REPO_ROOT))
    .join(path.delimiter);
  return env;
}

function inApp(command: string, args: string[], extra: Record<string, string> = {}): Promise<RunResult> {
  return run(command, args, { cwd: app, env: appEnv(extra) });
}

/** Runs npm; how long it took goes into the timings printed after the suite, under `step`. */
async function npm(step: string, args: string[], cwd: string): Promise<string> {
  const started = performance.now();
  const out = await run("npm", [...args, "--no-audit", "--no-fund"], { cwd, env: appEnv() });
  if (out.code !== 0) throw new Error(`npm ${args.join(" ")} failed (exit ${out.code}):\n${out.stdout}${out.stderr}`);
  timings[`${step} ms`] = Math.round(performance.now() - started);
  return out.stdout;
}

/** Runs the scratch project's entry-points.mjs: per entry point, its export names or the error importing it threw. */
async function entryPoints(): Promise<Record<string, { exports?: string[]; error?: string }>> {
  const out = await inApp(process.execPath, ["entry-points.mjs"]);
  expect(out.stderr).toBe("");
  expect(out.code).toBe(0);
  return JSON.parse(out.stdout);
}

function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

beforeAll(async () => {
  const started = performance.now();
  app = await mkdtemp(path.join(os.tmpdir(), "parley-app-"));
  // prepack builds each package's dist/ first, as it would for `npm publish`
  packed = JSON.parse(
    await npm(
      "pack (with its build)",
      ["pack", "--json", "--pack-destination", app, "-w", "@parley/shared", "-w", "@parley/sdk"],
      REPO_ROOT,
    ),
  );
  await writeFile(path.join(app, "package.json"), JSON.stringify({ name: "parley-sdk-app", private: true, type: "module" }));
  for (const file of ["bot.mjs", "entry-points.mjs", "app.ts", "tsconfig.json"]) await cp(path.join(FIXTURES, file), path.join(app, file));
  await npm("install the tarballs", ["install", "--prefer-offline", ...packed.map((p) => `./${p.filename}`)], app);
  stack = await startStack();
  timings["pack, install and start the stack ms"] = Math.round(performance.now() - started);
});

afterAll(async () => {
  console.log(
    JSON.stringify({
      tarballs: packed?.map((p) => ({ name: p.name, bytes: p.size, unpackedBytes: p.unpackedSize, files: p.files.length })),
      timings,
    }),
  );
  await stack?.stop();
  if (app) await rm(app, { recursive: true, force: true });
});

describe("@parley/sdk installed from its npm pack tarball", () => {
  it("holds compiled JavaScript, types, maps and the CLI: no TypeScript source, no tests; tsx and @roamhq/wrtc are not installed", async () => {
    expect(packed.map((p) => p.name)).toEqual(["@parley/shared", "@parley/sdk"]);
    for (const pkg of packed) {
      const paths = pkg.files.map((f) => f.path);
      expect(paths).toContain("package.json");
      expect(paths).toContain("dist/index.js");
      expect(paths).toContain("dist/index.d.ts");
      const unexpected = paths.filter((p) => !/^(package\.json|README\.md|bin\/parley\.mjs|dist\/.+\.(js|d\.ts|js\.map))$/.test(p));
      expect(unexpected, `${pkg.name} ships files an app does not need`).toEqual([]);
      expect(paths.filter((p) => p.includes(".test."))).toEqual([]);
    }
    const sdkFiles = packed[1]?.files.map((f) => f.path);
    expect(sdkFiles).toEqual(
      expect.arrayContaining(["dist/server/index.js", "dist/client/index.js", "dist/node/index.js", "dist/cli/main.js"]),
    );
    expect(sdkFiles).toContain("bin/parley.mjs");

    const manifest = JSON.parse(await readFile(path.join(app, "node_modules", "@parley", "sdk", "package.json"), "utf8"));
    expect(manifest.dependencies).not.toHaveProperty("tsx");
    expect(manifest.peerDependenciesMeta).toEqual({ "@roamhq/wrtc": { optional: true } });
    expect(await exists(path.join(app, "node_modules", "tsx"))).toBe(false);
    expect(await exists(path.join(app, "node_modules", "@roamhq", "wrtc"))).toBe(false);
    // the app's own @parley/shared (the tarball) is the one the SDK uses: no second copy
    expect(await exists(path.join(app, "node_modules", "@parley", "sdk", "node_modules"))).toBe(false);
  });

  it("loads the server and client SDKs without @roamhq/wrtc; @parley/sdk/node names the line that installs it, and that line works", async () => {
    const before = await entryPoints();
    expect(before["@parley/sdk"]?.exports).toContain("mintToken");
    expect(before["@parley/sdk/server"]?.exports).toEqual(
      expect.arrayContaining(["mintToken", "RoomsClient", "AppsClient", "ParleyError"]),
    );
    expect(before["@parley/sdk/client"]?.exports).toEqual(expect.arrayContaining(["Room", "openCamera", "RemoteTrack"]));
    expect(before["@parley/shared"]?.exports).toEqual(expect.arrayContaining(["ParleyError", "mintToken", "ERROR_STATUS"]));
    const refusal = before["@parley/sdk/node"]?.error ?? "";
    expect(refusal).toMatch(/^@parley\/sdk\/node needs @roamhq\/wrtc .*: npm install \S+$/);

    const [, spec] = refusal.match(/npm install (\S+)$/) ?? [];
    await npm("install @roamhq/wrtc", ["install", "--prefer-offline", spec ?? "(none)"], app);
    const after = await entryPoints();
    expect(after["@parley/sdk/node"]?.exports).toEqual(expect.arrayContaining(["useNodeWebRTC", "syntheticVideo", "syntheticAudio"]));
  });

  it("a plain Node script mints tokens with the server SDK and joins two bots: the edge lists both, the viewer decodes the camera's video", async () => {
    const room = `pack-${process.pid}`;
    const bot: ChildProcess = spawn(process.execPath, ["bot.mjs"], {
      cwd: app,
      env: appEnv({
        PARLEY_URL: stack.edge.url,
        PARLEY_APP_KEY: stack.app.appKey,
        PARLEY_APP_SECRET: stack.app.appSecret,
        PARLEY_ROOM: room,
      }),
      stdio: ["pipe", "pipe", "pipe"],
    });
    const finished = collect(bot);
    try {
      const printed = await waitForOutput(bot, /^\{.*\}$/m, 90_000);
      const report = JSON.parse(printed.trim().split("\n").at(-1) ?? "{}") as { camera: string; viewer: string; framesDecoded: number };
      expect(report.framesDecoded, "video frames the viewer bot decoded from the camera bot").toBeGreaterThan(0);

      const { status, json } = await appApi<LiveRoomDetail>(stack, "GET", `/v1/rooms/${room}`);
      expect(status).toBe(200);
      expect(json.members.map((m) => ({ id: m.id, user: m.user, connected: m.connected }))).toEqual(
        expect.arrayContaining([
          { id: report.camera, user: "camera-bot", connected: true },
          { id: report.viewer, user: "viewer-bot", connected: true },
        ]),
      );
      expect(json.tracks).toContainEqual(expect.objectContaining({ member: report.camera, kind: "video", source: "camera" }));
    } finally {
      bot.stdin?.end();
    }
    const { code, stderr } = await finished;
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("the installed CLI: `npx parley --help` and `parley token` mint a token the edge accepts", async () => {
    const help = await inApp("npx", ["parley", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: parley \[options\] \[command\]/);
    expect(help.stdout).toContain("token [options]");

    const version = await inApp("npx", ["parley", "--version"]);
    expect(version.stdout).toBe(`${JSON.parse(await readFile(path.join(REPO_ROOT, "sdk", "package.json"), "utf8")).version}\n`);

    const room = `pack-cli-${process.pid}`;
    const minted = await inApp("npx", [
      "parley",
      "token",
      "--room",
      room,
      "--user",
      "cli-user",
      "--app-key",
      stack.app.appKey,
      "--app-secret",
      stack.app.appSecret,
    ]);
    expect(minted.stderr).toBe("");
    expect(minted.code).toBe(0);
    const token = minted.stdout.trim();
    expect(token).toMatch(JWT);
    expect(claimsOf(token)).toMatchObject({ iss: stack.app.appKey, sub: "cli-user", room });
    const { member, id } = await SignalMember.join(stack.edge.url, room, token);
    expect(id).toMatch(/^m_/);
    member.close();
  });

  it("a TypeScript app type-checks against the installed .d.ts files", async () => {
    // the fixture holds a @ts-expect-error on a mistyped call: were the types `any`, tsc would fail on it
    const out = await inApp(process.execPath, [TSC, "-p", "tsconfig.json"]);
    expect(out.stdout + out.stderr).toBe("");
    expect(out.code).toBe(0);
  });
});
