import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowserStack } from "./support/chromium.js";

const shot = (name: string) => `/tmp/parley-console-${name}.png`;

const run = useBrowserStack();

/** Colour pixels (not the dark background, not grey axes) in a chart's canvas: the drawn lines. */
function drawnPixels(page: Page, metric: string): Promise<number> {
  return page.evaluate((m) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`figure[data-metric="${m}"] canvas`);
    const ctx = canvas?.getContext("2d");
    if (!canvas || !ctx) return 0;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r = 0, g = 0, b = 0, a = 0] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
    }
    return coloured;
  }, metric);
}

describe("operator console in Chromium", () => {
  it("signs in, shows a live room, its call's quality chart, and audits a secret rotation", async () => {
    const context = await run.browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
    });
    page.on("response", (res) => {
      if (res.status() >= 400) problems.push(`got ${res.status()} for ${res.url()}`);
    });

    // sign in: a wrong key is refused on the form, the right one opens the fleet page
    await page.goto(`${run.stack.edge.url}/console`);
    await page.fill('input[name="operatorKey"]', "not-the-operator-key");
    await page.click('#sign-in button[type="submit"]');
    await page.waitForSelector('#sign-in-error:has-text("Not accepted")');
    problems.length = 0; // that 401 was the point
    await page.fill('input[name="operatorKey"]', run.stack.edge.operatorKey);
    await page.click('#sign-in button[type="submit"]');
    await page.waitForSelector(`#page tr:has-text("${run.stack.nodeId}") .badge:has-text("up")`, { timeout: 15_000 });
    await page.screenshot({ path: shot("fleet") });

    // two bots in a room: it shows up on the live rooms page with both of them
    const room = `console-${process.pid}`;
    const bots = await Promise.all(
      ["alice", "bob"].map((user) => run.stack.bot(room, user, { video: true, audio: true, qualityReportIntervalMs: 2000 })),
    );
    await page.click('#nav a[data-page="rooms"]');
    await page.waitForSelector(`#page tr:has-text("${room}") td:has-text("2")`, { timeout: 15_000 });
    await page.click(`#page tr:has-text("${room}")`);
    await page.waitForSelector('#page tr:has-text("alice")');
    await page.waitForSelector('#page tr:has-text("bob")');
    await page.screenshot({ path: shot("room") });

    // its call record: the quality charts fill in from the bots' reports
    await page.click('#page a:has-text("Call record and quality")', { timeout: 20_000 });
    await page.waitForSelector(`h1:has-text("Call in ${room}")`);
    await page.waitForFunction(
      () =>
        /\b([6-9]|\d\d+) samples from 2 members/.test(
          document.querySelector('figure[data-metric="bitrate"] figcaption')?.textContent ?? "",
        ),
      undefined,
      { timeout: 40_000 },
    );
    expect(await page.isVisible('figure[data-metric="bitrate"] canvas')).toBe(true);
    expect(await page.textContent('figure[data-metric="bitrate"]')).toContain("Bitrate sent (kb/s)");
    expect(await drawnPixels(page, "bitrate")).toBeGreaterThan(100);
    expect(await drawnPixels(page, "mos")).toBeGreaterThan(100);
    await page.waitForSelector('#page tr:has-text("alice") .badge:has-text("in the call")');
    await page.screenshot({ path: shot("call"), fullPage: true });

    // back on the fleet page, the node's measured traffic in and out of the call
    await page.click('#nav a[data-page="fleet"]');
    await page.waitForFunction(
      (node) => {
        const row = Array.from(document.querySelectorAll("#page tr")).find((tr) => tr.textContent?.includes(node));
        const rate = String.raw`(?:[1-9]\d* kb/s|\d+\.\d Mb/s)`;
        const cells = row ? Array.from(row.querySelectorAll("td")) : [];
        const cell = cells.find((td) => new RegExp(`^${rate} / ${rate}$`).test(td.textContent ?? ""));
        return cell?.textContent ?? false;
      },
      run.stack.nodeId,
      { timeout: 15_000 },
    );
    await page.screenshot({ path: shot("fleet-traffic") });

    // rotate the app's secret: the new one is shown once; the card then offers revoking either
    await page.click('#nav a[data-page="apps"]');
    const card = `article[data-app="${run.stack.app.appKey}"]`;
    await page.click(`${card} button:has-text("Add secret")`);
    const secret = await page.textContent("dialog code.secret");
    expect(secret).toMatch(/^as_/);
    expect(await page.textContent("dialog")).toMatch(/shown only now/i);
    await page.click('dialog button:has-text("I have stored it")');
    await page.waitForSelector(`${card} button:has-text("Revoke secret 1")`);
    await page.waitForSelector(`${card} .badge:has-text("slot 2")`);
    await page.screenshot({ path: shot("apps") });

    // and the audit log says who did it, to what, when
    await page.click('#nav a[data-page="audit"]');
    const entry = page.locator("#page tbody tr").first();
    await entry.waitFor();
    expect(await entry.textContent()).toContain("Added secret 2 (rotation)");
    expect(await entry.textContent()).toContain("Operator");
    expect(await entry.textContent()).toContain(run.stack.app.appKey);
    await page.screenshot({ path: shot("audit") });

    await Promise.all(bots.map((b) => b.stop()));
    expect(problems).toEqual([]);
    await context.close();
  });

  it("with app credentials: the app's own pages, webhooks it can add, no operator pages", async () => {
    const context = await run.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("response", (res) => {
      if (res.status() >= 400) problems.push(`got ${res.status()} for ${res.url()}`);
    });
    await page.goto(`${run.stack.edge.url}/console`);
    await page.check('input[name="mode"][value="app"]');
    await page.fill('input[name="appKey"]', run.stack.app.appKey);
    await page.fill('input[name="appSecret"]', run.stack.app.appSecret);
    await page.click('#sign-in button[type="submit"]');
    await page.waitForSelector('h1:has-text("Live rooms")');
    expect(await page.isVisible('#nav a[data-page="fleet"]')).toBe(false);
    expect(await page.isVisible('#nav a[data-page="audit"]')).toBe(false);

    await page.click('#nav a[data-page="recordings"]');
    await page.waitForSelector('.state.empty:has-text("No recordings yet")');

    await page.click('#nav a[data-page="webhooks"]');
    await page.waitForSelector('.state.empty:has-text("No webhooks")');
    await page.fill('input[name="url"]', "http://127.0.0.1:9/parley-hook");
    await page.fill('input[name="description"]', "console test");
    await page.click('button:has-text("Add webhook")');
    expect(await page.textContent("dialog code.secret")).toMatch(/^whsec_/);
    await page.click('dialog button:has-text("I have stored it")');
    await page.waitForSelector('#page tr:has-text("http://127.0.0.1:9/parley-hook") .badge:has-text("enabled")');
    await page.screenshot({ path: shot("webhooks") });
    expect(problems).toEqual([]);
    await context.close();
  });
});
