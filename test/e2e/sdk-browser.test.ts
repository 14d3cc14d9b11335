/**
 * The browser SDK as an app's own page uses it: one ESM file the edge serves at
 * /sdk/parley-client.js, imported with a plain <script type="module"> from a page on another
 * origin (not the demo), in Chromium, joined by SDK bots on @roamhq/wrtc.
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bot, received, waitFor } from "./stack.js";
import { useBrowserStack } from "./support/chromium.js";

const PAGE = path.join(import.meta.dirname, "sdk-app", "page.html");

const run = useBrowserStack();
/** Serves the app page, from its own origin: another port than the edge's. */
let appServer: Server;
let appOrigin: string;

beforeAll(async () => {
  const html = (await readFile(PAGE, "utf8")).replaceAll("EDGE_URL", run.stack.edge.url);
  appServer = createServer((req, res) => {
    if (new URL(req.url ?? "/", "http://app").pathname !== "/") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((resolve) => appServer.listen(0, "127.0.0.1", resolve));
  appOrigin = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => appServer?.close(resolve));
});

describe("/sdk/parley-client.js", () => {
  it("is served as JavaScript that other origins may import, with its source map", async () => {
    const script = await fetch(`${run.stack.edge.url}/sdk/parley-client.js`, { headers: { origin: "https://app.example.com" } });
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^(text|application)\/javascript/);
    expect(script.headers.get("access-control-allow-origin")).toBe("*");
    const code = await script.text();
    expect(code).toMatch(/\/\/# sourceMappingURL=parley-client\.js\.map\s*$/);
    expect(code).toMatch(/export\s*\{[^}]*\bRoom\b/);

    const map = await fetch(`${run.stack.edge.url}/sdk/parley-client.js.map`);
    expect(map.status).toBe(200);
    const { sources, sourcesContent } = (await map.json()) as { sources: string[]; sourcesContent: string[] };
    expect(sources.some((s) => s.endsWith("sdk/src/client/room.ts"))).toBe(true);
    expect(sourcesContent).toHaveLength(sources.length);
  });

  it("an app page on its own origin imports it, joins, publishes its camera and shows the bots' video", async () => {
    const { stack, browser } = run;
    const room = `sdk-page-${process.pid}`;
    const bots: Bot[] = [];
    const context = await browser.newContext();
    try {
      // one member already in the room when the page joins, one arriving after
      bots.push(await stack.bot(room, "bot-before", { audio: false }));
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
      page.on("console", (msg) => {
        if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
      });
      page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
      page.on("response", (res) => {
        if (res.status() >= 400) problems.push(`${res.status()} for ${res.url()}`);
      });
      await page.goto(`${appOrigin}/?room=${room}&token=${await stack.token(room, "page-user")}`);
      // a script that cannot load never leaves "loading": stop at the first problem instead of waiting
      const state = () => page.evaluate(() => document.body.dataset.error ?? document.body.dataset.state);
      await waitFor(async () => problems.length > 0 || (await state()) !== "loading", "the page to join", 60_000);
      expect(problems).toEqual([]);
      expect(await state()).toBe("joined");
      bots.push(await stack.bot(room, "bot-after", { audio: false }));

      // each bot decodes the page's camera
      for (const bot of bots) {
        await waitFor(
          async () => ((await received(bot.room)).get("page-user")?.framesDecoded ?? 0) > 0,
          "a bot to decode the page's video",
          60_000,
        );
      }
      // the page shows both bots' video: the one there before it joined, and the one after
      await waitFor(
        async () =>
          (await page.evaluate(() => Array.from(document.querySelectorAll("video")).filter((v) => v.videoWidth > 0).length)) === 2,
        "the page to show two bots' video",
        60_000,
      );
      expect(problems).toEqual([]);
    } finally {
      await Promise.allSettled(bots.map((b) => b.stop()));
      await context.close();
    }
  });
});
