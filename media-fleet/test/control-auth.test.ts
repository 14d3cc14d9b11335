/** The control API refuses every call that is not signed for this node and this room. */
import { CONTROL_LIMITS, signControlToken } from "@parley/shared";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLEET_SECRET, startTestNode, type TestNode } from "./helpers.js";

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode({ rtcBasePort: 21100 });
});
afterAll(() => node?.stop());

const ROUTER = (room: string) => `/rooms/${encodeURIComponent(room)}/router`;

describe("control API authentication", () => {
  it("accepts a call signed for this node and room", async () => {
    const { status, json } = await node.call("POST", ROUTER("ak_test:auth-ok"), "ak_test:auth-ok", {});
    expect(status).toBe(200);
    expect(json.routerId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses a call without a token", async () => {
    const { status, json } = await node.call("POST", ROUTER("r1"), "r1", {}, { token: null });
    expect(status).toBe(401);
    expect(json.error.code).toBe("TOKEN_MISSING");
  });

  it("refuses a token signed with another secret", async () => {
    const { status, json } = await node.call("POST", ROUTER("r1"), "r1", {}, { secret: "another-secret-that-is-long-enough-xx" });
    expect(status).toBe(401);
    expect(json.error.code).toBe("TOKEN_BAD_SIGNATURE");
  });

  it("refuses an expired token", async () => {
    const longAgo = Math.floor(Date.now() / 1000) - 3600;
    const { status, json } = await node.call("POST", ROUTER("r1"), "r1", {}, { now: longAgo });
    expect(status).toBe(401);
    expect(json.error.code).toBe("TOKEN_EXPIRED");
  });

  it("refuses a token addressed to another node", async () => {
    const { status, json } = await node.call("POST", ROUTER("r1"), "r1", {}, { node: "some-other-node" });
    expect(status).toBe(403);
    expect(json.error.code).toBe("TOKEN_WRONG_NODE");
  });

  it("refuses a token naming another room", async () => {
    const { status, json } = await node.call("POST", ROUTER("r1"), "r1", {}, { room: "r2" });
    expect(status).toBe(403);
    expect(json.error.code).toBe("TOKEN_WRONG_ROOM");
  });

  it("refuses garbage, alg none and long-lived tokens", async () => {
    const garbage = await node.call("POST", ROUTER("r1"), "r1", {}, { token: "not.a.jwt" });
    expect(garbage.json.error.code).toBe("TOKEN_MALFORMED");
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const claims = Buffer.from(
      JSON.stringify({ iss: "parley-edge", aud: node.nodeId, room: "r1", iat: now, exp: now + 60, jti: "abcdefghijkl" }),
    ).toString("base64url");
    const unsigned = await node.call("POST", ROUTER("r1"), "r1", {}, { token: `${header}.${claims}.` });
    expect(unsigned.status).toBe(401);
    expect(unsigned.json.error.code).toBe("TOKEN_MALFORMED");
    const longLived = await new SignJWT({ room: "r1" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("parley-edge")
      .setAudience(node.nodeId)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .setJti("abcdefghijklmnop")
      .sign(new TextEncoder().encode(FLEET_SECRET));
    const tooLong = await node.call("POST", ROUTER("r1"), "r1", {}, { token: longLived });
    expect(tooLong.status).toBe(401);
    expect(tooLong.json.error.code).toBe("TOKEN_MALFORMED");
  });

  it("refuses a replayed token and a token signed for another body", async () => {
    const body = JSON.stringify({});
    const token = await signControlToken({ secret: FLEET_SECRET, node: node.nodeId, room: "r-replay", body });
    const first = await node.call("POST", ROUTER("r-replay"), "r-replay", {}, { token });
    expect(first.status).toBe(200);
    const again = await node.call("POST", ROUTER("r-replay"), "r-replay", {}, { token });
    expect(again.status).toBe(401);
    expect(again.json.error.code).toBe("TOKEN_REPLAYED");
    const forOtherBody = await signControlToken({
      secret: FLEET_SECRET,
      node: node.nodeId,
      room: "r-replay",
      body: '{"direction":"recv"}',
    });
    const swapped = await node.call("POST", "/rooms/r-replay/transports", "r-replay", { direction: "send" }, { token: forOtherBody });
    expect(swapped.status).toBe(401);
    expect(swapped.json.error.code).toBe("TOKEN_BAD_SIGNATURE");
  });

  it("validates bodies and bounds their size", async () => {
    await node.call("POST", ROUTER("r-body"), "r-body", {});
    const bad = await node.call("POST", "/rooms/r-body/transports", "r-body", { direction: "sideways" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("INVALID_REQUEST");
    const huge = await node.call("POST", "/rooms/r-body/transports", "r-body", {
      direction: "send",
      member: "x".repeat(CONTROL_LIMITS.bodyBytes),
    });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("answers unknown rooms, routes and ids with typed 404s", async () => {
    const noRoom = await node.call("POST", "/rooms/nowhere/transports", "nowhere", { direction: "send" });
    expect(noRoom.status).toBe(404);
    expect(noRoom.json.error.code).toBe("ROOM_NOT_ON_NODE");
    await node.call("POST", ROUTER("r-404"), "r-404", {});
    const noTransport = await node.call("POST", "/rooms/r-404/transports/0000/restart-ice", "r-404", {});
    expect(noTransport.json.error.code).toBe("TRANSPORT_NOT_FOUND");
    const unknown = await fetch(`${node.baseUrl}/nope`);
    expect(unknown.status).toBe(404);
  });

  it("serves /healthz and /metrics without a token", async () => {
    const health = await fetch(`${node.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, workers: 2 });
    const metrics = await (await fetch(`${node.baseUrl}/metrics`)).text();
    for (const gauge of [
      "parley_routers",
      "parley_transports",
      "parley_producers",
      "parley_consumers",
      "parley_workers",
      "parley_worker_cpu_ratio",
    ]) {
      expect(metrics).toContain(`# TYPE ${gauge} gauge`);
    }
    expect(metrics).toMatch(/parley_control_requests_total\{route="getOrCreateRouter",status="401"/);
  });
});
