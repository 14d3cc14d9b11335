import { createRoute, z } from "@hono/zod-openapi";
import { compositeTargets, RoomName, RtmpPushId, RtmpPushListSchema, RtmpPushSchema, StartRoomRtmpRequest } from "@parley/shared";
import { unwrap } from "../http/rpc-result.js";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, jsonBody, SECURITY, withJsonBody } from "../openapi/route.js";
import { checkTenantTargets } from "../outbound/tenant-targets.js";
import { roomStub } from "../rooms/room-do.js";

const common = { tags: ["rtmp"], security: SECURITY.app };
const RoomParams = z.object({ room: RoomName });
const PushParams = z.object({ room: RoomName, id: RtmpPushId });
const unknownPush = errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "RTMP_PUSH_NOT_FOUND");

/** `/v1/rooms/:room/rtmp`: live RTMP pushes of a member or of the room's composite. */
export const roomRtmpRoutes = documentedRoutes<AppAuthEnv>();
roomRtmpRoutes.use(appAuth);

roomRtmpRoutes.openapi(
  withJsonBody(
    roomRtmpRoutes,
    createRoute({
      ...common,
      method: "post",
      path: "/{room}/rtmp",
      summary: "Push a member or the composite live to an RTMP server",
      description:
        "Re-encoded as H.264 + AAC in FLV and published to `url` (`rtmp://` or `rtmps://`, host, application and stream key). The URL is never stored or answered: a push shows only its `target` (host and application). `starting` until frames reach the server, then `live`; the node reconnects if the server drops it and gives up (`failed`) after 5 attempts in a row. Every push stops when the room empties.",
      request: { params: RoomParams, body: jsonBody(StartRoomRtmpRequest) },
      responses: {
        201: json(RtmpPushSchema, "the push"),
        ...errors(
          ...AUTH_ERRORS.app,
          "INVALID_REQUEST",
          "PAYLOAD_TOO_LARGE",
          "NOT_IN_ROOM",
          "MEMBER_NOT_FOUND",
          "RTMP_PUSHES_FULL",
          "TARGET_NOT_ALLOWED",
          "WATERMARK_UNREADABLE",
          "NODE_UNAVAILABLE",
          "NODE_DRAINING",
        ),
      },
    }),
  ),
  async (c) => {
    const { url, source } = c.req.valid("json");
    checkTenantTargets(c.env, [
      { field: "url", url },
      ...(source.kind === "composite" ? compositeTargets(source.composite, "source.composite") : []),
    ]);
    const stub = roomStub(c.env, c.get("app").appKey, c.req.valid("param").room);
    return c.json(unwrap(await stub.startRtmp(c.req.valid("json"))), 201);
  },
);

roomRtmpRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/{room}/rtmp",
    summary: "The room's RTMP pushes",
    description: "Newest first, running and ended (the last 50 ended ones); running pushes show the state the media node reports now.",
    request: { params: RoomParams },
    responses: { 200: json(RtmpPushListSchema, "the pushes"), ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST") },
  }),
  async (c) => {
    const stub = roomStub(c.env, c.get("app").appKey, c.req.valid("param").room);
    return c.json({ pushes: unwrap(await stub.listRtmp()) }, 200);
  },
);

roomRtmpRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/{room}/rtmp/{id}",
    summary: "One RTMP push",
    description: "A running push shows the state the media node reports now (its last known state if the node does not answer).",
    request: { params: PushParams },
    responses: { 200: json(RtmpPushSchema, "the push"), ...unknownPush },
  }),
  async (c) => {
    const { room, id } = c.req.valid("param");
    return c.json(unwrap(await roomStub(c.env, c.get("app").appKey, room).getRtmp(id)), 200);
  },
);

roomRtmpRoutes.openapi(
  createRoute({
    ...common,
    method: "post",
    path: "/{room}/rtmp/{id}/stop",
    summary: "Stop an RTMP push",
    description: "The encoder closes the stream cleanly; the push answers `stopped`. Stopping an ended push answers it as it is.",
    request: { params: PushParams },
    responses: {
      200: json(RtmpPushSchema, "the push"),
      ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "RTMP_PUSH_NOT_FOUND", "NODE_UNAVAILABLE"),
    },
  }),
  async (c) => {
    const { room, id } = c.req.valid("param");
    return c.json(unwrap(await roomStub(c.env, c.get("app").appKey, room).stopRtmp(id)), 200);
  },
);
