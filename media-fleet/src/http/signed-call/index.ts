/**
 * Middleware: only calls the edge signed for this node, for the room in the path and for this exact
 * body get through, each token once. Order per call: the room id in the path is checked, the body
 * is read (its size was bounded by bodyLimit before any of it was read), the token is verified
 * (node, room, body hash, lifetime) and its jti is spent in the replay guard. The raw body goes on
 * as `c.var.call` for the route's schema.
 */
import { bearerToken, NodeRoomId, ParleyError, verifyControlToken } from "@parley/shared";
import type { MiddlewareHandler } from "hono";
import type { ReplayGuard } from "./replay-guard.js";

export interface SignedCallEnv {
  Variables: { call: { room: string; raw: string } };
}

/** Refuses a path whose room is not a node room id (INVALID_REQUEST), before anything is read. */
export function roomInPath(): MiddlewareHandler<SignedCallEnv> {
  return async (c, next) => {
    const parsed = NodeRoomId.safeParse(c.req.param("room") ?? "");
    if (!parsed.success) throw new ParleyError("INVALID_REQUEST", `bad room id: ${parsed.error.issues[0]?.message}`);
    await next();
  };
}

export function signedCall(o: { nodeId: string; fleetSecret: string; replay: ReplayGuard }): MiddlewareHandler<SignedCallEnv> {
  return async (c, next) => {
    const room = c.req.param("room") ?? "";
    const raw = await c.req.text();
    const claims = await verifyControlToken(bearerToken(c.req.header("authorization")), {
      secret: o.fleetSecret,
      node: o.nodeId,
      room,
      body: raw,
    });
    if (!o.replay.accept(claims.jti, claims.exp)) throw new ParleyError("TOKEN_REPLAYED", "this token was already used; mint one per call");
    c.set("call", { room, raw });
    await next();
  };
}
