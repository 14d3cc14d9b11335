import type { OpenAPIHono } from "@hono/zod-openapi";
import { ERROR_STATUS } from "@parley/shared";
import type { Env } from "hono";
import { nameSharedSchemas } from "./components.js";

export type OpenApiDocument = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;

const TAGS = [
  { name: "apps", description: "Operator: apps, their secrets and licences. Every change is audited." },
  { name: "fleet", description: "Operator: the media nodes of a region." },
  { name: "tokens", description: "App: mint access tokens without the server SDK." },
  { name: "rooms", description: "The signalling WebSocket (token) and room administration (app)." },
  { name: "users", description: "App: where a user is connected, and reach them there." },
  { name: "calls", description: "App: call records (CDR) with each endpoint and a quality timeline." },
  { name: "recordings", description: "App: start, stop, list and read recordings." },
  { name: "webhooks", description: "App: signed event deliveries and their log." },
  { name: "dev", description: "Local stack only (DEV_MODE=1): tokens for the dev app." },
  { name: "reference", description: "This document and its human-readable page." },
  { name: "health", description: "Liveness." },
];

const DESCRIPTION = `Parley's HTTP API. Bodies are JSON (at most 64 KiB). Every refusal is
\`{"error": {"code", "message"}}\`: switch on \`code\` (the table in \`x-error-codes\` gives each code's
HTTP status); \`message\` is for people and names the field or limit. Lists page newest first:
pass the answer's \`nextCursor\` as \`cursor\` until it is null. Signalling over the WebSocket and
webhook deliveries are described in docs/protocol.md.`;

let cached: OpenApiDocument | undefined;

/**
 * The OpenAPI 3.1 document of every route mounted on `app` (each route file declares its routes
 * with createRoute). Built once per isolate: the routes cannot change while it lives.
 */
export function openApiDocument<E extends Env>(app: OpenAPIHono<E>): OpenApiDocument {
  if (cached) return cached;
  nameSharedSchemas();
  const registry = app.openAPIRegistry;
  registry.registerComponent("securitySchemes", "operatorKey", {
    type: "http",
    scheme: "bearer",
    description: "`Authorization: Bearer <OPERATOR_KEY>`: the operator of this Parley deployment.",
  });
  registry.registerComponent("securitySchemes", "appCredentials", {
    type: "http",
    scheme: "basic",
    description: "HTTP Basic with the AppKey as user and an AppSecret (either slot) as password.",
  });
  registry.registerComponent("securitySchemes", "adminToken", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "`Authorization: Bearer <access token>` with the `admin` grant. A token for one room reaches only `/v1/rooms/{room}/…` of that room; app-wide routes need a token for room `*`. Tokens cannot mint tokens.",
  });
  registry.registerComponent("securitySchemes", "accessToken", {
    type: "apiKey",
    in: "query",
    name: "token",
    description: "An access token (JWT signed with an AppSecret, or an auth-centre token with `app=`).",
  });
  cached = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: { title: "Parley API", version: "1", description: DESCRIPTION },
    servers: [{ url: "/", description: "this edge" }],
    tags: TAGS,
  });
  // the codes and their statuses, from the same table the edge answers with
  (cached as unknown as Record<string, unknown>)["x-error-codes"] = { ...ERROR_STATUS };
  return cached;
}
