/** Worker death and replacement, draining, and signed heartbeats/events to the edge with retries. */
import { FLEET_ROUTES, NodeEventBatch, NodeHeartbeat } from "@parley/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeEdge, fakeEdge } from "./fake-edge.js";
import { startTestNode, type TestNode, waitFor } from "./helpers.js";

let node: TestNode;
let edge: FakeEdge;

beforeAll(async () => {
  edge = await fakeEdge();
  edge.failNext(2); // the first deliveries fail: the reporter must retry, not give up or crash
  node = await startTestNode({ rtcBasePort: 21300, env: { EDGE_URL: edge.url, HEARTBEAT_INTERVAL_MS: "500" } });
});
afterAll(async () => {
  await node?.stop();
  edge?.server.close();
});

describe("node lifecycle", () => {
  it("sends signed heartbeats with its load to the edge", async () => {
    const beat = await waitFor(() => edge.received.find((r) => r.path === FLEET_ROUTES.heartbeat), "a heartbeat");
    expect(beat.iss).toBe(node.nodeId);
    const body = NodeHeartbeat.parse(beat.body);
    expect(body).toMatchObject({
      node: node.nodeId,
      region: "local",
      publicAddress: "127.0.0.1",
      draining: false,
      capacity: { workers: 2 },
    });
    expect(body.load.workers).toBe(2);
  });

  it("delivers room events to the edge, retrying after failures", async () => {
    edge.failNext(2);
    await node.call("POST", "/rooms/evt-room/router", "evt-room", {});
    await node.call("DELETE", "/rooms/evt-room", "evt-room");
    const batch = await waitFor(
      () => edge.received.find((r) => r.path === FLEET_ROUTES.events && JSON.stringify(r.body).includes("evt-room")),
      "the room.closed event at the edge",
    );
    const parsed = NodeEventBatch.parse(batch.body);
    expect(parsed.events).toContainEqual(expect.objectContaining({ type: "room.closed", room: "evt-room", reason: "closed" }));
  });

  it("replaces a worker that dies and closes the rooms it carried", async () => {
    const pool = node.service.node.pool;
    const rooms = ["die-a", "die-b"];
    for (const room of rooms) await node.call("POST", `/rooms/${room}/router`, room, {});
    const victim = node.service.node.rooms.get("die-a")!.workerIndex;
    const doomed = [...node.service.node.rooms.values()].filter((r) => r.workerIndex === victim).map((r) => r.id);
    const pid = pool.slots.find((s) => s.index === victim)!.worker.pid;
    process.kill(pid, "SIGKILL");
    for (const room of doomed) {
      await node.waitForEvent((e): e is typeof e => e.type === "room.closed" && e.room === room && e.reason === "worker-died");
    }
    await waitFor(() => (pool.size === 2 && pool.slots.every((s) => s.worker.pid !== pid) ? true : undefined), "the replacement worker");
    // The replacement takes rooms again on the same WebRtcServer port.
    const fresh = await node.call("POST", "/rooms/after-death/router", "after-death", {});
    expect(fresh.status).toBe(200);
    const metrics = await (await fetch(`${node.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^parley_worker_deaths_total\{[^}]*\} 1$/m);
  });

  it("drains: refuses new rooms, closes the rest, reports draining", async () => {
    await node.call("POST", "/rooms/drain-me/router", "drain-me", {});
    const drained = node.service.node.drain(200);
    const refused = await node.call("POST", "/rooms/too-late/router", "too-late", {});
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe("NODE_DRAINING");
    await drained;
    expect(node.service.node.counts().routers).toBe(0);
    await node.waitForEvent((e): e is typeof e => e.type === "room.closed" && e.room === "drain-me" && e.reason === "draining");
    await waitFor(
      () => edge.received.find((r) => r.path === FLEET_ROUTES.heartbeat && (r.body as { draining: boolean }).draining),
      "a draining heartbeat",
    );
  });
});
