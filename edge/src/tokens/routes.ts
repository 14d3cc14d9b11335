import { createRoute } from "@hono/zod-openapi";
import { ParleyError, TokenRequest, TokenResponseSchema } from "@parley/shared";
import { type AppAuthEnv, appSecretAuth } from "../middleware/app-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, jsonBody, SECURITY, withJsonBody } from "../openapi/route.js";
import { mintForApp } from "./mint-for-app.js";

/** `POST /v1/tokens`: a customer back end without the SDK mints tokens here. */
export const tokenRoutes = documentedRoutes<AppAuthEnv>();
tokenRoutes.use(appSecretAuth);

tokenRoutes.openapi(
  withJsonBody(
    tokenRoutes,
    createRoute({
      method: "post",
      path: "/",
      tags: ["tokens"],
      security: SECURITY.appSecret,
      summary: "Mint an access token",
      description: "Signed with the secret slot you authenticated with. `room` may be `*` for any room of the app.",
      request: { body: jsonBody(TokenRequest) },
      responses: {
        201: json(TokenResponseSchema, "the token and when it expires"),
        ...errors(...AUTH_ERRORS.appSecret, "INVALID_REQUEST", "PAYLOAD_TOO_LARGE"),
      },
    }),
  ),
  async (c) => {
    const body = c.req.valid("json");
    const app = c.get("app");
    if (body.ttl > app.maxTokenTtlSeconds) {
      throw new ParleyError("INVALID_REQUEST", `ttl: this app's tokens live at most ${app.maxTokenTtlSeconds} s (maxTokenTtlSeconds)`);
    }
    const minted = await mintForApp(app, c.get("slot"), {
      room: body.room,
      user: body.user,
      ttlSeconds: body.ttl,
      grants: body.grants,
      name: body.name,
    });
    return c.json(minted, 201);
  },
);
