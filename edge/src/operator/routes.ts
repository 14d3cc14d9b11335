import { AppKey, CallSearch, DeliverySearch, ParleyError, RecordingSearch, WebhookId, zodToParleyError } from "@parley/shared";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { AppStore } from "../apps/app-store.js";
import { CallStore } from "../calls/call-store.js";
import type { HonoEnv } from "../env.js";
import { readParam } from "../http/validate.js";
import { operatorAuth } from "../middleware/operator-auth/index.js";
import { downloadLinks } from "../recordings/download-links.js";
import { RecordingStore } from "../recordings/recording-store.js";
import { WebhookStore } from "../webhooks/webhook-store.js";

const CallId = z.string().regex(/^c_[A-Za-z0-9]{8,32}$/, "call ids look like c_ followed by letters and digits");
const RecordingIdParam = z.string().regex(/^rec_[A-Za-z0-9]{8,32}$/, "recording ids look like rec_ followed by letters and digits");

/**
 * `/v1/operator/*?app=<AppKey>`: the operator's read-only view of one app's call records,
 * recordings and webhooks — the same stores and answers as the app routes (`/v1/calls`,
 * `/v1/recordings`, `/v1/webhooks`), for an operator who holds no app secret (the console).
 */
export const operatorAppRoutes = new Hono<HonoEnv>()
  .use(operatorAuth)
  .get("/calls", async (c) => {
    const appKey = await scopedApp(c);
    return c.json(await new CallStore(c.env.DB).search(appKey, parseQuery(c, CallSearch)));
  })
  .get("/calls/:id", async (c) => {
    const appKey = await scopedApp(c);
    return c.json(await new CallStore(c.env.DB).detail(appKey, readParam(c.req.param("id"), CallId, "id")));
  })
  .get("/recordings", async (c) => {
    const appKey = await scopedApp(c);
    return c.json(await new RecordingStore(c.env.DB).search(appKey, parseQuery(c, RecordingSearch)));
  })
  .get("/recordings/:id", async (c) => {
    const appKey = await scopedApp(c);
    const id = readParam(c.req.param("id"), RecordingIdParam, "id");
    // where the files are stored (node, locations) stays inside, as on the app route
    const { node: _node, storedFiles: _files, ...info } = await new RecordingStore(c.env.DB).get(appKey, id);
    return c.json(info);
  })
  .get("/recordings/:id/url", async (c) => {
    const appKey = await scopedApp(c);
    const recording = await new RecordingStore(c.env.DB).get(appKey, readParam(c.req.param("id"), RecordingIdParam, "id"));
    // an hour, as the app route's default: the console asks again for each look
    return c.json({ id: recording.id, ...(await downloadLinks(c.env, recording, appKey, 3600)) });
  })
  .get("/webhooks", async (c) => c.json({ webhooks: await new WebhookStore(c.env).list(await scopedApp(c)) }))
  .get("/webhooks/deliveries", async (c) => {
    const appKey = await scopedApp(c);
    return c.json(await new WebhookStore(c.env).deliveries(appKey, parseQuery(c, DeliverySearch)));
  })
  .get("/webhooks/:id", async (c) => {
    const appKey = await scopedApp(c);
    return c.json(await new WebhookStore(c.env).info(appKey, readParam(c.req.param("id"), WebhookId, "id")));
  });

/** The app named by `?app=`; it must exist (disabled apps included: the operator may look). */
async function scopedApp(c: Context<HonoEnv>): Promise<string> {
  const appKey = readParam(c.req.query("app"), AppKey, "app");
  if (!(await new AppStore(c.env).get(appKey))) throw new ParleyError("NOT_FOUND", `no app ${appKey}`);
  return appKey;
}

/** The query without `app`, validated by the app route's own (strict) schema. */
function parseQuery<S extends z.ZodType>(c: Context<HonoEnv>, schema: S): z.output<S> {
  const { app: _app, ...rest } = c.req.query();
  const parsed = schema.safeParse(rest);
  if (!parsed.success) throw zodToParleyError(parsed.error);
  return parsed.data;
}
