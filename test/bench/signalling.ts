/**
 * `npm run bench:signalling`: join rate and latency for many members entering one room, and
 * room message fan-out, against the edge started locally (wrangler, throwaway state).
 * Prints one JSON object; a benchmark informs, it never fails the build on its figures.
 */
import os from "node:os";
import { AppsClient, mintToken } from "@parley/sdk/server";
import { startEdge } from "../../infra/dev/edge.js";
import { BenchMember } from "./bench-member.js";
import { pooled, round, summary } from "./stats.js";

const SETTINGS = {
  members: 500,
  concurrency: 50,
  /** Joins to a separate room first, unmeasured, so JIT warm-up in workerd and Node is not in the figures. */
  warmupMembers: 50,
  /** Fan-out: these many members each send `messagesEach` messages to the whole room. */
  senders: 10,
  /** Below the per-socket burst (LIMITS.messageBurst = 40), so rate limiting does not shape the figure. */
  messagesEach: 20,
  /** The whole run, start to finish; past it the benchmark gives up. */
  deadlineMs: 180_000,
  fanoutTimeoutMs: 60_000,
} as const;

/** `--via-proxy`: go through wrangler's dev proxy (as `npm start` users do) instead of straight to the Worker. */
const VIA_PROXY = process.argv.includes("--via-proxy");

const GOALS = { joinsPerSecond: 1000, joinP99Ms: 50 } as const;
const ROOM = "bench";
const WARMUP_ROOM = "warmup";

async function main(): Promise<void> {
  const edge = await startEdge({ state: "temp", logLevel: "error" });
  const members: BenchMember[] = [];
  const deadline = setTimeout(() => {
    console.error(`benchmark did not finish within ${SETTINGS.deadlineMs} ms; giving up`);
    for (const m of members) m.close();
    void edge.stop().finally(() => process.exit(1));
  }, SETTINGS.deadlineMs);
  try {
    const app = await new AppsClient(edge.url, edge.operatorKey).create({ name: "bench" });
    const credentials = { appKey: app.appKey, appSecret: app.appSecret };
    const base = (VIA_PROXY ? edge.url : edge.directUrl).replace(/^http/, "ws");
    const signalUrl = (room: string, token: string) => `${base}/v1/rooms/${room}/signal?token=${token}`;
    const tokensFor = (room: string, count: number) =>
      Promise.all(Array.from({ length: count }, (_, i) => mintToken({ ...credentials, room, user: `user-${i}` })));

    const warmup = await pooled(await tokensFor(WARMUP_ROOM, SETTINGS.warmupMembers), SETTINGS.concurrency, async (token) => {
      const member = await BenchMember.open(signalUrl(WARMUP_ROOM, token));
      await member.request("join");
      return member;
    });
    await Promise.all(warmup.map((m) => m.request("leave")));
    for (const m of warmup) m.close();

    const tokens = await tokensFor(ROOM, SETTINGS.members);

    // ── joins: connect + join, at most `concurrency` in flight ─────────────
    const joinMs: number[] = [];
    const joinRequestMs: number[] = [];
    const joinStart = performance.now();
    await pooled(tokens, SETTINGS.concurrency, async (token) => {
      const t0 = performance.now();
      const member = await BenchMember.open(signalUrl(ROOM, token));
      members.push(member);
      const t1 = performance.now();
      await member.request("join");
      const t2 = performance.now();
      joinMs.push(t2 - t0);
      joinRequestMs.push(t2 - t1);
    });
    const joinSeconds = (performance.now() - joinStart) / 1000;
    const joinsPerSecond = SETTINGS.members / joinSeconds;
    const join = summary(joinMs);

    // ── fan-out: senders message the room; every other member receives each ─
    const expected = SETTINGS.senders * SETTINGS.messagesEach * (SETTINGS.members - 1);
    let received = 0;
    let lastDelivery = 0;
    const allDelivered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`fan-out: ${received} of ${expected} deliveries within ${SETTINGS.fanoutTimeoutMs} ms`)),
        SETTINGS.fanoutTimeoutMs,
      );
      for (const m of members) {
        m.onMessage(() => {
          received++;
          lastDelivery = performance.now();
          if (received === expected) {
            clearTimeout(timer);
            resolve();
          }
        });
      }
    });
    const senders = members.slice(0, SETTINGS.senders);
    const fanoutStart = performance.now();
    const acks = await Promise.all(
      senders.flatMap((s) => Array.from({ length: SETTINGS.messagesEach }, () => s.sendStamped().then((r) => r.delivered as number))),
    );
    await allDelivered;
    const fanoutSeconds = (lastDelivery - fanoutStart) / 1000;
    const deliveryLatency = summary(members.flatMap((m) => m.deliveryLatenciesMs));

    const result = {
      benchmark: "signalling",
      environment: {
        node: process.version,
        cpus: os.cpus().length,
        edge: "wrangler 4.86 dev runtime (workerd, local D1/DO), 127.0.0.1; clients in the same Node process",
        path: VIA_PROXY ? "through wrangler's dev proxy" : "straight to the Worker in workerd (wrangler's dev proxy bypassed)",
      },
      settings: SETTINGS,
      joins: {
        members: SETTINGS.members,
        seconds: round(joinSeconds, 3),
        perSecond: round(joinsPerSecond, 1),
        latencyMs: join,
        joinRequestOnlyMs: summary(joinRequestMs),
      },
      fanout: {
        messages: acks.length,
        deliveries: received,
        deliveriesAckedByEdge: acks.reduce((a, b) => a + b, 0),
        seconds: round(fanoutSeconds, 3),
        deliveriesPerSecond: round(received / fanoutSeconds, 0),
        deliveryLatencyMs: deliveryLatency,
      },
      goals: GOALS,
      /** figure / goal: joins/s meets its goal at ≥ 1, join p99 at ≤ 1. */
      ratios: {
        joinsPerSecond: round(joinsPerSecond / GOALS.joinsPerSecond, 3),
        joinP99: round(join.p99 / GOALS.joinP99Ms, 3),
      },
      meetsGoals: { joinsPerSecond: joinsPerSecond >= GOALS.joinsPerSecond, joinP99: join.p99 <= GOALS.joinP99Ms },
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    clearTimeout(deadline);
    for (const m of members) m.close();
    await edge.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
