/**
 * The lab with real sockets: a UDP "media node" on 127.0.0.1 and a client that sends to it, with
 * the lab's nftables DNAT and relay process in between. Measures what arrives against what was
 * configured, at a video-like packet rate.
 */
import { execFileSync } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { connect, createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nftAvailable } from "./nat-redirect.js";
import { NetLab } from "./netlab.js";

const canRun = process.getuid?.() === 0 && nftAvailable();

/** A UDP server standing in for the node: records each datagram's sequence number and one-way delay, answers each. */
class ProbeServer {
  readonly socket: Socket;
  arrivals: { seq: number; delayMs: number }[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("message", (msg, rinfo) => {
      this.arrivals.push({ seq: msg.readUInt32BE(0), delayMs: performance.now() - msg.readDoubleBE(4) });
      // answer with the same header, stamped now: the downlink's measurement
      msg.writeDoubleBE(performance.now(), 4);
      socket.send(msg, rinfo.port, rinfo.address);
    });
  }

  static async start(): Promise<ProbeServer> {
    const socket = createSocket({ type: "udp4", recvBufferSize: 4 << 20 });
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    return new ProbeServer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }
}

interface Measured {
  sent: number;
  /** Distinct sequence numbers received. */
  received: number;
  loss: number;
  duplicates: number;
  /** Arrivals with a lower sequence number than one already received. */
  reordered: number;
  delays: number[];
  /** Longest run of consecutive sequence numbers missing. */
  meanBurst: number;
}

function measure(sent: number, arrivals: { seq: number; delayMs: number }[]): Measured {
  const seen = new Set<number>();
  let duplicates = 0;
  let reordered = 0;
  let highest = -1;
  for (const a of arrivals) {
    if (seen.has(a.seq)) duplicates++;
    seen.add(a.seq);
    if (a.seq < highest) reordered++;
    highest = Math.max(highest, a.seq);
  }
  let bursts = 0;
  let inBurst = false;
  for (let s = 0; s < sent; s++) {
    const lost = !seen.has(s);
    if (lost && !inBurst) bursts++;
    inBurst = lost;
  }
  const lost = sent - seen.size;
  return {
    sent,
    received: seen.size,
    loss: lost / sent,
    duplicates,
    reordered,
    delays: arrivals.map((a) => a.delayMs).sort((x, y) => x - y),
    meanBurst: bursts ? lost / bursts : 0,
  };
}

/** A quantile of sorted samples. The test process stamps and reads the datagrams, so its own event-loop delays under load show in the tails: assertions use the middle. */
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] as number;
const median = (sorted: number[]) => quantile(sorted, 0.5);

/**
 * Sends `count` datagrams of `bytes` in bursts of `perTick` every 5 ms by default (video: a frame's packets
 * together), then waits for stragglers. Returns what the server got (uplink) and what came back
 * to the client (downlink).
 */
async function probe(server: ProbeServer, o: { count: number; bytes?: number; perTick?: number; intervalMs?: number; settleMs?: number }) {
  server.arrivals = [];
  const client = createSocket({ type: "udp4", recvBufferSize: 4 << 20 });
  await new Promise<void>((resolve) => client.bind(0, "127.0.0.1", resolve));
  const back: { seq: number; delayMs: number }[] = [];
  client.on("message", (msg) => back.push({ seq: msg.readUInt32BE(0), delayMs: performance.now() - msg.readDoubleBE(4) }));
  const perTick = o.perTick ?? 5;
  let seq = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (let i = 0; i < perTick && seq < o.count; i++, seq++) {
        const msg = Buffer.alloc(o.bytes ?? 1100);
        msg.writeUInt32BE(seq, 0);
        msg.writeDoubleBE(performance.now(), 4);
        client.send(msg, server.port, "127.0.0.1");
      }
      if (seq >= o.count) {
        clearInterval(timer);
        resolve();
      }
    }, o.intervalMs ?? 5);
  });
  await new Promise((r) => setTimeout(r, o.settleMs ?? 600));
  client.close();
  return { uplink: measure(o.count, server.arrivals), downlink: measure(o.count, back) };
}

describe.skipIf(!canRun)("netlab relay with real sockets", () => {
  let server: ProbeServer;
  let lab: NetLab;

  beforeAll(async () => {
    server = await ProbeServer.start();
    lab = await NetLab.start({ ports: [server.port], seed: "relay test" });
  });
  afterAll(async () => {
    await lab?.stop();
    server?.socket.close();
  });

  it("adds 150 ms each way and loses nothing of its own at a video packet rate", async () => {
    await lab.set({ uplink: { delayMs: 150 }, downlink: { delayMs: 150 } });
    // 1000 datagrams/s of 1100 bytes ≈ 8.8 Mbit/s each way, four times a 720p camera
    const { uplink, downlink } = await probe(server, { count: 5000 });
    expect(uplink.received).toBe(5000);
    expect(downlink.received).toBe(5000);
    expect(uplink.reordered + downlink.reordered).toBe(0);
    expect(median(uplink.delays)).toBeGreaterThan(149);
    expect(median(uplink.delays)).toBeLessThan(156);
    // the downlink sample was stamped on arrival at the server: 150 ms back
    expect(median(downlink.delays)).toBeGreaterThan(149);
    expect(median(downlink.delays)).toBeLessThan(156);
    const stats = await lab.stats();
    expect(stats.sendErrors).toBe(0);
    expect(stats.socketDrops).toBe(0);
    expect(stats.lateness.p50Ms).toBeLessThanOrEqual(2);
  });

  it("loses the configured share at random and in bursts, per direction", async () => {
    await lab.set({ uplink: { loss: 30 }, downlink: { loss: 10, burst: 3 } });
    const { uplink, downlink } = await probe(server, { count: 6000 });
    expect(Math.abs(uplink.loss - 0.3)).toBeLessThan(0.025);
    // what comes back passed both: 1 − 0.7 · 0.9
    expect(Math.abs(downlink.loss - 0.37)).toBeLessThan(0.03);
    // random loss at 30 %: mean burst 1/(1 − 0.3) ≈ 1.43 packets
    expect(uplink.meanBurst).toBeLessThan(1.7);

    await lab.set({ downlink: { loss: 30, burst: 3 } });
    const bursty = await probe(server, { count: 6000 });
    expect(bursty.uplink.loss).toBe(0);
    expect(Math.abs(bursty.downlink.loss - 0.3)).toBeLessThan(0.04);
    // burst ratio 3: about three times the random mean burst
    expect(bursty.downlink.meanBurst).toBeGreaterThan(3);
  });

  it("reorders, duplicates and jitters as configured", async () => {
    await lab.set({ uplink: { delayMs: 40, reorder: 10, reorderDelayMs: 15, duplicate: 5 } });
    const { uplink } = await probe(server, { count: 4000 });
    expect(uplink.received).toBe(4000);
    expect(uplink.duplicates / 4000).toBeGreaterThan(0.035);
    expect(uplink.duplicates / 4000).toBeLessThan(0.065);
    // a held-back datagram is passed by the 5 sent in the next tick (and its neighbours)
    expect(uplink.reordered / 4000).toBeGreaterThan(0.05);

    await lab.set({ uplink: { delayMs: 100, jitterMs: 40 } });
    // audio's spacing: order is kept, so at video's packet rate the spread is what order allows
    const jittered = await probe(server, { count: 200, perTick: 1, intervalMs: 20 });
    expect(jittered.uplink.reordered).toBe(0);
    expect(jittered.uplink.delays[0]).toBeGreaterThanOrEqual(59);
    expect(quantile(jittered.uplink.delays, 0.9)).toBeLessThan(148);
    expect(quantile(jittered.uplink.delays, 0.9) - quantile(jittered.uplink.delays, 0.1)).toBeGreaterThan(40);
  });

  it("limits the rate with a queue that drops what does not fit", async () => {
    await lab.set({ uplink: { rateKbps: 2000, queueMs: 100 } });
    // offered 8.8 Mbit/s for 2 s
    const started = performance.now();
    const { uplink } = await probe(server, { count: 2000, settleMs: 300 });
    const seconds = (performance.now() - started - 300) / 1000;
    const kbps = (uplink.received * 1100 * 8) / 1000 / seconds;
    expect(kbps).toBeGreaterThan(1500);
    expect(kbps).toBeLessThan(2300);
    // queueing delay is bounded by the queue (100 ms) plus one packet
    expect(quantile(uplink.delays, 0.9)).toBeLessThan(130);
    expect(median(uplink.delays)).toBeGreaterThan(80);
  });

  it("cuts the path completely, mid-flow, and gives it back", async () => {
    await lab.set({});
    server.arrivals = [];
    const client = createSocket({ type: "udp4" });
    await new Promise<void>((resolve) => client.bind(0, "127.0.0.1", resolve));
    let seq = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < 2; i++, seq++) {
        const msg = Buffer.alloc(200);
        msg.writeUInt32BE(seq, 0);
        msg.writeDoubleBE(performance.now(), 4);
        client.send(msg, server.port, "127.0.0.1");
      }
    }, 5);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await sleep(500);
    const beforeCut = seq;
    await lab.update({ uplink: { cut: true }, downlink: { cut: true } });
    const cutApplied = seq; // sent after the relay acknowledged the cut
    await sleep(1000);
    const beforeUncut = seq;
    await lab.update({ uplink: { cut: false }, downlink: { cut: false } });
    const uncutApplied = seq;
    await sleep(500);
    clearInterval(timer);
    const sent = seq;
    await sleep(300);
    client.close();

    const arrived = new Set(server.arrivals.map((a) => a.seq));
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
    expect(beforeUncut - cutApplied).toBeGreaterThan(20);
    // everything sent on the clean path arrived, nothing sent while cut did
    expect(range(0, beforeCut).filter((s) => !arrived.has(s))).toEqual([]);
    expect(range(cutApplied, beforeUncut).filter((s) => arrived.has(s))).toEqual([]);
    expect(range(uncutApplied, sent).filter((s) => !arrived.has(s))).toEqual([]);
    const stats = await lab.stats();
    expect(stats.uplink.cutDropped).toBeGreaterThanOrEqual(beforeUncut - cutApplied);
  });

  it("delays TCP to the same port", async () => {
    const tcpServer: Server = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => tcpServer.listen(server.port, "127.0.0.1", resolve));
    try {
      await lab.set({ uplink: { delayMs: 100 }, downlink: { delayMs: 100 } });
      const socket = connect({ host: "127.0.0.1", port: server.port });
      await new Promise<void>((resolve) => socket.once("connect", resolve));
      const started = performance.now();
      const echoed = new Promise<number>((resolve) => socket.once("data", () => resolve(performance.now() - started)));
      socket.write("ping");
      const rtt = await echoed;
      socket.destroy();
      expect(rtt).toBeGreaterThan(195);
      expect(rtt).toBeLessThan(260);
    } finally {
      tcpServer.close();
    }
  });

  it("removes its nftables rules on stop, and the path is direct again", async () => {
    // a second lab's table on the same port, to see it appear and go
    const own = await NetLab.start({ ports: [server.port], seed: "second" });
    const table = own.table;
    expect(execFileSync("nft", ["list", "tables"], { encoding: "utf8" })).toContain(table);
    await own.stop();
    expect(execFileSync("nft", ["list", "tables"], { encoding: "utf8" })).not.toContain(table);
    await lab.stop();
    const { uplink } = await probe(server, { count: 100 });
    expect(uplink.received).toBe(100);
    expect(median(uplink.delays)).toBeLessThan(5);
  });
});
