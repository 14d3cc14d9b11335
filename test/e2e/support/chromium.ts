/** Headless Chromium for the browser suites: the project's flags only, a fresh profile, current console build. */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { type Stack, startStack } from "../stack.js";
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

/**
 * For a browser suite: builds the console, starts the local stack and Chromium before the file's
 * tests and stops both after. Read `stack` and `browser` inside tests (they are set by then).
 */
export function useBrowserStack(): { readonly stack: Stack; readonly browser: Browser } {
  let stack: Stack | undefined;
  let chromiumRun: LaunchedChromium | undefined;
  beforeAll(async () => {
    await buildConsole();
    // the console suite adds a webhook to the discard port, where nothing answers
    stack = await startStack({ outboundAllow: ["127.0.0.1:9"] });
    chromiumRun = await launchChromium();
  });
  afterAll(async () => {
    await chromiumRun?.close();
    await stack?.stop();
  });
  return {
    get stack() {
      if (!stack) throw new Error("the stack is not started yet (use it inside tests)");
      return stack;
    },
    get browser() {
      if (!chromiumRun) throw new Error("Chromium is not started yet (use it inside tests)");
      return chromiumRun.browser;
    },
  };
}
