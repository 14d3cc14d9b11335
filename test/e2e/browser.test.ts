import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Room } from "../../sdk/src/client/index.js";
import { useBrowserStack } from "./support/chromium.js";

const SCREENSHOT = "/tmp/parley-demo.png";

const run = useBrowserStack();

/** Opens the demo as `user` in its own browser context (its own cookies and devices). */
async function openDemo(room: string, user: string): Promise<{ page: Page; problems: string[] }> {
  const context = await run.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`${user} page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`${user} console error: ${msg.text()}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`${user} got ${res.status()} for ${res.url()}`);
  });
  await page.goto(`${run.stack.edge.url}/demo?room=${room}&user=${user}&autojoin=1`);
  return { page, problems };
}

/** Waits for "joined"; a page that ends in "error" fails at once with what it shows the person. */
async function joined(page: Page): Promise<void> {
  await page.waitForSelector('body[data-state="joined"], body[data-state="error"]', { timeout: 60_000 });
  const state = await page.evaluate(() => document.body.dataset.state);
  const status = await page.textContent("#status");
  expect(state, `the page shows: ${status}`).toBe("joined");
}

interface Received {
  videoWidth: number;
  framesDecoded: number;
  audioPackets: number;
}

/** What `page` receives from `user`: its <video> element's width and the inbound-rtp counters. */
function received(page: Page, user: string): Promise<Received> {
  return page.evaluate(async (from) => {
    const video = document.querySelector<HTMLVideoElement>(`video[data-remote-member="${from}"]`);
    const room = (window as unknown as { parleyDemo?: { room: Room } }).parleyDemo?.room;
    const member = room ? [...room.members.values()].find((m) => m.user === from) : undefined;
    let framesDecoded = 0;
    let audioPackets = 0;
    for (const track of member?.tracks.values() ?? []) {
      if (!track.consumer) continue;
      (await track.consumer.getStats()).forEach((stat) => {
        if (stat.type !== "inbound-rtp") return;
        if (stat.kind === "video") framesDecoded += stat.framesDecoded ?? 0;
        if (stat.kind === "audio") audioPackets += stat.packetsReceived ?? 0;
      });
    }
    return { videoWidth: video?.videoWidth ?? 0, framesDecoded, audioPackets };
  }, user);
}

/** Polls until `user`'s video is decoded and shown on `page`; no fixed sleeps. */
async function receiving(page: Page, user: string, timeoutMs = 60_000): Promise<Received> {
  const deadline = Date.now() + timeoutMs;
  let last: Received = { videoWidth: 0, framesDecoded: 0, audioPackets: 0 };
  while (Date.now() < deadline) {
    last = await received(page, user);
    if (last.videoWidth > 0 && last.framesDecoded > 0 && last.audioPackets > 0) return last;
    await page.waitForTimeout(250);
  }
  throw new Error(`no media from ${user} within ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

describe("demo page in Chromium", () => {
  it("two people join through /demo and each decodes the other's video", async () => {
    const room = `browser-${process.pid}`;
    const [alice, bob] = await Promise.all([openDemo(room, "alice"), openDemo(room, "bob")]);
    await Promise.all([joined(alice.page), joined(bob.page)]);

    const [aliceGets, bobGets] = await Promise.all([receiving(alice.page, "bob"), receiving(bob.page, "alice")]);
    expect(aliceGets.videoWidth).toBeGreaterThan(0);
    expect(aliceGets.framesDecoded).toBeGreaterThan(0);
    expect(bobGets.videoWidth).toBeGreaterThan(0);
    expect(bobGets.framesDecoded).toBeGreaterThan(0);

    // chat through the form reaches the other page
    await alice.page.fill("#chat-input", "hello from alice");
    await alice.page.press("#chat-input", "Enter");
    await bob.page.waitForSelector('#chat-log li:has-text("hello from alice")', { timeout: 10_000 });

    // the quality overlay fills in on its 2 s tick; wait for a measured rate so the screenshot shows one
    await alice.page.waitForFunction(
      () => /fps · [\d.]+ [kM]b\/s/.test(document.querySelector('video[data-remote-member="bob"] ~ .quality')?.textContent ?? ""),
      undefined,
      { timeout: 15_000 },
    );
    await alice.page.screenshot({ path: SCREENSHOT });

    expect([...alice.problems, ...bob.problems]).toEqual([]);
  });
});
