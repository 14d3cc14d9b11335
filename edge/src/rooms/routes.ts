import { createRoute, z } from "@hono/zod-openapi";
import {
  CloseRoomRequest,
  CloseRoomResponseSchema,
  ERROR_CODES,
  KickUserRequest,
  KickUserResponseSchema,
  MuteUserRequest,
  MuteUserResponseSchema,
  ParleyError,
  RoomName,
  UserId,
} from "@parley/shared";
import { unwrap } from "../durable/rpc-result.js";
import { refuseSocket } from "../durable/sockets.js";
import type { HonoEnv } from "../env.js";
import { readParam } from "../http/validate.js";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, handlerValidates, json, jsonBody, SECURITY, withJsonBody } from "../openapi/route.js";
import { verifyAccessToken } from "../tokens/verify.js";
import { IDENTITY_HEADER, roomStub } from "./room-do.js";

const RoomParams = z.object({ room: RoomName });
const MemberParams = z.object({ room: RoomName, user: UserId });

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

/** App-authenticated room administration. */
export const roomAdminRoutes = documentedRoutes<AppAuthEnv>();
roomAdminRoutes.use(appAuth);
roomAdminRoutes.openapi(
  withJsonBody(
    roomAdminRoutes,
    createRoute({
      method: "delete",
      path: "/{room}",
      tags: ["rooms"],
      security: SECURITY.app,
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

roomAdminRoutes.openapi(
  withJsonBody(
    roomAdminRoutes,
    createRoute({
      method: "delete",
      path: "/{room}/members/{user}",
      tags: ["rooms"],
      security: SECURITY.app,
      summary: "Remove a user from a room",
      description:
        'Every member with this user id gets `kicked` (`by: "app"`, with `reason`) and close code 4001; the others get `member.left` with reason `kicked`. Tokens for this user and room issued up to now are refused (`TOKEN_REVOKED`), whether or not the user was in the room. The body is optional.',
      request: { params: MemberParams, body: jsonBody(KickUserRequest) },
      responses: {
        200: json(KickUserResponseSchema, "how many of the user's members were removed (0 if none was in the room)"),
        ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "PAYLOAD_TOO_LARGE"),
      },
    }),
  ),
  async (c) => {
    const { room, user } = c.req.valid("param");
    const removed = await roomStub(c.env, c.get("app").appKey, room).kickUser(user, c.req.valid("json").reason);
    return c.json({ room, user, removed }, 200);
  },
);

roomAdminRoutes.openapi(
  withJsonBody(
    roomAdminRoutes,
    createRoute({
      method: "post",
      path: "/{room}/members/{user}/mute",
      tags: ["rooms"],
      security: SECURITY.app,
      summary: "Mute a user's tracks",
      description:
        "Pauses the user's tracks in the room that match `kind` and `source` (all of them when neither is given) on the media node, and sends `track.muted` to everyone, the muted member included. Tracks already paused are not counted. The member can unmute (`producer.resume`).",
      request: { params: MemberParams, body: jsonBody(MuteUserRequest) },
      responses: {
        200: json(MuteUserResponseSchema, "how many tracks were paused (0 when the user has no matching track here)"),
        ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "PAYLOAD_TOO_LARGE", "NODE_UNAVAILABLE"),
      },
    }),
  ),
  async (c) => {
    const { room, user } = c.req.valid("param");
    const muted = unwrap(await roomStub(c.env, c.get("app").appKey, room).muteUser(user, c.req.valid("json")));
    return c.json({ muted }, 200);
  },
);
