import { NotifyRequest, type NotifyResponse, type SessionsResponse, UserId } from "@parley/shared";
import { Hono } from "hono";
import { readJson, readParam } from "../http/validate.js";
import { appStub } from "../licences/app-do.js";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { roomStub } from "../rooms/room-do.js";

/** Signal locator: where is a user connected, and reach them there (e.g. an invite). */
export const locatorRoutes = new Hono<AppAuthEnv>()
  .use(appAuth)
  .get("/:user/sessions", async (c) => {
    const user = readParam(c.req.param("user"), UserId, "user");
    const sessions = await appStub(c.env, c.get("app").appKey).sessions(user);
    return c.json({ user, sessions } satisfies SessionsResponse);
  })
  .post("/:user/notify", async (c) => {
    const user = readParam(c.req.param("user"), UserId, "user");
    const { data } = await readJson(c, NotifyRequest);
    const appKey = c.get("app").appKey;
    const sessions = await appStub(c.env, appKey).sessions(user);
    const byRoom = new Map<string, string[]>();
    for (const s of sessions) byRoom.set(s.room, [...(byRoom.get(s.room) ?? []), s.member]);
    const counts = await Promise.all([...byRoom].map(([room, members]) => roomStub(c.env, appKey, room).notify(members, data)));
    return c.json({ delivered: counts.reduce((a, b) => a + b, 0) } satisfies NotifyResponse);
  });
