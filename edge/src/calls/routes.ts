import { createRoute, z } from "@hono/zod-openapi";
import { CallDetailSchema, CallPageSchema, CallSearch } from "@parley/shared";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, SECURITY } from "../openapi/route.js";
import { CallStore } from "./call-store.js";

const CallId = z.string().regex(/^c_[A-Za-z0-9]{8,32}$/, "call ids look like c_ followed by letters and digits");
const common = { tags: ["calls"], security: SECURITY.app };

/** Call records: `GET /v1/calls?room=&user=&from=&to=&limit=&cursor=` and `GET /v1/calls/:id`. */
export const callRoutes = documentedRoutes<AppAuthEnv>();
callRoutes.use(appAuth);

callRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/",
    summary: "Search call records",
    description: "Newest first. `from`/`to` are ISO-8601 or unix ms on the call's start.",
    request: { query: CallSearch },
    responses: { 200: json(CallPageSchema, "one page of calls"), ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST") },
  }),
  async (c) => c.json(await new CallStore(c.env.DB).search(c.get("app").appKey, c.req.valid("query")), 200),
);

callRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/{id}",
    summary: "One call: its endpoints and quality timeline",
    request: { params: z.object({ id: CallId }) },
    responses: { 200: json(CallDetailSchema, "the call"), ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "NOT_FOUND") },
  }),
  async (c) => c.json(await new CallStore(c.env.DB).detail(c.get("app").appKey, c.req.valid("param").id), 200),
);
