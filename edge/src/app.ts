import { createRoute } from "@hono/zod-openapi";
import { ErrorEnvelopeSchema, HealthSchema, ParleyError } from "@parley/shared";
import { appRoutes } from "./apps/routes.js";
import { auditRoutes } from "./audit/routes.js";
import { callRoutes } from "./calls/routes.js";
import { config } from "./config/index.js";
import { devRoutes } from "./dev/routes.js";
import type { HonoEnv } from "./env.js";
import { fleetInternalRoutes, fleetRoutes } from "./fleet/routes.js";
import { onError } from "./http/errors.js";
import { locatorRoutes } from "./locator/routes.js";
import { memberRoutes } from "./members/routes.js";
import { mountReference } from "./openapi/reference.js";
import { documentedRoutes, json, SECURITY } from "./openapi/route.js";
import { operatorAppRoutes } from "./operator/routes.js";
import { roomOptionRoutes } from "./recordings/options-routes.js";
import { recordingRoutes, roomRecordingRoutes } from "./recordings/routes.js";
import { recordingSettingsRoutes } from "./recordings/settings-routes.js";
import { liveRoomRoutes } from "./rooms/live-routes.js";
import { roomAdminRoutes, signalRoutes } from "./rooms/routes.js";
import { roomRtmpRoutes } from "./rtmp/routes.js";
import { statsRoutes } from "./stats/routes.js";
import { tokenRoutes } from "./tokens/routes.js";
import { webhookRoutes } from "./webhooks/routes.js";

/**
 * The edge Worker's HTTP surface. Stateless: state lives in D1 and the Durable Objects. Each route
 * file declares its routes with createRoute, so mounting them here also builds the OpenAPI document.
 */
export const app = documentedRoutes<HonoEnv>();
app.onError(onError);
app.notFound((c) => {
  throw new ParleyError("NOT_FOUND", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`);
});
app.openapi(
  createRoute({
    method: "get",
    path: "/healthz",
    tags: ["health"],
    security: SECURITY.none,
    summary: "Liveness and configuration check",
    responses: { 200: json(HealthSchema, "the edge's configuration is valid"), 500: json(ErrorEnvelopeSchema, "CONFIG_INVALID") },
  }),
  (c) => {
    config(c.env); // a misconfigured edge is not healthy
    return c.json({ ok: true as const }, 200);
  },
);
app
  .route("/v1/apps", appRoutes)
  .route("/v1/tokens", tokenRoutes)
  .route("/v1/rooms", signalRoutes)
  .route("/v1/rooms", liveRoomRoutes)
  .route("/v1/rooms", roomAdminRoutes)
  .route("/v1/rooms", memberRoutes)
  .route("/v1/users", locatorRoutes)
  .route("/v1/calls", callRoutes)
  .route("/v1/rooms", roomRecordingRoutes)
  .route("/v1/rooms", roomOptionRoutes)
  .route("/v1/rooms", roomRtmpRoutes)
  .route("/v1/recordings", recordingRoutes)
  .route("/v1/recording-settings", recordingSettingsRoutes)
  .route("/v1/stats", statsRoutes)
  .route("/v1/fleet", fleetRoutes)
  .route("/internal/fleet", fleetInternalRoutes)
  .route("/v1/dev", devRoutes)
  .route("/v1/webhooks", webhookRoutes)
  .route("/v1/audit", auditRoutes)
  .route("/v1/operator", operatorAppRoutes);
mountReference(app);
