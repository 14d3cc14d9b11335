/**
 * The Fleet DO's view of a region in Prometheus' text exposition format (version 0.0.4), for
 * `GET /v1/fleet/metrics`: what the edge believes about each node, next to what the nodes say of
 * themselves on their own /metrics. prom-client needs Node, so the few gauges are written here.
 */
import type { NodeStatus, NodeView } from "./fleet-do.js";

export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const STATUSES: NodeStatus[] = ["up", "draining", "down"];

interface Family {
  name: string;
  help: string;
  value: (n: NodeView, now: number) => number;
}

/** One gauge per node each; the node's identity is in the `region` and `node` labels. */
const NODE_FAMILIES: Family[] = [
  { name: "parley_fleet_node_up", help: "1 when the node heartbeats and takes rooms", value: (n) => (n.status === "up" ? 1 : 0) },
  { name: "parley_fleet_node_draining", help: "1 while the node drains", value: (n) => (n.status === "draining" ? 1 : 0) },
  {
    name: "parley_fleet_node_heartbeat_age_seconds",
    help: "Seconds since the node's last heartbeat reached the edge",
    value: (n, now) => Math.max(0, (now - n.lastSeen) / 1000),
  },
  { name: "parley_fleet_node_workers", help: "mediasoup workers the node reports", value: (n) => n.workers },
  { name: "parley_fleet_node_rooms", help: "Rooms (routers) on the node", value: (n) => n.load.routers },
  { name: "parley_fleet_node_transports", help: "WebRTC transports on the node", value: (n) => n.load.transports },
  { name: "parley_fleet_node_consumers", help: "Consumers on the node", value: (n) => n.load.consumers },
  {
    name: "parley_fleet_node_cpu_ratio",
    help: "Mean worker CPU the node reported (1 = one core per worker busy)",
    value: (n) => n.load.cpu,
  },
  {
    name: "parley_fleet_node_receive_bits_per_second",
    help: "Bits per second clients sent the node, as last reported",
    value: (n) => n.load.bitrateIn ?? 0,
  },
  {
    name: "parley_fleet_node_send_bits_per_second",
    help: "Bits per second the node sent clients, as last reported",
    value: (n) => n.load.bitrateOut ?? 0,
  },
];

export function fleetExposition(region: string, nodes: NodeView[], now = Date.now()): string {
  const lines: string[] = [
    "# HELP parley_fleet_nodes Media nodes the region's Fleet DO knows, by status",
    "# TYPE parley_fleet_nodes gauge",
  ];
  for (const status of STATUSES) {
    lines.push(`parley_fleet_nodes${labels({ region, status })} ${nodes.filter((n) => n.status === status).length}`);
  }
  for (const family of NODE_FAMILIES) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} gauge`);
    for (const n of nodes) lines.push(`${family.name}${labels({ region, node: n.node })} ${number(family.value(n, now))}`);
  }
  return `${lines.join("\n")}\n`;
}

function labels(values: Record<string, string>): string {
  const pairs = Object.entries(values).map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`);
  return `{${pairs.join(",")}}`;
}

function number(value: number): string {
  return Number.isFinite(value) ? String(value) : "NaN";
}
