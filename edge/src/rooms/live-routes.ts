import { createRoute, z } from "@hono/zod-openapi";
import {
  AppKey,
  type LiveRoomDetail,
  LiveRoomDetailSchema,
  LiveRoomsQuery,
  type LiveRoomsResponse,
  LiveRoomsResponseSchema,
  RoomName,
} from "@parley/shared";
import { appStub } from "../licences/app-do.js";
import type { AppAuthEnv } from "../middleware/app-auth/index.js";
import { appOrOperator } from "../middleware/app-or-operator/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, SECURITY } from "../openapi/route.js";
import { roomStub } from "./room-do.js";

/** Operators name the app with `?app=`; apps need not (it is theirs). */
const AppQuery = z.object({ app: AppKey.optional() });
const common = {
  tags: ["rooms"],
  security: [...SECURITY.app, ...SECURITY.operator],
  // per route, not `.use()`: this group shares /v1/rooms with the signalling upgrade
  middleware: appOrOperator,
};
const refusals = errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "NOT_FOUND");

/**
 * Live rooms of an app (app credentials, or the operator key with `?app=`):
 * `GET /v1/rooms` from the App DO's member table (one call, however many rooms), and
 * `GET /v1/rooms/:room` from the Room DO's `members()` RPC. Hidden members are counted in the
 * list (they hold licence seats) and flagged in the detail: this is an administrator's view.
 */
export const liveRoomRoutes = documentedRoutes<AppAuthEnv>();
liveRoomRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/",
    summary: "List live rooms",
    description: "Rooms with at least one member (dropped members inside their resume window count), with member counts and since when.",
    request: { query: AppQuery.extend(LiveRoomsQuery.shape) },
    responses: { 200: json(LiveRoomsResponseSchema, "the app's live rooms, by name"), ...refusals },
  }),
  async (c) => {
    const appKey = c.get("app").appKey;
    const { limit, cursor } = c.req.valid("query");
    const rows = await appStub(c.env, appKey).liveRooms(limit + 1, cursor ?? "");
    const page = rows.slice(0, limit);
    const body: LiveRoomsResponse = {
      appKey,
      rooms: page.map((r) => ({
        room: r.room,
        node: r.node,
        members: r.members,
        connected: r.connected,
        since: new Date(r.since).toISOString(),
      })),
      nextCursor: rows.length > limit ? (page.at(-1)?.room ?? null) : null,
    };
    return c.json(body, 200);
  },
);
liveRoomRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/{room}",
    summary: "A live room's members",
    request: { params: z.object({ room: RoomName }), query: AppQuery },
    responses: {
      200: json(LiveRoomDetailSchema, "members (connected or inside their resume window) with their live quality, tracks and node"),
      ...refusals,
    },
  }),
  async (c) => {
    const appKey = c.get("app").appKey;
    const room = c.req.valid("param").room;
    const view = await roomStub(c.env, appKey, room).adminView();
    const body: LiveRoomDetail = {
      appKey,
      room,
      node: view.node,
      tracks: view.tracks,
      members: view.members.map((m) => ({
        id: m.id,
        user: m.user,
        name: m.name,
        joinedAt: new Date(m.joinedAt).toISOString(),
        connected: m.connected,
        hidden: m.hidden,
        quality: m.quality,
      })),
    };
    return c.json(body, 200);
  },
);
