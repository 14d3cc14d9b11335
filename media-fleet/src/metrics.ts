/**
 * Prometheus metrics for GET /metrics. A registry per node (not prom-client's global one) so
 * several nodes can live in one process, as they do in tests.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { MediaNode } from "./media-node.js";

/** What the metrics read of the recordings (RecordingManager). */
export interface RecordingGauges {
  readonly uploadsQueued: number;
  readonly ready: boolean;
}

export class NodeMetrics {
  readonly registry = new Registry();
  readonly controlRequests: Counter<"route" | "status">;
  readonly workerDeaths: Counter;
  readonly edgeDeliveryFailures: Counter<"kind">;

  constructor(node: MediaNode, labels: { node: string; region: string }, recordings?: RecordingGauges) {
    this.registry.setDefaultLabels(labels);
    collectDefaultMetrics({ register: this.registry, prefix: "parley_node_" });
    const registers = [this.registry];
    const counts = () => node.counts();
    for (const [name, help, pick] of [
      ["parley_workers", "Live mediasoup workers", (c: ReturnType<typeof counts>) => c.workers],
      ["parley_rooms", "Rooms on this node", (c: ReturnType<typeof counts>) => c.rooms],
      ["parley_routers", "mediasoup routers (one per room)", (c: ReturnType<typeof counts>) => c.routers],
      ["parley_transports", "WebRTC transports", (c: ReturnType<typeof counts>) => c.transports],
      ["parley_producers", "Producers", (c: ReturnType<typeof counts>) => c.producers],
      ["parley_consumers", "Consumers", (c: ReturnType<typeof counts>) => c.consumers],
    ] as const) {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(pick(counts()));
        },
      });
    }
    new Gauge({
      name: "parley_worker_cpu_ratio",
      help: "CPU use of each mediasoup worker since the previous sample (1 = one core busy)",
      labelNames: ["worker"],
      registers,
      async collect() {
        await node.pool.sampleCpu();
        this.reset();
        for (const slot of node.pool.slots) this.set({ worker: String(slot.index) }, slot.cpu);
      },
    });
    new Gauge({
      name: "parley_worker_routers",
      help: "Routers carried by each mediasoup worker",
      labelNames: ["worker"],
      registers,
      collect() {
        this.reset();
        for (const slot of node.pool.slots) this.set({ worker: String(slot.index) }, slot.routers);
      },
    });
    // The heartbeat takes the traffic samples (one window per heartbeat interval); a scrape reads the last one.
    for (const [name, help, pick] of [
      ["parley_media_receive_bits_per_second", "Bits per second clients sent this node, over the last heartbeat interval", "bitrateIn"],
      ["parley_media_send_bits_per_second", "Bits per second this node sent clients, over the last heartbeat interval", "bitrateOut"],
    ] as const) {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(node.traffic.latest[pick]);
        },
      });
    }
    const received = new Counter({
      name: "parley_media_received_bytes_total",
      help: "Bytes clients sent this node's WebRTC transports (counted at each heartbeat)",
      registers,
    });
    const sent = new Counter({
      name: "parley_media_sent_bytes_total",
      help: "Bytes this node's WebRTC transports sent clients (counted at each heartbeat)",
      registers,
    });
    node.traffic.on("sample", (sample) => {
      received.inc(sample.bytesIn);
      sent.inc(sample.bytesOut);
    });
    new Gauge({
      name: "parley_draining",
      help: "1 while the node drains and takes no new rooms",
      registers,
      collect() {
        this.set(node.draining ? 1 : 0);
      },
    });
    if (recordings) {
      new Gauge({
        name: "parley_upload_queue_depth",
        help: "Recording files waiting for or in upload (they wait in the spool while storage is down)",
        registers,
        collect() {
          this.set(recordings.uploadsQueued);
        },
      });
      new Gauge({
        name: "parley_recording_journals_ready",
        help: "1 when the recording journal store (spool or Redis) answers and journals were resumed",
        registers,
        collect() {
          this.set(recordings.ready ? 1 : 0);
        },
      });
    }
    this.controlRequests = new Counter({
      name: "parley_control_requests_total",
      help: "Control API requests by route and HTTP status",
      labelNames: ["route", "status"],
      registers,
    });
    this.workerDeaths = new Counter({
      name: "parley_worker_deaths_total",
      help: "mediasoup workers that died and were replaced",
      registers,
    });
    this.edgeDeliveryFailures = new Counter({
      name: "parley_edge_delivery_failures_total",
      help: "Failed POSTs to the edge (retried)",
      labelNames: ["kind"],
      registers,
    });
    node.pool.on("workerdied", () => this.workerDeaths.inc());
  }
}
