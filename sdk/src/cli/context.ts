/** Where the CLI finds the edge and credentials: flags, then environment, then the local `.parley/` folder. */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { AppKey } from "@parley/shared";
import * as z from "zod";
import type { AppSecretCredentials } from "../server/credentials.js";
import { parseInput, UsageError } from "./usage-error.js";

export const DEFAULT_URL = "http://127.0.0.1:8787";

const EdgeUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });
const OperatorKey = z.string().min(32, "must be at least 32 characters");
const AppSecret = z.string().min(1, "is empty");
const DevAppFile = z.object({ appKey: AppKey, appSecret: AppSecret });

export interface UrlOptions {
  url?: string;
}

export interface AppCredentialOptions {
  appKey?: string;
  appSecret?: string;
}

export function edgeUrl(options: UrlOptions, env: NodeJS.ProcessEnv = process.env): string {
  const fromFlag = options.url !== undefined;
  const value = options.url ?? env.PARLEY_URL ?? DEFAULT_URL;
  return parseInput(EdgeUrl, value, fromFlag ? "--url" : env.PARLEY_URL ? "PARLEY_URL" : "default URL");
}

/** The nearest `.parley/` folder at or above the working directory (how `npm start` leaves it). */
export function findParleyDir(from: string = process.cwd()): string | null {
  let dir = path.resolve(from);
  for (;;) {
    const candidate = path.join(dir, ".parley");
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export async function operatorKey(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.PARLEY_OPERATOR_KEY !== undefined) return parseInput(OperatorKey, env.PARLEY_OPERATOR_KEY, "PARLEY_OPERATOR_KEY");
  const dir = findParleyDir();
  const file = dir && path.join(dir, "operator-key");
  if (!file || !existsSync(file)) {
    throw new UsageError("no operator key: set PARLEY_OPERATOR_KEY, or run `npm start` once here (it writes .parley/operator-key)");
  }
  return parseInput(OperatorKey, (await readFile(file, "utf8")).trim(), file);
}

/** --app-key/--app-secret, else PARLEY_APP_KEY/PARLEY_APP_SECRET, else the dev app in `.parley/dev-app.json`. */
export async function appCredentials(options: AppCredentialOptions, env: NodeJS.ProcessEnv = process.env): Promise<AppSecretCredentials> {
  if (options.appKey !== undefined || options.appSecret !== undefined) {
    if (options.appKey === undefined || options.appSecret === undefined) throw new UsageError("--app-key and --app-secret go together");
    return { appKey: parseInput(AppKey, options.appKey, "--app-key"), appSecret: parseInput(AppSecret, options.appSecret, "--app-secret") };
  }
  if (env.PARLEY_APP_KEY !== undefined || env.PARLEY_APP_SECRET !== undefined) {
    if (env.PARLEY_APP_KEY === undefined || env.PARLEY_APP_SECRET === undefined) {
      throw new UsageError("PARLEY_APP_KEY and PARLEY_APP_SECRET go together");
    }
    return {
      appKey: parseInput(AppKey, env.PARLEY_APP_KEY, "PARLEY_APP_KEY"),
      appSecret: parseInput(AppSecret, env.PARLEY_APP_SECRET, "PARLEY_APP_SECRET"),
    };
  }
  const dir = findParleyDir();
  const file = dir && path.join(dir, "dev-app.json");
  if (!file || !existsSync(file)) {
    throw new UsageError(
      "no app credentials: pass --app-key and --app-secret, set PARLEY_APP_KEY and PARLEY_APP_SECRET, or run `npm start` once here (it writes .parley/dev-app.json)",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch {
    throw new UsageError(`${file} is not valid JSON; delete it and run \`npm start\` to provision a new dev app`);
  }
  return parseInput(DevAppFile, json, file);
}
