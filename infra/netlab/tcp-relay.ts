/**
 * The TCP half of the lab (ICE-TCP to the node's WebRtcServer). A byte stream cannot lose or
 * reorder, so the link's loss shows as what TCP makes of it: a lost chunk arrives a retransmission
 * timeout late and holds back everything behind it; a cut holds the bytes until it ends. Delay,
 * jitter and the rate limit apply as on UDP (without the queue's drops: TCP would back off).
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import type { LabConditions, LinkConditions } from "./conditions.js";
import { type LossModel, lossModelFor } from "./loss-model.js";
import { deriveRandom, type Random } from "./random.js";
import { RateLimiter } from "./rate-limiter.js";
import type { Scheduler } from "./scheduler.js";
import type { RelayTarget } from "./udp-relay.js";

/** Linux's minimum retransmission timeout. */
const MIN_RTO_MS = 200;

class StreamLink {
  #conditions: LinkConditions;
  #loss: LossModel;
  readonly #jitter: Random;
  readonly #lossRandom: Random;
  readonly #rate: RateLimiter;
  readonly #scheduler: Scheduler;
  readonly #write: (chunk: Buffer) => void;
  #lastAt = 0;
  #held: Buffer[] = [];
  chunks = 0;
  retransmitted = 0;

  constructor(conditions: LinkConditions, seed: string, scheduler: Scheduler, write: (chunk: Buffer) => void) {
    this.#conditions = conditions;
    this.#lossRandom = deriveRandom(seed, "loss");
    this.#jitter = deriveRandom(seed, "jitter");
    this.#loss = lossModelFor(conditions, this.#lossRandom);
    this.#rate = new RateLimiter(conditions.rateKbps, Number.POSITIVE_INFINITY);
    this.#scheduler = scheduler;
    this.#write = write;
  }

  reconfigure(conditions: LinkConditions): void {
    this.#conditions = conditions;
    this.#loss = lossModelFor(conditions, this.#lossRandom);
    this.#rate.reconfigure(conditions.rateKbps, Number.POSITIVE_INFINITY);
    if (!conditions.cut && this.#held.length > 0) {
      const held = this.#held;
      this.#held = [];
      for (const chunk of held) this.offer(chunk);
    }
  }

  offer(chunk: Buffer): void {
    this.chunks++;
    const c = this.#conditions;
    if (c.cut) {
      this.#held.push(chunk);
      return;
    }
    const now = performance.now();
    let at = (this.#rate.admit(now, chunk.length) ?? now) + c.delayMs;
    if (c.jitterMs > 0) at += (this.#jitter() * 2 - 1) * c.jitterMs;
    if (this.#loss.lose()) {
      this.retransmitted++;
      at += Math.max(MIN_RTO_MS, 2 * c.delayMs);
    }
    at = Math.max(at, this.#lastAt); // a stream keeps its order
    this.#lastAt = at;
    this.#scheduler.at(at, () => this.#write(chunk));
  }
}

interface Connection {
  up: StreamLink;
  down: StreamLink;
  client: Socket;
  upstream: Socket;
}

export class TcpRelay {
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  #conditions: LabConditions;
  #seen = 0;

  private constructor(server: Server, conditions: LabConditions) {
    this.#server = server;
    this.#conditions = conditions;
  }

  static async start(o: {
    target: RelayTarget;
    listenHost: string;
    upstreamHost: string;
    scheduler: Scheduler;
    seed: string;
    conditions: LabConditions;
  }): Promise<TcpRelay> {
    const server = createServer({ noDelay: true });
    const relay = new TcpRelay(server, o.conditions);
    server.on("connection", (client) => relay.#accept(client, o));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, o.listenHost, () => resolve());
    });
    return relay;
  }

  get port(): number {
    const address = this.#server.address();
    if (!address || typeof address === "string") throw new Error("TCP relay is not listening");
    return address.port;
  }

  get connections(): number {
    return this.#connections.size;
  }

  reconfigure(conditions: LabConditions): void {
    this.#conditions = conditions;
    for (const c of this.#connections) {
      c.up.reconfigure(conditions.uplink);
      c.down.reconfigure(conditions.downlink);
    }
  }

  close(): void {
    this.#server.close();
    for (const c of this.#connections) {
      c.client.destroy();
      c.upstream.destroy();
    }
    this.#connections.clear();
  }

  #accept(client: Socket, o: { target: RelayTarget; upstreamHost: string; scheduler: Scheduler; seed: string }): void {
    const index = this.#seen++;
    const upstream = connect({ host: o.target.host, port: o.target.port, localAddress: o.upstreamHost, noDelay: true });
    const seed = `${o.seed}/tcp ${o.target.port}/connection ${index}`;
    const conn: Connection = {
      client,
      upstream,
      up: new StreamLink(this.#conditions.uplink, `${seed}/uplink`, o.scheduler, (chunk) => upstream.writable && upstream.write(chunk)),
      down: new StreamLink(this.#conditions.downlink, `${seed}/downlink`, o.scheduler, (chunk) => client.writable && client.write(chunk)),
    };
    this.#connections.add(conn);
    client.on("data", (chunk) => conn.up.offer(chunk));
    upstream.on("data", (chunk) => conn.down.offer(chunk));
    const end = () => {
      if (!this.#connections.delete(conn)) return;
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on("error", end);
      socket.on("close", end);
    }
  }
}
