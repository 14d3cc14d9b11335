/** Headless Chromium for the browser suites: the project's flags only, a fresh profile, current console build. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { type Stack, startStack } from "../stack.js";
import { buildConsole, type LaunchedChromium, launchChromium } from "./chromium-launch.js";

export { buildConsole, type LaunchedChromium, launchChromium } from "./chromium-launch.js";

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
