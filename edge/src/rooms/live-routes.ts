import { type LiveRoomDetail, type LiveRoomsResponse, RoomName } from "@parley/shared";
import { Hono } from "hono";
import { readParam } from "../http/validate.js";
import { appStub } from "../licences/app-do.js";
import type { AppAuthEnv } from "../middleware/app-auth/index.js";
import { appOrOperator } from "../middleware/app-or-operator/index.js";
import { roomStub } from "./room-do.js";

/**
 * Live rooms of an app (app credentials, or the operator key with `?app=`):
 * `GET /v1/rooms` from the App DO's member table (one call, however many rooms), and
 * `GET /v1/rooms/:room` from the Room DO's `members()` RPC. Hidden members are counted in the
 * list (they hold licence seats) and flagged in the detail: this is an administrator's view.
 * Mounted before roomAdminRoutes, whose app-only auth covers all of /v1/rooms/*.
 */
// Middleware per route, not `.use()`: this group shares /v1/rooms with the signalling upgrade,
// which must not meet an auth check meant for these reads.
export const liveRoomRoutes = new Hono<AppAuthEnv>()
  .get("/", appOrOperator, async (c) => {
    const appKey = c.get("app").appKey;
    const rows = await appStub(c.env, appKey).liveRooms();
    const body: LiveRoomsResponse = {
      appKey,
      rooms: rows.map((r) => ({ room: r.room, members: r.members, connected: r.connected, since: new Date(r.since).toISOString() })),
    };
    return c.json(body);
  })
  .get("/:room", appOrOperator, async (c) => {
    const appKey = c.get("app").appKey;
    const room = readParam(c.req.param("room"), RoomName, "room");
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
    return c.json(body);
  });
