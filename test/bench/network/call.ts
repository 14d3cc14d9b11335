/**
 * One cell of the benchmark for one variant: a fresh call in a fresh room — two demo pages in
 * Chromium and the bots — joined on a clean path, warmed up, then the cell's network for the
 * measurement window, sampled every `sampleEveryMs`.
 */
import os from "node:os";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { LinkCounters } from "../../../infra/netlab/link.js";
import type { LabStats, NetLab } from "../../../infra/netlab/netlab.js";
import type { Bot, Stack } from "../../e2e/stack.js";
import { round } from "../stats.js";
import { type Cell, cellConditions, cellId } from "./cells.js";
import { type PairFigures, pairFigures } from "./figures.js";
import { type PageSample, samplePage } from "./samples.js";
import type { Variant } from "./variants.js";

export interface CallSettings {
  /** Length of the measurement window, s. */
  seconds: number;
  /** Clean-path time after both pages see each other's video, before the cell's network, s. */
  warmupSeconds: number;
  /** Time on the cell's network before the window starts (the first reactions), s. */
  settleSeconds: number;
  sampleEveryMs: number;
  bots: number;
  mediaTimeoutMs: number;
  /** After the window the network is clean again; media must be back within this for the call to count as up, ms. */
  recoveryTimeoutMs: number;
}

export const PAGE_USERS = ["alice", "bob"] as const;

export interface CellRun {
  cell: string;
  variant: string;
  /** What each page received from the other page. */
  pages: PairFigures[];
  /** What each page received from each bot. */
  fromBots: PairFigures[];
  /** What the lab did in the window, summed over every client's flow. */
  lab: { uplink: LinkCounters; downlink: LinkCounters; sendErrors: number; socketDrops: number; latenessP99Ms: number };
  /** Set when the call could not be set up or measured; the figures are then empty. */
  error?: string;
  loadAverage: number;
  elapsedSeconds: number;
}

export interface BenchEnv {
  stack: Stack;
  lab: NetLab;
  browser: Browser;
}

let callSerial = 0;

export async function runCell(env: BenchEnv, cell: Cell, variant: Variant, settings: CallSettings): Promise<CellRun> {
  const started = performance.now();
  const room = `net-${process.pid}-${callSerial++}`;
  const contexts: BrowserContext[] = [];
  const bots: Bot[] = [];
  const run: CellRun = {
    cell: cellId(cell),
    variant: variant.name,
    pages: [],
    fromBots: [],
    lab: { uplink: emptyCounters(), downlink: emptyCounters(), sendErrors: 0, socketDrops: 0, latenessP99Ms: 0 },
    loadAverage: round(os.loadavg()[0] ?? 0),
    elapsedSeconds: 0,
  };
  await env.lab.set({});
  await variant.prepare?.(env.stack);
  try {
    const pages = await Promise.all(
      PAGE_USERS.map(async (user) => {
        const context = await env.browser.newContext({ viewport: { width: 1280, height: 720 } });
        contexts.push(context);
        // tsx (esbuild keepNames) wraps named functions in __name(); page.evaluate sends them as source
        await context.addInitScript("globalThis.__name = (fn) => fn;");
        if (variant.pageInit) await context.addInitScript(variant.pageInit);
        const page = await context.newPage();
        const params = new URLSearchParams({ room, user, autojoin: "1", ...variant.pageParams });
        await page.goto(`${env.stack.edge.url}/demo?${params}`);
        return page;
      }),
    );
    await Promise.all(pages.map((p) => joined(p, settings.mediaTimeoutMs)));
    for (let i = 0; i < settings.bots; i++)
      bots.push(await env.stack.bot(room, `bot-${i + 1}`, { ...variant.botOptions, video: { width: 320, height: 240, fps: 15 } }));
    const senders = [...PAGE_USERS, ...bots.map((_, i) => `bot-${i + 1}`)];
    await Promise.all(
      pages.map((p, i) =>
        receivingVideo(
          p,
          senders.filter((u) => u !== PAGE_USERS[i]),
          settings.mediaTimeoutMs,
        ),
      ),
    );
    await sleep(settings.warmupSeconds * 1000);

    await env.lab.set(cellConditions(cell));
    await sleep(settings.settleSeconds * 1000);
    const labAtStart = await env.lab.stats();
    const samples: PageSample[][] = pages.map(() => []);
    const windowEnds = performance.now() + settings.seconds * 1000;
    for (;;) {
      const now = performance.now();
      const taken = await Promise.all(pages.map((p) => samplePage(p)));
      for (const [i, s] of taken.entries()) samples[i]?.push(s);
      if (now >= windowEnds) break;
      await sleep(Math.min(settings.sampleEveryMs, windowEnds - now));
    }
    const labAtEnd = await env.lab.stats();
    run.lab = labDelta(labAtStart, labAtEnd);

    // did the call survive? clean network again, and wait for audio and video from every sender
    await env.lab.set({});
    const ends = samples.map((s) => s.at(-1) as PageSample);
    const recovered = await Promise.all(
      pages.map((p, i) =>
        recovery(
          p,
          ends[i] as PageSample,
          senders.filter((u) => u !== PAGE_USERS[i]),
          settings.recoveryTimeoutMs,
        ),
      ),
    );
    PAGE_USERS.forEach((receiver, i) => {
      const mine = samples[i] as PageSample[];
      for (const sender of senders.filter((u) => u !== receiver)) {
        const figures = pairFigures(receiver, sender, mine);
        const back = recovered[i]?.get(sender);
        figures.recovery = { audioSeconds: back?.audio ?? null, videoSeconds: back?.video ?? null };
        figures.stayedUp &&= back?.audio !== undefined;
        (sender.startsWith("bot-") ? run.fromBots : run.pages).push(figures);
      }
    });
  } catch (err) {
    run.error = err instanceof Error ? err.message : String(err);
  } finally {
    await env.lab.set({});
    await Promise.allSettled(bots.map((b) => b.stop()));
    await Promise.allSettled(contexts.map((c) => c.close()));
    await variant.restore?.(env.stack);
    run.elapsedSeconds = round((performance.now() - started) / 1000, 1);
  }
  return run;
}

async function joined(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForSelector('body[data-state="joined"], body[data-state="error"]', { timeout: timeoutMs });
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== "joined") throw new Error(`the demo page did not join: ${await page.textContent("#status")}`);
}

/** Waits until `page` has decoded video and heard audio from every one of `senders`. */
async function receivingVideo(page: Page, senders: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: PageSample | undefined;
  while (Date.now() < deadline) {
    last = await samplePage(page);
    if (senders.every((u) => (last?.from[u]?.video?.framesDecoded ?? 0) > 0 && (last?.from[u]?.audio?.packetsReceived ?? 0) > 0)) return;
    await sleep(250);
  }
  throw new Error(`no media from ${senders.join(", ")} within ${timeoutMs} ms (got ${JSON.stringify(last?.from)})`);
}

interface Recovery {
  /** Seconds from the clean network to new audio packets / decoded frames from the sender (absent: not within the timeout). */
  audio?: number;
  video?: number;
}

/** Watches `page` after the network is clean again until every sender's audio and video have moved past `end`. */
async function recovery(page: Page, end: PageSample, senders: string[], timeoutMs: number): Promise<Map<string, Recovery>> {
  const back = new Map<string, Recovery>(senders.map((u) => [u, {}]));
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const now = await samplePage(page);
    const seconds = round((performance.now() - started) / 1000, 1);
    if (now.state !== "joined") break;
    for (const [u, r] of back) {
      if (r.audio === undefined && (now.from[u]?.audio?.packetsReceived ?? 0) > (end.from[u]?.audio?.packetsReceived ?? 0))
        r.audio = seconds;
      if (r.video === undefined && (now.from[u]?.video?.framesDecoded ?? 0) > (end.from[u]?.video?.framesDecoded ?? 0)) r.video = seconds;
    }
    if ([...back.values()].every((r) => r.audio !== undefined && r.video !== undefined)) break;
    await sleep(250);
  }
  return back;
}

/** Per flow, so flows the relay forgot in between (idle clients of earlier calls) do not count. */
function labDelta(a: LabStats, b: LabStats): CellRun["lab"] {
  const before = new Map(a.flows.map((f) => [f.client, f]));
  const uplink = emptyCounters();
  const downlink = emptyCounters();
  for (const flow of b.flows) {
    const was = before.get(flow.client);
    for (const k of Object.keys(uplink) as (keyof LinkCounters)[]) {
      uplink[k] += flow.uplink[k] - (was?.uplink[k] ?? 0);
      downlink[k] += flow.downlink[k] - (was?.downlink[k] ?? 0);
    }
  }
  return {
    uplink,
    downlink,
    sendErrors: b.sendErrors - a.sendErrors,
    socketDrops: Math.max(0, b.socketDrops - a.socketDrops),
    latenessP99Ms: b.lateness.p99Ms,
  };
}

function emptyCounters(): LinkCounters {
  return { packets: 0, bytes: 0, delivered: 0, lost: 0, queueDropped: 0, cutDropped: 0, duplicated: 0, reordered: 0 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
