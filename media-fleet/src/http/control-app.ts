/**
 * The node's one HTTP app (Hono): the edge's signed control calls, one route per entry of
 * NODE_ROUTES (shared), plus the unauthenticated `GET /healthz` and `GET /metrics` and the signed
 * NAS downloads `GET|HEAD /files/…`. Per control call: the route matches, the room in the path is
 * checked, the body is bounded before it is read (bodyLimit), the token is verified for this node,
 * the room and this exact body and spent once (signed-call/), the body is validated with the
 * route's schema, then the handler acts (control-routes.ts). Every refusal is a typed error answer.
 */
import { CONTROL_LIMITS, DOWNLOAD_PATH, type ErrorCode, NODE_ROUTES, type NodeRouteName, ParleyError } from "@parley/shared";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import type { Logger } from "../logger.js";
import type { NodeMetrics } from "../metrics.js";
import { type BodyOf, CONTROL_HANDLERS, type ControlTargets } from "./control-routes.js";
import type { DownloadHandler } from "./downloads.js";
import { roomInPath, type SignedCallEnv, signedCall } from "./signed-call/index.js";
import { ReplayGuard } from "./signed-call/replay-guard.js";

export interface ControlAppOptions extends ControlTargets {
  nodeId: string;
  fleetSecret: string;
  metrics: Pick<NodeMetrics, "controlRequests" | "registry">;
  logger: Logger;
  /** Signed NAS downloads (downloads.ts); no /files/ route without one. */
  downloads?: DownloadHandler;
}

const NO_STORE = { "cache-control": "no-store" };
const JSON_NO_STORE = { "content-type": "application/json", ...NO_STORE };

/** A JSON answer that no cache keeps. */
function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_NO_STORE });
}

export function createControlApp(o: ControlAppOptions): Hono<SignedCallEnv> {
  const app = new Hono<SignedCallEnv>();
  const replay = new ReplayGuard();
  /** Counts every answer of `route` by status (the error handler has set c.res by then). */
  const counted =
    (route: string): MiddlewareHandler =>
    async (c, next) => {
      await next();
      o.metrics.controlRequests.inc({ route, status: String(c.res.status) });
    };

  app.get("/healthz", () => {
    const { node, recordings } = o;
    const healthy = node.pool.size > 0 && recordings.ready;
    const body = {
      ok: healthy,
      draining: node.draining,
      ...node.counts(),
      recordings: { journals: recordings.journalStore, ready: recordings.ready },
    };
    return json(body, healthy ? 200 : 503);
  });
  app.get("/metrics", async () => {
    const { registry } = o.metrics;
    return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType, ...NO_STORE } });
  });
  const { downloads } = o;
  // GET also answers HEAD (Hono drops the body; the handler sends none for HEAD anyway).
  if (downloads) app.get(`${DOWNLOAD_PATH}*`, counted("download"), (c) => downloads.answer(c.req.raw));

  const signed = signedCall({ nodeId: o.nodeId, fleetSecret: o.fleetSecret, replay });
  const limit = bodyLimit({
    maxSize: CONTROL_LIMITS.bodyBytes,
    onError: () => {
      throw new ParleyError("PAYLOAD_TOO_LARGE", `body is larger than ${CONTROL_LIMITS.bodyBytes} bytes`);
    },
  });
  const route = <N extends NodeRouteName>(name: N) => {
    const { method, path, request } = NODE_ROUTES[name];
    app.on(method, path, counted(name), roomInPath(), limit, signed, async (c) => {
      const { room, raw } = c.var.call;
      const body = parseBody<N>(request, raw);
      return json(await CONTROL_HANDLERS[name](o, { room, id: c.req.param("id") ?? "", body }));
    });
  };
  for (const name of Object.keys(NODE_ROUTES) as NodeRouteName[]) route(name);

  app.notFound((c) => {
    o.metrics.controlRequests.inc({ route: "unknown", status: "404" });
    return answerError(new ParleyError("NOT_FOUND", `no control route ${c.req.method} ${c.req.path}`));
  });
  app.onError((error, c) => {
    const parley = toParleyError(error);
    if (parley.code === "INTERNAL") o.logger.error({ path: c.req.path, err: error.message }, "control call failed");
    else o.logger.debug({ path: c.req.path, code: parley.code }, "control call refused");
    return answerError(parley);
  });
  return app;
}

function answerError(error: ParleyError): Response {
  return json({ error: error.toBody() }, error.status);
}

/** The route's schema applied to the raw body: an empty body is `{}`, and routes without a schema take none. */
function parseBody<N extends NodeRouteName>(schema: z.ZodType | null, raw: string): BodyOf<N> {
  if (schema === null) {
    if (raw.trim() !== "") throw new ParleyError("INVALID_REQUEST", "this route takes no body");
    return undefined as BodyOf<N>;
  }
  let json: unknown;
  try {
    json = raw.trim() === "" ? {} : JSON.parse(raw);
  } catch (error) {
    throw new ParleyError("INVALID_REQUEST", "body is not JSON", { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ParleyError("INVALID_REQUEST", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data as BodyOf<N>;
}

/** mediasoup throws TypeError for parameters it refuses and UnsupportedError/InvalidStateError for states. */
const MEDIA_REFUSALS: Record<string, ErrorCode> = {
  TypeError: "MEDIA_REJECTED",
  UnsupportedError: "MEDIA_REJECTED",
  InvalidStateError: "MEDIA_REJECTED",
};

function toParleyError(error: unknown): ParleyError {
  if (error instanceof ParleyError) return error;
  if (error instanceof Error) {
    const code = MEDIA_REFUSALS[error.name];
    if (code) return new ParleyError(code, error.message.slice(0, 500), { cause: error });
  }
  return new ParleyError("INTERNAL", "internal error", { cause: error });
}
