import { createRoute, z } from "@hono/zod-openapi";
import {
  AppKey,
  CallDetailSchema,
  CallPageSchema,
  CallSearch,
  DeliveryPageSchema,
  DeliverySearch,
  ParleyError,
  RecordingDownloadLinksSchema,
  RecordingInfoSchema,
  RecordingPageSchema,
  RecordingSearch,
  WebhookId,
  WebhookInfoSchema,
  WebhookListSchema,
} from "@parley/shared";
import type { Context } from "hono";
import { AppStore } from "../apps/app-store.js";
import { CallStore } from "../calls/call-store.js";
import type { HonoEnv } from "../env.js";
import { operatorAuth } from "../middleware/operator-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, SECURITY } from "../openapi/route.js";
import { downloadLinks } from "../recordings/download-links.js";
import { RecordingStore } from "../recordings/recording-store.js";
import { WebhookStore } from "../webhooks/webhook-store.js";

const CallId = z.string().regex(/^c_[A-Za-z0-9]{8,32}$/, "call ids look like c_ followed by letters and digits");
const RecordingIdParam = z.string().regex(/^rec_[A-Za-z0-9]{8,32}$/, "recording ids look like rec_ followed by letters and digits");
const AppQuery = z.object({ app: AppKey });
const common = { tags: ["operator"], security: SECURITY.operator };
const refusals = errors(...AUTH_ERRORS.operator, "INVALID_REQUEST", "NOT_FOUND");
const notFound = (...codes: Parameters<typeof errors>) => errors(...AUTH_ERRORS.operator, "INVALID_REQUEST", "NOT_FOUND", ...codes);

/**
 * `/v1/operator/*?app=<AppKey>`: the operator's read-only view of one app's call records,
 * recordings and webhooks — the same stores and answers as the app routes (`/v1/calls`,
 * `/v1/recordings`, `/v1/webhooks`), for an operator who holds no app secret (the console).
 */
export const operatorAppRoutes = documentedRoutes<HonoEnv>();
operatorAppRoutes.use(operatorAuth);

operatorAppRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/calls",
    summary: "An app's call records",
    request: { query: CallSearch.extend(AppQuery.shape) },
    responses: { 200: json(CallPageSchema, "one page of calls"), ...refusals },
  }),
  async (c) => {
    const { app, ...search } = c.req.valid("query");
    return c.json(await new CallStore(c.env.DB).search(await existing(c, app), search), 200);
  },
);
operatorAppRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/calls/{id}",
    summary: "An app's call record",
    request: { params: z.object({ id: CallId }), query: AppQuery },
    responses: { 200: json(CallDetailSchema, "endpoints and quality timeline"), ...refusals },
  }),
  async (c) => c.json(await new CallStore(c.env.DB).detail(await existing(c, c.req.valid("query").app), c.req.valid("param").id), 200),
);
operatorAppRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/recordings",
    summary: "An app's recordings",
    request: { query: RecordingSearch.extend(AppQuery.shape) },
    responses: { 200: json(RecordingPageSchema, "one page of recordings"), ...refusals },
  }),
  async (c) => {
    const { app, ...search } = c.req.valid("query");
    return c.json(await new RecordingStore(c.env.DB).search(await existing(c, app), search), 200);
  },
);
operatorAppRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/recordings/{id}",
    summary: "An app's recording",
    request: { params: z.object({ id: RecordingIdParam }), query: AppQuery },
    responses: { 200: json(RecordingInfoSchema, "the recording and its files"), ...notFound("RECORDING_NOT_FOUND") },
  }),
  async (c) => {
    const appKey = await existing(c, c.req.valid("query").app);
    return c.json(await new RecordingStore(c.env.DB).info(appKey, c.req.valid("param").id), 200);
  },
);
operatorAppRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/recordings/{id}/url",
    summary: "Download links to an app's recording",
    description: "Valid for an hour, as the app route's default: the console asks again for each look.",
    request: { params: z.object({ id: RecordingIdParam }), query: AppQuery },
    responses: {
      200: json(RecordingDownloadLinksSchema, "one time-limited link per uploaded file"),
      ...notFound("RECORDING_NOT_FOUND", "RECORDING_FILE_NOT_FOUND", "NODE_UNAVAILABLE", "STORAGE_UNAVAILABLE"),
    },
  }),
  async (c) => {
    const appKey = await existing(c, c.req.valid("query").app);
    const recording = await new RecordingStore(c.env.DB).get(appKey, c.req.valid("param").id);
    return c.json({ id: recording.id, ...(await downloadLinks(c.env, recording, appKey, 3600)) }, 200);
  },
);
operatorAppRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/webhooks",
    summary: "An app's webhooks",
    request: { query: AppQuery },
    responses: { 200: json(WebhookListSchema, "without secrets"), ...refusals },
  }),
  async (c) => c.json({ webhooks: await new WebhookStore(c.env).list(await existing(c, c.req.valid("query").app)) }, 200),
);
operatorAppRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/webhooks/deliveries",
    summary: "An app's webhook delivery log",
    request: { query: DeliverySearch.extend(AppQuery.shape) },
    responses: { 200: json(DeliveryPageSchema, "one page of delivery attempts"), ...refusals },
  }),
  async (c) => {
    const { app, ...search } = c.req.valid("query");
    return c.json(await new WebhookStore(c.env).deliveries(await existing(c, app), search), 200);
  },
);
operatorAppRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/webhooks/{id}",
    summary: "An app's webhook",
    request: { params: z.object({ id: WebhookId }), query: AppQuery },
    responses: { 200: json(WebhookInfoSchema, "without its secret"), ...refusals },
  }),
  async (c) => c.json(await new WebhookStore(c.env).info(await existing(c, c.req.valid("query").app), c.req.valid("param").id), 200),
);

/** The app must exist (disabled apps included: the operator may look). */
async function existing(c: Context<HonoEnv>, appKey: string): Promise<string> {
  if (!(await new AppStore(c.env).get(appKey))) throw new ParleyError("NOT_FOUND", `no app ${appKey}`);
  return appKey;
}
