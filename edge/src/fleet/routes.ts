import { createRoute, z } from "@hono/zod-openapi";
import {
  bearerToken,
  CONTROL_LIMITS,
  FleetEventBatch,
  FleetNodesResponseSchema,
  NodeHeartbeat,
  ParleyError,
  Region,
  verifyFleetToken,
  zodToParleyError,
} from "@parley/shared";
import { type Context, Hono } from "hono";
import { config } from "../config/index.js";
import type { HonoEnv } from "../env.js";
import { readLimitedText } from "../http/limited-body.js";
import { readParam } from "../http/validate.js";
import { operatorAuth } from "../middleware/operator-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, SECURITY } from "../openapi/route.js";
import { JWT_SHAPE } from "../tokens/verify.js";
import { EXPOSITION_CONTENT_TYPE, fleetExposition } from "./exposition.js";
import { fleetStub } from "./fleet-do.js";

/** Reads a node's signed POST: the token must verify with FLEET_SECRET and be bound to this body. */
async function readSigned<S extends typeof NodeHeartbeat | typeof FleetEventBatch>(c: Context<HonoEnv>, schema: S) {
  const secret = config(c.env).fleetSecret;
  if (!secret) throw new ParleyError("NODE_UNAVAILABLE", "this edge has no FLEET_SECRET: media nodes cannot register");
  // the token's presence and shape, and the size, are checked before the body is read
  const token = bearerToken(c.req.header("authorization"));
  if (!token) throw new ParleyError("TOKEN_MISSING", "fleet calls need Authorization: Bearer <fleet token>");
  if (!JWT_SHAPE.test(token)) throw new ParleyError("TOKEN_MALFORMED", "the fleet token is not a JWT (header.payload.signature)");
  const body = await readLimitedText(c.req.raw, CONTROL_LIMITS.bodyBytes, "fleet bodies");
  const claims = await verifyFleetToken(token, { secret, body });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (cause) {
    throw new ParleyError("INVALID_REQUEST", "body is not valid JSON", { cause });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw zodToParleyError(parsed.error);
  const value = parsed.data as { node: string };
  if (value.node !== claims.iss) throw new ParleyError("FORBIDDEN", "the token's node (iss) does not match the body's node");
  return parsed.data as S["_output"];
}

/** Media nodes → edge: heartbeats (node-only and signed per body, so not in the public OpenAPI document; protocol.md §5) to the region's Fleet DO, events to the rooms they concern. */
export const fleetInternalRoutes = new Hono<HonoEnv>()
  .post("/heartbeat", async (c) => {
    const beat = await readSigned(c, NodeHeartbeat);
    const status = await fleetStub(c.env, beat.region).heartbeat(beat);
    return c.json({ ok: true, status });
  })
  .post("/events", async (c) => {
    const batch = await readSigned(c, FleetEventBatch);
    const byRoom = new Map<string, typeof batch.events>();
    for (const event of batch.events) byRoom.set(event.room, [...(byRoom.get(event.room) ?? []), event]);
    // node room ids are the Room DOs' own names (appKey:room)
    await Promise.all([...byRoom].map(([room, events]) => c.env.ROOMS.get(c.env.ROOMS.idFromName(room)).nodeEvents(batch.node, events)));
    return c.json({ ok: true, accepted: batch.events.length });
  });

/** Operator view of a region's nodes. */
export const fleetRoutes = documentedRoutes<HonoEnv>();
fleetRoutes.use(operatorAuth);
fleetRoutes.openapi(
  createRoute({
    method: "get",
    path: "/nodes",
    tags: ["fleet"],
    security: SECURITY.operator,
    summary: "A region's media nodes: address, load, status",
    request: { query: z.object({ region: Region.optional().meta({ description: "default: the edge's DEFAULT_REGION" }) }) },
    responses: { 200: json(FleetNodesResponseSchema, "the nodes, by id"), ...errors(...AUTH_ERRORS.operator, "INVALID_REQUEST") },
  }),
  async (c) => {
    const region = c.req.valid("query").region ?? readParam(config(c.env).defaultRegion, Region, "region");
    return c.json({ region, nodes: await fleetStub(c.env, region).nodes() }, 200);
  },
);
fleetRoutes.openapi(
  createRoute({
    method: "get",
    path: "/metrics",
    tags: ["fleet"],
    security: SECURITY.operator,
    summary: "A region's media nodes as the edge sees them, for Prometheus (text exposition format)",
    description:
      "Per node: up, draining, seconds since its last heartbeat, workers, rooms, transports, consumers, CPU, and bits per second in and out as last reported. `infra/deploy/templates` scrapes it next to the nodes' own `/metrics`.",
    request: { query: z.object({ region: Region.optional().meta({ description: "default: the edge's DEFAULT_REGION" }) }) },
    responses: {
      200: { description: "Prometheus text exposition format 0.0.4", content: { "text/plain": { schema: z.string() } } },
      ...errors(...AUTH_ERRORS.operator, "INVALID_REQUEST"),
    },
  }),
  async (c) => {
    const region = c.req.valid("query").region ?? readParam(config(c.env).defaultRegion, Region, "region");
    const text = fleetExposition(region, await fleetStub(c.env, region).nodes());
    return c.text(text, 200, { "content-type": EXPOSITION_CONTENT_TYPE });
  },
);
