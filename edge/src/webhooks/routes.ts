import { createRoute, z } from "@hono/zod-openapi";
import {
  CreateWebhookRequest,
  DeliveryPageSchema,
  DeliverySearch,
  UpdateWebhookRequest,
  WebhookId,
  WebhookInfoSchema,
  WebhookListSchema,
  WebhookWithSecretSchema,
} from "@parley/shared";
import type { Context } from "hono";
import { AppStore } from "../apps/app-store.js";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, jsonBody, SECURITY, withJsonBody } from "../openapi/route.js";
import { checkTenantTargets } from "../outbound/tenant-targets.js";
import { webhookStub } from "./webhook-do.js";
import { WebhookStore } from "./webhook-store.js";

const IdParams = z.object({ id: WebhookId });
const common = { tags: ["webhooks"], security: SECURITY.app };
const unknownWebhook = errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "NOT_FOUND");

/**
 * Webhooks of the authenticated app (`/v1/webhooks`): create (the signing secret is shown once),
 * list, read, update, delete, rotate the secret, and the delivery log.
 */
export const webhookRoutes = documentedRoutes<AppAuthEnv>();
webhookRoutes.use(appAuth);

// before /{id}, so "deliveries" is never read as a webhook id
webhookRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/deliveries",
    summary: "The delivery log: one entry per attempt, newest first",
    request: { query: DeliverySearch },
    responses: { 200: json(DeliveryPageSchema, "one page of attempts"), ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST") },
  }),
  async (c) => c.json(await new WebhookStore(c.env).deliveries(appKey(c), c.req.valid("query")), 200),
);

webhookRoutes.openapi(
  withJsonBody(
    webhookRoutes,
    createRoute({
      ...common,
      method: "post",
      path: "/",
      summary: "Add a webhook",
      description: "Up to 10 per app. The answer carries the signing secret; it is never shown again.",
      request: { body: jsonBody(CreateWebhookRequest) },
      responses: {
        201: json(WebhookWithSecretSchema, "the webhook with its signing secret"),
        ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "PAYLOAD_TOO_LARGE", "TARGET_NOT_ALLOWED", "WEBHOOKS_FULL"),
      },
    }),
  ),
  async (c) => {
    checkTenantTargets(c.env, [{ field: "url", url: c.req.valid("json").url }]);
    const created = await new WebhookStore(c.env).create(appKey(c), c.req.valid("json"));
    await changed(c, "webhook.create", created.id);
    return c.json(created, 201);
  },
);

webhookRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/",
    summary: "List the app's webhooks",
    responses: { 200: json(WebhookListSchema, "the webhooks, without secrets"), ...errors(...AUTH_ERRORS.app) },
  }),
  async (c) => c.json({ webhooks: await new WebhookStore(c.env).list(appKey(c)) }, 200),
);

webhookRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/{id}",
    summary: "Read a webhook",
    request: { params: IdParams },
    responses: { 200: json(WebhookInfoSchema, "the webhook, without its secret"), ...unknownWebhook },
  }),
  async (c) => c.json(await new WebhookStore(c.env).info(appKey(c), c.req.valid("param").id), 200),
);

webhookRoutes.openapi(
  withJsonBody(
    webhookRoutes,
    createRoute({
      ...common,
      method: "patch",
      path: "/{id}",
      summary: "Change a webhook's URL, events, description, or enable/disable it",
      description: "Disabling drops its pending deliveries.",
      request: { params: IdParams, body: jsonBody(UpdateWebhookRequest) },
      responses: {
        200: json(WebhookInfoSchema, "the updated webhook"),
        ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "NOT_FOUND", "PAYLOAD_TOO_LARGE", "TARGET_NOT_ALLOWED"),
      },
    }),
  ),
  async (c) => {
    checkTenantTargets(c.env, [{ field: "url", url: c.req.valid("json").url }]);
    const info = await new WebhookStore(c.env).update(appKey(c), c.req.valid("param").id, c.req.valid("json"));
    await changed(c, "webhook.update", info.id);
    return c.json(info, 200);
  },
);

webhookRoutes.openapi(
  createRoute({
    ...common,
    method: "delete",
    path: "/{id}",
    summary: "Delete a webhook and drop its pending deliveries",
    request: { params: IdParams },
    responses: { 204: { description: "deleted" }, ...unknownWebhook },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await new WebhookStore(c.env).delete(appKey(c), id);
    await changed(c, "webhook.delete", id);
    return c.body(null, 204);
  },
);

webhookRoutes.openapi(
  createRoute({
    ...common,
    method: "post",
    path: "/{id}/rotate-secret",
    summary: "Replace the signing secret",
    description: "The old secret stops signing at once; the new one is shown this once.",
    request: { params: IdParams },
    responses: { 200: json(WebhookWithSecretSchema, "the webhook with its new secret"), ...unknownWebhook },
  }),
  async (c) => {
    const rotated = await new WebhookStore(c.env).rotateSecret(appKey(c), c.req.valid("param").id);
    await changed(c, "webhook.secret.rotate", rotated.id);
    return c.json(rotated, 200);
  },
);

function appKey(c: Context<AppAuthEnv>): string {
  return c.get("app").appKey;
}

/** Audits the change and tells the app's Webhook DO to re-read its config before the next delivery. */
async function changed(c: Context<AppAuthEnv>, action: string, id: string): Promise<void> {
  await new AppStore(c.env).audit({ actor: `app:${appKey(c)}`, action, target: id, ip: c.req.header("cf-connecting-ip") ?? null });
  try {
    await webhookStub(c.env, appKey(c)).configChanged();
  } catch (err) {
    // the DO re-reads its config within 30 s anyway
    console.error(JSON.stringify({ level: "warn", msg: "webhook config invalidation failed", error: String(err) }));
  }
}
