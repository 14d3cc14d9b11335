/**
 * A media node's traffic, measured: two bots in a real call, the node's heartbeats stored by the
 * edge's Fleet DO and read back from `GET /v1/fleet/nodes`, compared with what the bots themselves
 * count as sent and received over the same window.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Room } from "../../sdk/src/client/index.js";
import { received, type Stack, startStack, waitFor } from "./stack.js";

interface FleetNode {
  node: string;
  lastSeen: number;
  load: { bitrateIn?: number; bitrateOut?: number };
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function ownNode(): Promise<FleetNode | undefined> {
  const res = await fetch(`${stack.edge.url}/v1/fleet/nodes`, { headers: { authorization: `Bearer ${stack.edge.operatorKey}` } });
  const { nodes } = (await res.json()) as { nodes: FleetNode[] };
  return nodes.find((n) => n.node === stack.nodeId);
}

/** Bits per second a bot's tracks sent and received since its previous getQuality() call. */
async function botBitrates(room: Room): Promise<{ sent: number; received: number }> {
  const { tracks } = await room.getQuality();
  const sum = (direction: "send" | "recv") => tracks.filter((t) => t.direction === direction).reduce((n, t) => n + t.bitrate, 0);
  return { sent: sum("send"), received: sum("recv") };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

describe("media node traffic in heartbeats", () => {
  it("a node in a real call reports bits per second in and out close to what the bots send and receive", async () => {
    // no quality reports of their own: each getQuality() here measures since the previous one
    const alice = await stack.bot("traffic", "alice", { qualityReportIntervalMs: 0 });
    const bob = await stack.bot("traffic", "bob", { qualityReportIntervalMs: 0 });
    for (const [me, other] of [
      [alice, "bob"],
      [bob, "alice"],
    ] as const) {
      await waitFor(async () => ((await received(me.room)).get(other)?.framesDecoded ?? 0) > 10, `${other}'s video at the other bot`);
    }
    await waitFor(async () => {
      const load = (await ownNode())?.load;
      return (load?.bitrateIn ?? 0) > 0 && (load?.bitrateOut ?? 0) > 0;
    }, "a heartbeat with traffic in and out");

    // one window: the bots' own counters at its ends, the node's heartbeats (1 s apart) inside it
    await Promise.all([botBitrates(alice.room), botBitrates(bob.room)]);
    const beats = new Map<number, { in: number; out: number }>();
    const windowEnd = Date.now() + 6000;
    while (Date.now() < windowEnd) {
      const node = await ownNode();
      if (node) beats.set(node.lastSeen, { in: node.load.bitrateIn ?? 0, out: node.load.bitrateOut ?? 0 });
      await new Promise((r) => setTimeout(r, 250));
    }
    const [a, b] = await Promise.all([botBitrates(alice.room), botBitrates(bob.room)]);
    const bots = { sent: a.sent + b.sent, received: a.received + b.received };
    const node = { in: mean([...beats.values()].map((x) => x.in)), out: mean([...beats.values()].map((x) => x.out)) };
    const figures = {
      heartbeats: beats.size,
      nodeBitrateIn: Math.round(node.in),
      nodeBitrateOut: Math.round(node.out),
      botsSent: bots.sent,
      botsReceived: bots.received,
      inOverSent: +(node.in / bots.sent).toFixed(3),
      outOverReceived: +(node.out / bots.received).toFixed(3),
    };
    console.log(JSON.stringify(figures));

    expect(beats.size).toBeGreaterThanOrEqual(3);
    expect(bots.sent).toBeGreaterThan(50_000);
    // the node counts whole SRTP packets (headers, auth tags, RTCP); the bots count RTP payload
    expect(figures.inOverSent).toBeGreaterThan(0.6);
    expect(figures.inOverSent).toBeLessThan(1.8);
    expect(figures.outOverReceived).toBeGreaterThan(0.6);
    expect(figures.outOverReceived).toBeLessThan(1.8);

    // the node's own Prometheus page carries them too, and the byte counters behind them
    const metrics = await (await fetch(`http://127.0.0.1:${stack.node.controlPort}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, "m").exec(metrics)?.[1]);
    expect(value("parley_media_receive_bits_per_second")).toBeGreaterThan(0);
    expect(value("parley_media_send_bits_per_second")).toBeGreaterThan(0);
    expect(value("parley_media_received_bytes_total")).toBeGreaterThan(bots.sent / 8);
    expect(value("parley_media_sent_bytes_total")).toBeGreaterThan(bots.received / 8);
    await Promise.all([alice.stop(), bob.stop()]);
  });
});
