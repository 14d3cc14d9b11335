import { createRoute } from "@hono/zod-openapi";
import { mintToken, TokenRequest, TokenResponseSchema } from "@parley/shared";
import type { AppAuthEnv } from "../middleware/app-auth/index.js";
import { appAuth } from "../middleware/app-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, jsonBody, SECURITY, withJsonBody } from "../openapi/route.js";

/** `POST /v1/tokens`: a customer back end without the SDK mints tokens here. */
export const tokenRoutes = documentedRoutes<AppAuthEnv>();
tokenRoutes.use(appAuth);

tokenRoutes.openapi(
  withJsonBody(
    tokenRoutes,
    createRoute({
      method: "post",
      path: "/",
      tags: ["tokens"],
      security: SECURITY.app,
      summary: "Mint an access token",
      description: "Signed with the secret slot you authenticated with. `room` may be `*` for any room of the app.",
      request: { body: jsonBody(TokenRequest) },
      responses: {
        201: json(TokenResponseSchema, "the token and when it expires"),
        ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "PAYLOAD_TOO_LARGE"),
      },
    }),
  ),
  async (c) => {
    const body = c.req.valid("json");
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
    return c.json({ token, expiresAt: new Date((now + body.ttl) * 1000).toISOString() }, 201);
  },
);
