import { createRoute, z } from "@hono/zod-openapi";
import { CloseRoomRequest, CloseRoomResponseSchema, ERROR_CODES, ParleyError, RoomName } from "@parley/shared";
import { refuseSocket } from "../durable/sockets.js";
import type { HonoEnv } from "../env.js";
import { readParam } from "../http/validate.js";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, handlerValidates, json, jsonBody, SECURITY, withJsonBody } from "../openapi/route.js";
import { verifyAccessToken } from "../tokens/verify.js";
import { IDENTITY_HEADER, roomStub } from "./room-do.js";

const RoomParams = z.object({ room: RoomName });

/** `GET /v1/rooms/:room/signal?token=…`: verify here, then hand the socket to the room's DO. */
export const signalRoutes = documentedRoutes<HonoEnv>();
signalRoutes.openapi(
  handlerValidates(
    signalRoutes,
    createRoute({
      method: "get",
      path: "/{room}/signal",
      tags: ["rooms"],
      security: SECURITY.token,
      summary: "The signalling WebSocket",
      description:
        "Send `Upgrade: websocket`. Frames are described in docs/protocol.md §2. A refused connection is still upgraded: one error frame `{id: null, ok: false, error}` then close code 4000 + the error's HTTP status.",
      request: {
        params: RoomParams,
        query: z.object({
          token: z.string().optional().meta({ description: "the access token (or an opaque auth-centre token with `app`)" }),
          app: z.string().optional().meta({ description: "the AppKey, with an auth-centre token" }),
        }),
      },
      responses: {
        101: {
          description: `switching protocols; refusals arrive as an error frame (${ERROR_CODES.filter((c) => c.startsWith("TOKEN_") || c.startsWith("LICENCE_") || c.startsWith("AUTH_CENTRE_")).join(", ")}, APP_UNKNOWN, APP_DISABLED)`,
        },
        ...errors("INVALID_REQUEST"),
      },
    }),
  ),
  async (c) => {
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
  },
);

/** `DELETE /v1/rooms/{room}`: the app closes a room. */
export const roomAdminRoutes = documentedRoutes<AppAuthEnv>();
roomAdminRoutes.openapi(
  withJsonBody(
    roomAdminRoutes,
    createRoute({
      method: "delete",
      path: "/{room}",
      tags: ["rooms"],
      security: SECURITY.app,
      // per route, not `.use()`: this group shares /v1/rooms with the signalling upgrade and the other room groups
      middleware: appAuth,
      summary: "Close a room",
      description: "Everyone gets `room.closed` (with `reason`) and is removed. The body is optional.",
      request: { params: RoomParams, body: jsonBody(CloseRoomRequest) },
      responses: {
        200: json(CloseRoomResponseSchema, "how many members were removed"),
        ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "PAYLOAD_TOO_LARGE"),
      },
    }),
  ),
  async (c) => {
    const { room } = c.req.valid("param");
    const body = c.req.valid("json");
    const removed = await roomStub(c.env, c.get("app").appKey, room).close(body.reason ?? "closed by the app");
    return c.json({ room, removed }, 200);
  },
);
