import { createRoute, z } from "@hono/zod-openapi";
import { NotifyRequest, NotifyResponseSchema, SessionsResponseSchema, UserId } from "@parley/shared";
import { appStub } from "../licences/app-do.js";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, jsonBody, SECURITY, withJsonBody } from "../openapi/route.js";
import { roomStub } from "../rooms/room-do.js";

const UserParams = z.object({ user: UserId });
const common = { tags: ["users"], security: SECURITY.app };

/** Signal locator: where is a user connected, and reach them there (e.g. an invite). */
export const locatorRoutes = documentedRoutes<AppAuthEnv>();
locatorRoutes.use(appAuth);

locatorRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/{user}/sessions",
    summary: "A user's live sessions across the app's rooms",
    request: { params: UserParams },
    responses: { 200: json(SessionsResponseSchema, "the sessions, oldest first"), ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST") },
  }),
  async (c) => {
    const { user } = c.req.valid("param");
    const sessions = await appStub(c.env, c.get("app").appKey).sessions(user);
    return c.json({ user, sessions }, 200);
  },
);

locatorRoutes.openapi(
  withJsonBody(
    locatorRoutes,
    createRoute({
      ...common,
      method: "post",
      path: "/{user}/notify",
      summary: "Send a notification event to each of a user's sessions",
      description: "`data` is at most 4096 bytes of JSON; each session gets a `notification` signalling event.",
      request: { params: UserParams, body: jsonBody(NotifyRequest) },
      responses: {
        200: json(NotifyResponseSchema, "how many sessions it reached"),
        ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "PAYLOAD_TOO_LARGE"),
      },
    }),
  ),
  async (c) => {
    const { user } = c.req.valid("param");
    const { data } = c.req.valid("json");
    const appKey = c.get("app").appKey;
    const sessions = await appStub(c.env, appKey).sessions(user);
    const byRoom = new Map<string, string[]>();
    for (const s of sessions) byRoom.set(s.room, [...(byRoom.get(s.room) ?? []), s.member]);
    const counts = await Promise.all([...byRoom].map(([room, members]) => roomStub(c.env, appKey, room).notify(members, data)));
    return c.json({ delivered: counts.reduce((a, b) => a + b, 0) }, 200);
  },
);
