import { CloseRoomRequest, type CloseRoomResponse, ParleyError, RoomName } from "@parley/shared";
import { Hono } from "hono";
import type { HonoEnv } from "../env.js";
import { readJson, readParam } from "../http/validate.js";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { verifyAccessToken } from "../tokens/verify.js";
import { IDENTITY_HEADER, roomStub } from "./room-do.js";
import { refuseSocket } from "./sockets.js";

/** `GET /v1/rooms/:room/signal?token=…`: verify here, then hand the socket to the room's DO. */
export const signalRoutes = new Hono<HonoEnv>().get("/:room/signal", async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ParleyError("INVALID_REQUEST", "this endpoint is a WebSocket: connect with Upgrade: websocket");
  }
  try {
    const room = readParam(c.req.param("room"), RoomName, "room");
    const identity = await verifyAccessToken(c.env, c.req.query("token"), room, c.req.query("app"));
    const headers = new Headers(c.req.raw.headers);
    headers.set(IDENTITY_HEADER, JSON.stringify(identity));
    return roomStub(c.env, identity.appKey, room).fetch(new Request(c.req.raw.url, { headers }));
  } catch (err) {
    if (err instanceof ParleyError) return refuseSocket(err);
    throw err;
  }
});

/** App-authenticated room administration. */
export const roomAdminRoutes = new Hono<AppAuthEnv>().use(appAuth).delete("/:room", async (c) => {
  const room = readParam(c.req.param("room"), RoomName, "room");
  const body = await readJson(c, CloseRoomRequest);
  const removed = await roomStub(c.env, c.get("app").appKey, room).close(body.reason ?? "closed by the app");
  return c.json({ room, removed } satisfies CloseRoomResponse);
});
