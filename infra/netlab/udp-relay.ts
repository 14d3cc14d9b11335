/**
 * The UDP half of the lab: clients' datagrams to the media node arrive here (DNAT, see
 * nat-redirect.ts), wait out their link's fate and go on to the node from a socket of their own
 * flow; the node's answers come back the same way. Each client (source address and port) is a
 * flow with its own uplink and downlink, seeded by its order of arrival.
 */
import { createSocket, type Socket } from "node:dgram";
import type { LabConditions } from "./conditions.js";
import { Link, type LinkCounters } from "./link.js";
import type { Scheduler } from "./scheduler.js";

export interface RelayTarget {
  host: string;
  port: number;
}

export interface FlowStats {
  client: string;
  uplink: LinkCounters;
  downlink: LinkCounters;
}

/** Large socket buffers (net.core.rmem_max caps them) so a burst of video never overflows the relay's own queue. */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
/** A flow silent this long is forgotten (its upstream socket closed). */
const FLOW_IDLE_MS = 120_000;

interface Flow {
  client: { address: string; port: number };
  upstream: Socket;
  uplink: Link;
  downlink: Link;
  lastSeen: number;
}

export class UdpRelay {
  readonly #listener: Socket;
  readonly #target: RelayTarget;
  readonly #upstreamHost: string;
  readonly #scheduler: Scheduler;
  readonly #seed: string;
  readonly #flows = new Map<string, Flow>();
  readonly #sweep: NodeJS.Timeout;
  #conditions: LabConditions;
  #flowsSeen = 0;
  sendErrors = 0;

  private constructor(o: {
    listener: Socket;
    target: RelayTarget;
    upstreamHost: string;
    scheduler: Scheduler;
    seed: string;
    conditions: LabConditions;
  }) {
    this.#listener = o.listener;
    this.#target = o.target;
    this.#upstreamHost = o.upstreamHost;
    this.#scheduler = o.scheduler;
    this.#seed = o.seed;
    this.#conditions = o.conditions;
    this.#listener.on("message", (msg, rinfo) => this.#fromClient(msg, rinfo));
    this.#sweep = setInterval(() => this.#forgetIdle(), 10_000);
    this.#sweep.unref();
  }

  static async start(o: {
    target: RelayTarget;
    listenHost: string;
    upstreamHost: string;
    scheduler: Scheduler;
    seed: string;
    conditions: LabConditions;
  }): Promise<UdpRelay> {
    const listener = await bind(o.listenHost);
    return new UdpRelay({ ...o, listener });
  }

  get port(): number {
    return this.#listener.address().port;
  }

  /** The local ports of the listener and every flow's upstream socket. */
  localPorts(): number[] {
    return [this.port, ...[...this.#flows.values()].map((f) => f.upstream.address().port)];
  }

  reconfigure(conditions: LabConditions): void {
    this.#conditions = conditions;
    for (const flow of this.#flows.values()) {
      flow.uplink.reconfigure(conditions.uplink);
      flow.downlink.reconfigure(conditions.downlink);
    }
  }

  flows(): FlowStats[] {
    return [...this.#flows.entries()].map(([client, f]) => ({
      client,
      uplink: { ...f.uplink.counters },
      downlink: { ...f.downlink.counters },
    }));
  }

  close(): void {
    clearInterval(this.#sweep);
    this.#listener.close();
    for (const flow of this.#flows.values()) flow.upstream.close();
    this.#flows.clear();
  }

  #fromClient(msg: Buffer, rinfo: { address: string; port: number }): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    const flow = this.#flows.get(key) ?? this.#openFlow(rinfo);
    flow.lastSeen = performance.now();
    this.#forward(flow.uplink, msg, () => flow.upstream.send(msg, this.#target.port, this.#target.host, this.#onSent));
  }

  #openFlow(client: { address: string; port: number }): Flow {
    const index = this.#flowsSeen++;
    const upstream = createSocket({ type: "udp4", recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });
    const flow: Flow = {
      client: { ...client },
      upstream,
      uplink: new Link(this.#conditions.uplink, `${this.#seed}/udp ${this.#target.port}/flow ${index}/uplink`),
      downlink: new Link(this.#conditions.downlink, `${this.#seed}/udp ${this.#target.port}/flow ${index}/downlink`),
      lastSeen: performance.now(),
    };
    upstream.on("error", () => this.sendErrors++);
    upstream.on("message", (msg) => {
      flow.lastSeen = performance.now();
      this.#forward(flow.downlink, msg, () => this.#listener.send(msg, flow.client.port, flow.client.address, this.#onSent));
    });
    // dgram queues sends until the bind completes, so the first datagram is not lost
    upstream.bind(0, this.#upstreamHost);
    this.#flows.set(`${client.address}:${client.port}`, flow);
    return flow;
  }

  #forward(link: Link, msg: Buffer, send: () => void): void {
    const verdict = link.offer(performance.now(), msg.length);
    if (!verdict.delivered) return;
    for (const at of verdict.at) this.#scheduler.at(at, send);
  }

  readonly #onSent = (err: Error | null) => {
    if (err) this.sendErrors++;
  };

  #forgetIdle(): void {
    const now = performance.now();
    for (const [key, flow] of this.#flows) {
      if (now - flow.lastSeen < FLOW_IDLE_MS) continue;
      flow.upstream.close();
      this.#flows.delete(key);
    }
  }
}

function bind(host: string): Promise<Socket> {
  const socket = createSocket({ type: "udp4", recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, host, () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}
