import { env, runInDurableObject, SELF } from "cloudflare:test";
import { CONTROL_LIMITS, signFleetToken } from "@parley/shared";
import { describe, expect, it } from "vitest";
import { heartbeat, postAsNode } from "../../test/fleet.js";
import { BASE, createApp, joined, operatorFetch, streamedBody } from "../../test/helpers.js";
import { fleetStub, NODE_DOWN_AFTER_MS } from "./fleet-do.js";

describe("fleet registry", () => {
  it("nodes register with signed heartbeats and show up for operators", async () => {
    const res = await postAsNode("heartbeat", heartbeat("node-a", { region: "eu-1" }));
    expect(await res.json()).toEqual({ ok: true, status: "up" });
    const list = await (await operatorFetch("/v1/fleet/nodes?region=eu-1")).json<{ nodes: { node: string; status: string }[] }>();
    expect(list.nodes.map((n) => [n.node, n.status])).toEqual([["node-a", "up"]]);
  });

  it("keeps each node's traffic from its heartbeats: the nodes list and the Prometheus page show it", async () => {
    const load = {
      workers: 2,
      routers: 1,
      transports: 2,
      producers: 2,
      consumers: 2,
      cpu: 0.25,
      bitrateIn: 1_250_000,
      bitrateOut: 2_500_000,
    };
    await postAsNode("heartbeat", heartbeat("node-t", { region: "traffic", load }));
    await postAsNode("heartbeat", heartbeat("node-old", { region: "traffic" })); // a node from before the field
    const list = await (await operatorFetch("/v1/fleet/nodes?region=traffic")).json<{ nodes: { node: string; load: object }[] }>();
    expect(list.nodes.find((n) => n.node === "node-t")?.load).toEqual(load);
    expect(list.nodes.find((n) => n.node === "node-old")?.load).not.toHaveProperty("bitrateIn");

    const res = await operatorFetch("/v1/fleet/metrics?region=traffic");
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    expect(text).toContain('parley_fleet_node_receive_bits_per_second{region="traffic",node="node-t"} 1250000\n');
    expect(text).toContain('parley_fleet_node_send_bits_per_second{region="traffic",node="node-t"} 2500000\n');
    expect(text).toContain('parley_fleet_node_send_bits_per_second{region="traffic",node="node-old"} 0\n');
    expect(text).toContain('parley_fleet_nodes{region="traffic",status="up"} 2\n');
    expect(text).toContain('parley_fleet_node_cpu_ratio{region="traffic",node="node-t"} 0.25\n');
  });

  it("refuses unsigned, wrongly signed, and mismatched heartbeats", async () => {
    const body = JSON.stringify(heartbeat("node-x"));
    const unsigned = await SELF.fetch(`${BASE}/internal/fleet/heartbeat`, { method: "POST", body });
    expect((await unsigned.json<{ error: { code: string } }>()).error.code).toBe("TOKEN_MISSING");
    const forged = await postAsNode("heartbeat", heartbeat("node-x"), "another-secret-0123456789abcdef0123456789");
    expect((await forged.json<{ error: { code: string } }>()).error.code).toBe("TOKEN_BAD_SIGNATURE");
    // a token for one body cannot carry another
    const token = await signFleetToken({ secret: env.FLEET_SECRET as string, node: "node-x", body });
    const swapped = await SELF.fetch(`${BASE}/internal/fleet/heartbeat`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify(heartbeat("node-x", { seq: 2 })),
    });
    expect((await swapped.json<{ error: { code: string } }>()).error.code).toBe("TOKEN_BAD_SIGNATURE");
    // node-y cannot speak for node-x
    const text = JSON.stringify(heartbeat("node-x"));
    const asY = await signFleetToken({ secret: env.FLEET_SECRET as string, node: "node-y", body: text });
    const impersonation = await SELF.fetch(`${BASE}/internal/fleet/heartbeat`, {
      method: "POST",
      headers: { authorization: `Bearer ${asY}` },
      body: text,
    });
    expect((await impersonation.json<{ error: { code: string } }>()).error.code).toBe("FORBIDDEN");
    const invalid = await postAsNode("heartbeat", { ...heartbeat("node-x"), capacity: { workers: -1 } } as object & { node: string });
    expect(invalid.status).toBe(400);
  });

  it("refuses an unsigned or oversized fleet body without reading it all", async () => {
    const streamed = () => streamedBody();
    const chunk = { byteLength: streamedBody().chunkBytes };
    const post = (body: ReadableStream<Uint8Array> | string, headers: Record<string, string>) =>
      SELF.fetch(`${BASE}/internal/fleet/heartbeat`, { method: "POST", headers, body });
    const errorCode = async (res: Response) => (await res.json<{ error: { code: string } }>()).error.code;

    const unsigned = streamed();
    const noToken = await post(unsigned.body, {});
    expect([noToken.status, await errorCode(noToken)]).toEqual([401, "TOKEN_MISSING"]);
    expect(unsigned.pulled()).toBeLessThanOrEqual(chunk.byteLength);

    const garbled = streamed();
    const notAJwt = await post(garbled.body, { authorization: "Bearer not-a-jwt" });
    expect([notAJwt.status, await errorCode(notAJwt)]).toEqual([401, "TOKEN_MALFORMED"]);
    expect(garbled.pulled()).toBeLessThanOrEqual(chunk.byteLength);

    // a well-formed token (for some other body) and no Content-Length: the read stops at the limit
    const token = await signFleetToken({ secret: env.FLEET_SECRET as string, node: "node-big", body: "{}" });
    const big = streamed();
    const tooLarge = await post(big.body, { authorization: `Bearer ${token}` });
    expect([tooLarge.status, await errorCode(tooLarge)]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    expect(big.pulled()).toBeLessThanOrEqual(CONTROL_LIMITS.bodyBytes + chunk.byteLength);

    // a declared length over the limit is refused before any read
    const declared = await post(" ".repeat(CONTROL_LIMITS.bodyBytes + 1), { authorization: `Bearer ${token}` });
    expect([declared.status, await errorCode(declared)]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
  });

  it("places rooms on the least-loaded node that is up; draining and silent nodes get none", async () => {
    const busy = { workers: 2, routers: 10, transports: 40, producers: 20, consumers: 80, cpu: 0.5 };
    await postAsNode("heartbeat", heartbeat("busy", { region: "p", load: busy }));
    await postAsNode("heartbeat", heartbeat("idle", { region: "p" }));
    await postAsNode("heartbeat", heartbeat("leaving", { region: "p", draining: true }));
    const fleet = fleetStub(env, "p");
    expect((await fleet.place())?.node).toBe("idle");

    // idle goes silent: after the heartbeat timeout it is down and busy takes the rooms
    await runInDurableObject(fleet, (_, state) => {
      state.storage.sql.exec("UPDATE nodes SET last_seen = ? WHERE node = 'idle'", Date.now() - NODE_DOWN_AFTER_MS - 1);
    });
    const nodes = await fleet.nodes();
    expect(Object.fromEntries(nodes.map((n) => [n.node, n.status]))).toEqual({ busy: "up", idle: "down", leaving: "draining" });
    expect((await fleet.place())?.node).toBe("busy");
  });

  it("media requests without any node get NODE_UNAVAILABLE, and chat still works", async () => {
    const app = await createApp();
    const a = await joined(app, "no-media", "a");
    const res = await a.client.request("media.capabilities");
    expect(!res.ok && res.error.code).toBe("NODE_UNAVAILABLE");
    expect((await a.client.ok("message", { text: "hi" })).delivered).toBe(0);
  });
});
