/**
 * How a route file states a route once: `createRoute` config (path, auth, params, query, body, every
 * response) drives both the request validation and the OpenAPI document (`/v1/openapi.json`).
 */
import { type Hook, OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import { ERROR_STATUS, type ErrorCode, ErrorEnvelopeSchema, zodToParleyError } from "@parley/shared";
import type { Env } from "hono";
import { createMiddleware } from "hono/factory";
import type { z } from "zod";
import { readJson } from "../http/validate.js";

/** Security requirement per route class; the schemes are declared in document.ts. */
export const SECURITY: Record<"operator" | "app" | "appSecret" | "token" | "none", NonNullable<RouteConfig["security"]>> = {
  operator: [{ operatorKey: [] }],
  /** AppKey:AppSecret, or an access token with the admin grant (middleware/app-auth). */
  app: [{ appCredentials: [] }, { adminToken: [] }],
  /** Routes that hand out credentials: the AppSecret only. */
  appSecret: [{ appCredentials: [] }],
  token: [{ accessToken: [] }],
  none: [],
};

/**
 * OpenAPIHono answers validation failures with its own body by default; this hook throws the
 * typed error instead, so refusals keep `{error: {code: INVALID_REQUEST, message: "<field>: …"}}`.
 */
const throwParleyError: Hook<unknown, Env, string, undefined> = (result) => {
  if (!result.success) throw zodToParleyError(result.error as never);
};

/** An OpenAPIHono sub-app whose param/query validation refuses with the Parley error body. */
export function documentedRoutes<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({ defaultHook: throwParleyError as never });
}

export function json<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** The error responses a route can give, by status, each with the codes that status carries. */
export function errors(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      { description: list.join(", "), content: { "application/json": { schema: ErrorEnvelopeSchema } } },
    ]),
  ) as Record<number, { description: string; content: { "application/json": { schema: typeof ErrorEnvelopeSchema } } }>;
}

/** Refusals every authenticated route class can give, before the route runs. */
export const AUTH_ERRORS = {
  operator: ["UNAUTHORIZED", "CONFIG_INVALID"],
  app: [
    "UNAUTHORIZED",
    "APP_UNKNOWN",
    "APP_DISABLED",
    "LICENCE_EXPIRED",
    "TOKEN_MALFORMED",
    "TOKEN_EXPIRED",
    "TOKEN_NOT_YET_VALID",
    "TOKEN_BAD_SIGNATURE",
    "TOKEN_WRONG_ROOM",
    "GRANT_MISSING",
  ],
  appSecret: ["UNAUTHORIZED", "APP_UNKNOWN", "APP_DISABLED"],
} as const satisfies Record<string, ErrorCode[]>;

/** A JSON request body for createRoute. */
export function jsonBody<S extends z.ZodType>(schema: S, description?: string) {
  return { content: { "application/json": { schema } }, ...(description ? { description } : {}) };
}

type WithJsonBody = RouteConfig & { request: { body: { content: { "application/json": { schema: z.ZodType } } } } };

/**
 * Registers `route` in the document as declared, but reads its body with readJson, not
 * OpenAPIHono's validator: that one ignores bodies sent without a JSON content type and answers
 * 415 to others, while this API has always accepted JSON whatever the content type (curl -d),
 * treated an empty body as `{}` and refused bodies over 64 KiB with PAYLOAD_TOO_LARGE. The parsed
 * body is stored where `c.req.valid("json")` finds it, so handlers stay typed by the route.
 */
export function withJsonBody<R extends WithJsonBody>(app: Pick<OpenAPIHono, "openAPIRegistry">, route: R): R {
  const { middleware, hide: _hide, ...documented } = route;
  app.openAPIRegistry.registerPath(documented);
  const { body, ...request } = route.request;
  const schema = body.content["application/json"].schema;
  const readBody = createMiddleware(async (c, next) => {
    c.req.addValidatedData("json", (await readJson(c, schema)) as object);
    await next();
  });
  return { ...route, request, hide: true, middleware: [...toList(middleware), readBody] } as R;
}

function toList<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * Registers `route` in the document but leaves its request to the handler. For the signalling
 * upgrade: a refused WebSocket must still be upgraded and told why in a frame (durable/sockets.ts),
 * which a validator answering plain JSON would break.
 */
export function handlerValidates<R extends RouteConfig>(app: Pick<OpenAPIHono, "openAPIRegistry">, route: R): R {
  const { middleware, hide: _hide, ...documented } = route;
  app.openAPIRegistry.registerPath(documented);
  return { ...route, request: undefined, hide: true, middleware } as R;
}
