/** A stand-in for the edge's /internal/fleet routes that verifies signatures, records what arrives, and fails on demand. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FLEET_ROUTES, type FleetEvent, FleetEventBatch, verifyFleetToken } from "@parley/shared";
import { FLEET_SECRET } from "./helpers.js";

export interface Received {
  path: string;
  body: unknown;
  iss: string;
}

export interface FakeEdge {
  url: string;
  received: Received[];
  /** Every event delivered so far, in order. */
  events(): FleetEvent[];
  failNext(n: number): void;
  server: Server;
}

export async function fakeEdge(): Promise<FakeEdge> {
  const received: Received[] = [];
  let failures = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      if (failures > 0) {
        failures--;
        res.writeHead(503).end();
        return;
      }
      try {
        const claims = await verifyFleetToken(req.headers.authorization?.replace(/^Bearer /, ""), { secret: FLEET_SECRET, body: raw });
        received.push({ path: req.url ?? "", body: JSON.parse(raw), iss: claims.iss });
        res.writeHead(204).end();
      } catch {
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    events: () => received.filter((r) => r.path === FLEET_ROUTES.events).flatMap((r) => FleetEventBatch.parse(r.body).events),
    failNext: (n) => {
      failures = n;
    },
    server,
  };
}
