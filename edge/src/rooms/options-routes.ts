import { createRoute, z } from "@hono/zod-openapi";
import { compositeTargets, RoomName, RoomOptionsRequest, RoomOptionsSchema } from "@parley/shared";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, jsonBody, SECURITY, withJsonBody } from "../openapi/route.js";
import { checkTenantTargets } from "../outbound/tenant-targets.js";
import { roomStub } from "./room-do.js";

const common = { tags: ["rooms"], security: SECURITY.app, request: { params: z.object({ room: RoomName }) } };

/** `/v1/rooms/{room}/options`: a room's own auto-record, over the app's recording settings. */
export const roomOptionRoutes = documentedRoutes<AppAuthEnv>();
roomOptionRoutes.use(appAuth);

roomOptionRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/{room}/options",
    summary: "Read a room's options",
    description: "`autoRecord` as it applies to the room, from the room's own option or else the app's recording settings.",
    responses: { 200: json(RoomOptionsSchema, "the room's options"), ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST") },
  }),
  async (c) => {
    const { room } = c.req.valid("param");
    const appKey = c.get("app").appKey;
    return c.json(await roomStub(c.env, appKey, room).roomOptions(appKey, room), 200);
  },
);

roomOptionRoutes.openapi(
  withJsonBody(
    roomOptionRoutes,
    createRoute({
      ...common,
      method: "put",
      path: "/{room}/options",
      summary: "Set a room's options",
      description:
        "`autoRecord`: an object records the room's calls by themselves (from the first published track until the room empties), null never does, whatever the app's setting; leave it out to follow the app again. Kept while the room is empty.",
      request: { ...common.request, body: jsonBody(RoomOptionsRequest) },
      responses: {
        200: json(RoomOptionsSchema, "the room's options now"),
        ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "PAYLOAD_TOO_LARGE", "TARGET_NOT_ALLOWED"),
      },
    }),
  ),
  async (c) => {
    const { room } = c.req.valid("param");
    const appKey = c.get("app").appKey;
    checkTenantTargets(c.env, compositeTargets(c.req.valid("json").autoRecord?.composite, "autoRecord.composite"));
    return c.json(await roomStub(c.env, appKey, room).setRoomOptions(appKey, room, c.req.valid("json")), 200);
  },
);
