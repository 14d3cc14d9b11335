import { env, SELF } from "cloudflare:test";
import { type NodeHeartbeat, signFleetToken } from "@parley/shared";
import { BASE } from "./helpers.js";

export function heartbeat(node: string, overrides: Partial<NodeHeartbeat> = {}): NodeHeartbeat {
  return {
    node,
    region: "local",
    controlUrl: `http://127.0.0.1:9/${node}`,
    publicAddress: "127.0.0.1",
    capacity: { workers: 2 },
    load: { workers: 2, routers: 0, transports: 0, producers: 0, consumers: 0, cpu: 0 },
    draining: false,
    version: "test",
    startedAt: Date.now(),
    seq: 1,
    ...overrides,
  };
}

/** Posts as a media node would: a fleet token bound to the exact body. */
export async function postAsNode(path: "heartbeat" | "events", body: object & { node: string }, secret = env.FLEET_SECRET as string) {
  const text = JSON.stringify(body);
  const token = await signFleetToken({ secret, node: body.node, body: text });
  return SELF.fetch(`${BASE}/internal/fleet/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: text,
  });
}
