/** Messages between NetLab (the API) and the relay process it starts (lab-process.ts), over Node IPC. */
import { z } from "zod/v4";
import { LabConditionsSchema } from "./conditions.js";
import type { LinkCounters } from "./link.js";
import type { FlowStats } from "./udp-relay.js";

export const LabRequestSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("start"),
    id: z.number(),
    address: z.ipv4(),
    ports: z.array(z.number().int().min(1).max(65_535)).min(1).max(64),
    conditions: LabConditionsSchema,
    seed: z.string().max(200),
  }),
  z.strictObject({ type: z.literal("set"), id: z.number(), conditions: LabConditionsSchema }),
  z.strictObject({ type: z.literal("stats"), id: z.number() }),
  z.strictObject({ type: z.literal("stop"), id: z.number() }),
]);
export type LabRequest = z.infer<typeof LabRequestSchema>;

export interface RelayPorts {
  /** The node's port clients send to. */
  port: number;
  udpRelayPort: number;
  tcpRelayPort: number;
}

export interface LabStats {
  /** Sums over every UDP flow. */
  uplink: LinkCounters;
  downlink: LinkCounters;
  flows: FlowStats[];
  tcpConnections: number;
  /** Datagrams the relay failed to send (its own losses, beyond the configured ones). */
  sendErrors: number;
  /** Datagrams the kernel dropped on the relay's own sockets (full receive buffers): its own losses before it saw them. */
  socketDrops: number;
  /** The scheduling priority the relay process got ("realtime", "nice -10" or "normal"). */
  priority: string;
  /** How late the relay delivered against the planned time: its own jitter. */
  lateness: { count: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** Datagrams in flight inside the relay now. */
  inFlight: number;
}

export type LabReply =
  | { type: "ready"; id: number; relays: RelayPorts[]; table: string }
  | { type: "ok"; id: number }
  | { type: "stats"; id: number; stats: LabStats }
  | { type: "error"; id: number; message: string };
