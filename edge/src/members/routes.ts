import { createRoute, z } from "@hono/zod-openapi";
import { KickUserRequest, KickUserResponseSchema, MuteUserRequest, MuteUserResponseSchema, RoomName, UserId } from "@parley/shared";
import { unwrap } from "../durable/rpc-result.js";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, jsonBody, SECURITY, withJsonBody } from "../openapi/route.js";
import { roomStub } from "../rooms/room-do.js";

const MemberParams = z.object({ room: RoomName, user: UserId });
// per route, not `.use()`: this group shares /v1/rooms with the signalling upgrade and the other room groups
const common = { tags: ["rooms"], security: SECURITY.app, middleware: appAuth };

/** `/v1/rooms/{room}/members/{user}`: the app removes or mutes a user's members in a room. */
export const memberRoutes = documentedRoutes<AppAuthEnv>();

memberRoutes.openapi(
  withJsonBody(
    memberRoutes,
    createRoute({
      ...common,
      method: "delete",
      path: "/{room}/members/{user}",
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

memberRoutes.openapi(
  withJsonBody(
    memberRoutes,
    createRoute({
      ...common,
      method: "post",
      path: "/{room}/members/{user}/mute",
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
