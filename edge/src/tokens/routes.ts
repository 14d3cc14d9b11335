import { mintToken, TokenRequest, type TokenResponse } from "@parley/shared";
import { Hono } from "hono";
import { readJson } from "../http/validate.js";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";

/** `POST /v1/tokens`: a customer back end without the SDK mints tokens here. */
export const tokenRoutes = new Hono<AppAuthEnv>().use(appAuth).post("/", async (c) => {
  const body = await readJson(c, TokenRequest);
  const app = c.get("app");
  const slot = c.get("slot");
  const now = Math.floor(Date.now() / 1000);
  const token = await mintToken({
    appKey: app.appKey,
    appSecret: app.secrets[slot] as string,
    slot,
    room: body.room,
    user: body.user,
    ttlSeconds: body.ttl,
    grants: body.grants,
    name: body.name,
    now,
  });
  return c.json({ token, expiresAt: new Date((now + body.ttl) * 1000).toISOString() } satisfies TokenResponse, 201);
});
