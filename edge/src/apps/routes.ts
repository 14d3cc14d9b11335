import { createRoute, z } from "@hono/zod-openapi";
import {
  AppInfoSchema,
  AppKey,
  AppListSchema,
  AppUsageSchema,
  CreateAppRequest,
  CreatedAppSchema,
  CreatedSecretSchema,
  Licence,
  SecretSlot,
  UpdateAppRequest,
} from "@parley/shared";
import type { Context } from "hono";
import type { HonoEnv } from "../env.js";
import { appStub } from "../licences/app-do.js";
import { operatorAuth } from "../middleware/operator-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, jsonBody, SECURITY, withJsonBody } from "../openapi/route.js";
import { AppStore } from "./app-store.js";

const AppKeyParams = z.object({ appKey: AppKey });
const SlotParams = AppKeyParams.extend({ slot: z.coerce.number().pipe(SecretSlot) });
const common = { tags: ["apps"], security: SECURITY.operator };
const unknownApp = errors(...AUTH_ERRORS.operator, "INVALID_REQUEST", "NOT_FOUND");

/** Operator API: apps, their secrets and licences. Every change is written to the audit log. */
export const appRoutes = documentedRoutes<HonoEnv>();
appRoutes.use(operatorAuth);

appRoutes.openapi(
  withJsonBody(
    appRoutes,
    createRoute({
      ...common,
      method: "post",
      path: "/",
      summary: "Create an app",
      description: "The answer carries the app's first secret (slot 1); it is never shown again.",
      request: { body: jsonBody(CreateAppRequest) },
      responses: {
        201: json(CreatedAppSchema, "the app, with its AppSecret"),
        ...errors(...AUTH_ERRORS.operator, "INVALID_REQUEST", "PAYLOAD_TOO_LARGE"),
      },
    }),
  ),
  async (c) => {
    const store = new AppStore(c.env);
    const created = await store.create(c.req.valid("json"));
    await audit(c, store, "app.create", created.appKey);
    return c.json(created, 201);
  },
);

appRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/",
    summary: "List apps",
    responses: { 200: json(AppListSchema, "every app, without secrets"), ...errors(...AUTH_ERRORS.operator) },
  }),
  async (c) => c.json({ apps: await new AppStore(c.env).list() }, 200),
);

appRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/{appKey}",
    summary: "Read an app",
    request: { params: AppKeyParams },
    responses: { 200: json(AppInfoSchema, "the app, without secrets"), ...unknownApp },
  }),
  async (c) => c.json(await new AppStore(c.env).info(c.req.valid("param").appKey), 200),
);

appRoutes.openapi(
  withJsonBody(
    appRoutes,
    createRoute({
      ...common,
      method: "patch",
      path: "/{appKey}",
      summary: "Rename, disable or enable an app, or set its auth centre",
      request: { params: AppKeyParams, body: jsonBody(UpdateAppRequest) },
      responses: { 200: json(AppInfoSchema, "the updated app"), ...unknownApp },
    }),
  ),
  async (c) => {
    const store = new AppStore(c.env);
    const patch = c.req.valid("json");
    const info = await store.update(c.req.valid("param").appKey, patch);
    await audit(c, store, patch.disabled === undefined ? "app.update" : patch.disabled ? "app.disable" : "app.enable", info.appKey);
    return c.json(info, 200);
  },
);

appRoutes.openapi(
  withJsonBody(
    appRoutes,
    createRoute({
      ...common,
      method: "put",
      path: "/{appKey}/licence",
      summary: "Set an app's licence",
      description: "`null` means no limit (or no expiry).",
      request: { params: AppKeyParams, body: jsonBody(Licence) },
      responses: { 200: json(AppInfoSchema, "the app with its new licence"), ...unknownApp },
    }),
  ),
  async (c) => {
    const store = new AppStore(c.env);
    const info = await store.setLicence(c.req.valid("param").appKey, c.req.valid("json"));
    await audit(c, store, "licence.set", info.appKey);
    return c.json(info, 200);
  },
);

appRoutes.openapi(
  createRoute({
    ...common,
    method: "post",
    path: "/{appKey}/secrets",
    summary: "Add a secret in the free slot",
    description: "For rotation: move your back end to the new secret, then revoke the old slot.",
    request: { params: AppKeyParams },
    responses: {
      201: json(CreatedSecretSchema, "the new secret, shown this once"),
      ...errors(...AUTH_ERRORS.operator, "INVALID_REQUEST", "NOT_FOUND", "SECRET_SLOTS_FULL"),
    },
  }),
  async (c) => {
    const store = new AppStore(c.env);
    const created = await store.addSecret(c.req.valid("param").appKey);
    await audit(c, store, `secret.add.${created.slot}`, created.appKey);
    return c.json(created, 201);
  },
);

appRoutes.openapi(
  createRoute({
    ...common,
    method: "delete",
    path: "/{appKey}/secrets/{slot}",
    summary: "Revoke a secret slot",
    description: "Tokens signed with it stop verifying at once. The last secret cannot be revoked.",
    request: { params: SlotParams },
    responses: { 200: json(AppInfoSchema, "the app"), ...errors(...AUTH_ERRORS.operator, "INVALID_REQUEST", "NOT_FOUND", "LAST_SECRET") },
  }),
  async (c) => {
    const store = new AppStore(c.env);
    const { appKey, slot } = c.req.valid("param");
    const info = await store.revokeSecret(appKey, slot);
    await audit(c, store, `secret.revoke.${slot}`, info.appKey);
    return c.json(info, 200);
  },
);

appRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/{appKey}/usage",
    summary: "Live rooms and users against the licence",
    request: { params: AppKeyParams },
    responses: { 200: json(AppUsageSchema, "live usage"), ...unknownApp },
  }),
  async (c) => {
    const info = await new AppStore(c.env).info(c.req.valid("param").appKey);
    return c.json({ appKey: info.appKey, licence: info.licence, usage: await appStub(c.env, info.appKey).usage() }, 200);
  },
);

function audit(c: Context<HonoEnv>, store: AppStore, action: string, target: string): Promise<void> {
  return store.audit({ actor: "operator", action, target, ip: c.req.header("cf-connecting-ip") ?? null });
}
