import { ParleyError } from "@parley/shared";
import { Hono } from "hono";
import { appRoutes } from "./apps/routes.js";
import { callRoutes } from "./calls/routes.js";
import { config } from "./config/index.js";
import { devRoutes } from "./dev/routes.js";
import type { HonoEnv } from "./env.js";
import { fleetInternalRoutes, fleetRoutes } from "./fleet/routes.js";
import { onError } from "./http/errors.js";
import { locatorRoutes } from "./locator/routes.js";
import { recordingRoutes, roomRecordingRoutes } from "./recordings/routes.js";
import { roomAdminRoutes, signalRoutes } from "./rooms/routes.js";
import { tokenRoutes } from "./tokens/routes.js";
import { webhookRoutes } from "./webhooks/routes.js";

/** The edge Worker's HTTP surface. Stateless: state lives in D1 and the Durable Objects. */
export const app = new Hono<HonoEnv>()
  .onError(onError)
  .notFound((c) => {
    throw new ParleyError("NOT_FOUND", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`);
  })
  .get("/healthz", (c) => {
    config(c.env); // a misconfigured edge is not healthy
    return c.json({ ok: true });
  })
  .route("/v1/apps", appRoutes)
  .route("/v1/tokens", tokenRoutes)
  .route("/v1/rooms", signalRoutes)
  .route("/v1/rooms", roomAdminRoutes)
  .route("/v1/users", locatorRoutes)
  .route("/v1/calls", callRoutes)
  .route("/v1/rooms", roomRecordingRoutes)
  .route("/v1/recordings", recordingRoutes)
  .route("/v1/fleet", fleetRoutes)
  .route("/internal/fleet", fleetInternalRoutes)
  .route("/v1/dev", devRoutes)
  .route("/v1/webhooks", webhookRoutes);
