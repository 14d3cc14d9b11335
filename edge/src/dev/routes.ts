import { createRoute, z } from "@hono/zod-openapi";
import { DevTokenResponseSchema, LIMITS, ParleyError, RoomName, UserId } from "@parley/shared";
import { AppStore } from "../apps/app-store.js";
import { config } from "../config/index.js";
import type { HonoEnv } from "../env.js";
import { documentedRoutes, errors, json, jsonBody, SECURITY, withJsonBody } from "../openapi/route.js";
import { mintForApp } from "../tokens/mint-for-app.js";
import { DEV_APP_NAME } from "./dev-app-name.js";

const DevTokenRequest = z.strictObject({
  room: RoomName,
  user: UserId,
  name: z.string().max(LIMITS.nameChars).optional(),
});

/** Long enough for a demo call, short enough that a leaked one expires the same day. */
const DEV_TOKEN_TTL_SECONDS = 4 * 3600;

/**
 * `POST /v1/dev/token {room, user, name?}` → `{token, expiresAt, appKey}` for the dev app.
 * It lets the demo page (and headless tests) join without a customer back end, so anyone who
 * can reach the edge gets a token: it answers only when the DEV_MODE binding is "1", which only
 * the local launcher (infra/dev/edge.ts) sets.
 */
export const devRoutes = documentedRoutes<HonoEnv>();
devRoutes.use(async (c, next) => {
  if (!config(c.env).devMode) {
    throw new ParleyError("FORBIDDEN", "dev endpoints are off: they answer only on a local stack (npm start sets DEV_MODE=1)");
  }
  await next();
});
devRoutes.openapi(
  withJsonBody(
    devRoutes,
    createRoute({
      method: "post",
      path: "/token",
      tags: ["dev"],
      security: SECURITY.none,
      summary: "A 4-hour token for the dev app (local stack only)",
      description: 'Answers only when the edge\'s DEV_MODE binding is "1" (npm start); FORBIDDEN elsewhere.',
      request: { body: jsonBody(DevTokenRequest) },
      responses: {
        201: json(DevTokenResponseSchema, "the token, its expiry and the dev app's AppKey"),
        ...errors("INVALID_REQUEST", "FORBIDDEN", "NOT_FOUND"),
      },
    }),
  ),
  async (c) => {
    const body = c.req.valid("json");
    const store = new AppStore(c.env);
    // list() is ordered by creation: the newest dev app is the one `npm start` uses
    const info = (await store.list()).filter((a) => a.name === DEV_APP_NAME).at(-1);
    if (!info) throw new ParleyError("NOT_FOUND", `no app named "${DEV_APP_NAME}": npm start creates it`);
    const app = await store.require(info.appKey);
    const minted = await mintForApp(app, app.secrets[1] ? 1 : 2, {
      room: body.room,
      user: body.user,
      name: body.name,
      ttlSeconds: DEV_TOKEN_TTL_SECONDS,
    });
    return c.json({ token: minted.token, appKey: app.appKey, expiresAt: minted.expiresAt }, 201);
  },
);
