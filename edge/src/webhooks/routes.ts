import { CreateWebhookRequest, DeliverySearch, UpdateWebhookRequest, WebhookId, zodToParleyError } from "@parley/shared";
import { type Context, Hono } from "hono";
import { AppStore } from "../apps/app-store.js";
import { readJson, readParam } from "../http/validate.js";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { webhookStub } from "./webhook-do.js";
import { WebhookStore } from "./webhook-store.js";

/**
 * Webhooks of the authenticated app (`/v1/webhooks`): create (the signing secret is shown once),
 * list, read, update, delete, rotate the secret, and the delivery log.
 */
export const webhookRoutes = new Hono<AppAuthEnv>()
  .use(appAuth)
  .get("/deliveries", async (c) => {
    const parsed = DeliverySearch.safeParse(c.req.query());
    if (!parsed.success) throw zodToParleyError(parsed.error);
    return c.json(await new WebhookStore(c.env).deliveries(appKey(c), parsed.data));
  })
  .post("/", async (c) => {
    const created = await new WebhookStore(c.env).create(appKey(c), await readJson(c, CreateWebhookRequest));
    await changed(c, "webhook.create", created.id);
    return c.json(created, 201);
  })
  .get("/", async (c) => c.json({ webhooks: await new WebhookStore(c.env).list(appKey(c)) }))
  .get("/:id", async (c) => c.json(await new WebhookStore(c.env).info(appKey(c), webhookId(c))))
  .patch("/:id", async (c) => {
    const info = await new WebhookStore(c.env).update(appKey(c), webhookId(c), await readJson(c, UpdateWebhookRequest));
    await changed(c, "webhook.update", info.id);
    return c.json(info);
  })
  .delete("/:id", async (c) => {
    const id = webhookId(c);
    await new WebhookStore(c.env).delete(appKey(c), id);
    await changed(c, "webhook.delete", id);
    return c.body(null, 204);
  })
  .post("/:id/rotate-secret", async (c) => {
    const rotated = await new WebhookStore(c.env).rotateSecret(appKey(c), webhookId(c));
    await changed(c, "webhook.secret.rotate", rotated.id);
    return c.json(rotated);
  });

function appKey(c: Context<AppAuthEnv>): string {
  return c.get("app").appKey;
}

function webhookId(c: Context<AppAuthEnv>): string {
  return readParam(c.req.param("id"), WebhookId, "id");
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
