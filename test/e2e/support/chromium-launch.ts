/**
 * Headless Chromium with the project's flags only, a fresh profile, and the current console build:
 * for the browser suites (chromium.ts) and the benchmarks, which run outside vitest.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { type Browser, chromium } from "playwright-core";
import { REPO_ROOT } from "./processes.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
];

/** The demo and console scripts are build output: build them from the current source. */
export async function buildConsole(): Promise<void> {
  await promisify(execFile)("npm", ["run", "build", "--silent", "-w", "console"], { cwd: REPO_ROOT });
}

export interface LaunchedChromium {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedChromium> {
  const profileDir = await mkdtemp(path.join(os.tmpdir(), "parley-chromium-"));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // only our flags: Playwright's defaults would add its own; the pipe is how it talks to the browser
    ignoreDefaultArgs: true,
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${profileDir}`, "--remote-debugging-pipe"],
    timeout: 60_000,
  });
  return {
    browser,
    async close() {
      await browser.close();
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}
