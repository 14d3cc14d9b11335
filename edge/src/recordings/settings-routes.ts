import { createRoute } from "@hono/zod-openapi";
import { compositeTargets, RecordingSettingsRequest, RecordingSettingsSchema } from "@parley/shared";
import { AppStore } from "../apps/app-store.js";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, jsonBody, SECURITY, withJsonBody } from "../openapi/route.js";
import { checkTenantTargets } from "../outbound/tenant-targets.js";
import { RecordingSettingsStore, settingsView } from "./recording-settings-store.js";

const common = { tags: ["recordings"], security: SECURITY.app };

/** `/v1/recording-settings`: the app's storage, composite defaults, segment length and auto-record. */
export const recordingSettingsRoutes = documentedRoutes<AppAuthEnv>();
recordingSettingsRoutes.use(appAuth);

recordingSettingsRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/",
    summary: "Read the app's recording settings",
    description: "Version 0 means none were stored: recordings use each node's own storage and defaults. The S3 secret is never returned.",
    responses: { 200: json(RecordingSettingsSchema, "the current settings"), ...errors(...AUTH_ERRORS.app) },
  }),
  async (c) => c.json(settingsView(await new RecordingSettingsStore(c.env).current(c.get("app").appKey)), 200),
);

recordingSettingsRoutes.openapi(
  withJsonBody(
    recordingSettingsRoutes,
    createRoute({
      ...common,
      method: "put",
      path: "/",
      summary: "Replace the app's recording settings",
      description:
        "Stored as a new version; recordings already made keep the storage they were written with (their links keep working). Applies to recordings started from now on (within 5 s on every edge).",
      request: { body: jsonBody(RecordingSettingsRequest) },
      responses: {
        200: json(RecordingSettingsSchema, "the new settings"),
        ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "PAYLOAD_TOO_LARGE", "TARGET_NOT_ALLOWED"),
      },
    }),
  ),
  async (c) => {
    const appKey = c.get("app").appKey;
    const { storage, composite, autoRecord } = c.req.valid("json");
    checkTenantTargets(c.env, [
      { field: "storage.endpoint", url: storage.kind === "s3" ? storage.endpoint : undefined },
      ...compositeTargets(composite, "composite"),
      ...compositeTargets(autoRecord?.composite, "autoRecord.composite"),
    ]);
    const stored = await new RecordingSettingsStore(c.env).put(appKey, c.req.valid("json"));
    await new AppStore(c.env).audit({
      actor: `app:${appKey}`,
      action: "recording-settings.update",
      target: `v${stored.version}`,
      ip: c.req.header("cf-connecting-ip") ?? null,
    });
    return c.json(settingsView(stored), 200);
  },
);
