import { createRoute, z } from "@hono/zod-openapi";
import {
  AppKey,
  type LiveRoomDetail,
  LiveRoomDetailSchema,
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
 * Mounted before roomAdminRoutes, whose app-only auth covers all of /v1/rooms/*.
 */
export const liveRoomRoutes = documentedRoutes<AppAuthEnv>();
liveRoomRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/",
    summary: "List live rooms",
    description: "Rooms with at least one member (dropped members inside their resume window count), with member counts and since when.",
    request: { query: AppQuery },
    responses: { 200: json(LiveRoomsResponseSchema, "the app's live rooms"), ...refusals },
  }),
  async (c) => {
    const appKey = c.get("app").appKey;
    const rows = await appStub(c.env, appKey).liveRooms();
    const body: LiveRoomsResponse = {
      appKey,
      rooms: rows.map((r) => ({ room: r.room, members: r.members, connected: r.connected, since: new Date(r.since).toISOString() })),
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
    responses: { 200: json(LiveRoomDetailSchema, "members by user id, connected or inside their resume window"), ...refusals },
  }),
  async (c) => {
    const appKey = c.get("app").appKey;
    const room = c.req.valid("param").room;
    const members = await roomStub(c.env, appKey, room).members();
    const body: LiveRoomDetail = {
      appKey,
      room,
      members: members.map((m) => ({
        id: m.id,
        user: m.user,
        name: m.name,
        joinedAt: new Date(m.joinedAt).toISOString(),
        connected: m.connected,
        hidden: m.hidden,
      })),
    };
    return c.json(body, 200);
  },
);
