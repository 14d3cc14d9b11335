import { AppKey, CreateAppRequest, Licence, SecretSlot, UpdateAppRequest } from "@parley/shared";
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { HonoEnv } from "../env.js";
import { readJson, readParam } from "../http/validate.js";
import { appStub } from "../licences/app-do.js";
import { operatorAuth } from "../middleware/operator-auth/index.js";
import { AppStore } from "./app-store.js";

const Slot = z.coerce.number().pipe(SecretSlot);

/** Operator API: apps, their secrets and licences. Every change is written to the audit log. */
export const appRoutes = new Hono<HonoEnv>()
  .use(operatorAuth)
  .post("/", async (c) => {
    const store = new AppStore(c.env);
    const created = await store.create(await readJson(c, CreateAppRequest));
    await audit(c, store, "app.create", created.appKey);
    return c.json(created, 201);
  })
  .get("/", async (c) => c.json({ apps: await new AppStore(c.env).list() }))
  .get("/:appKey", async (c) => c.json(await new AppStore(c.env).info(appKeyParam(c))))
  .patch("/:appKey", async (c) => {
    const store = new AppStore(c.env);
    const patch = await readJson(c, UpdateAppRequest);
    const info = await store.update(appKeyParam(c), patch);
    await audit(c, store, patch.disabled === undefined ? "app.update" : patch.disabled ? "app.disable" : "app.enable", info.appKey);
    return c.json(info);
  })
  .put("/:appKey/licence", async (c) => {
    const store = new AppStore(c.env);
    const info = await store.setLicence(appKeyParam(c), await readJson(c, Licence));
    await audit(c, store, "licence.set", info.appKey);
    return c.json(info);
  })
  .post("/:appKey/secrets", async (c) => {
    const store = new AppStore(c.env);
    const created = await store.addSecret(appKeyParam(c));
    await audit(c, store, `secret.add.${created.slot}`, created.appKey);
    return c.json(created, 201);
  })
  .delete("/:appKey/secrets/:slot", async (c) => {
    const store = new AppStore(c.env);
    const slot = readParam(c.req.param("slot"), Slot, "slot");
    const info = await store.revokeSecret(appKeyParam(c), slot);
    await audit(c, store, `secret.revoke.${slot}`, info.appKey);
    return c.json(info);
  })
  .get("/:appKey/usage", async (c) => {
    const info = await new AppStore(c.env).info(appKeyParam(c));
    return c.json({ appKey: info.appKey, licence: info.licence, usage: await appStub(c.env, info.appKey).usage() });
  });

function appKeyParam(c: Context): string {
  return readParam(c.req.param("appKey"), AppKey, "appKey");
}

function audit(c: Context<HonoEnv>, store: AppStore, action: string, target: string): Promise<void> {
  return store.audit({ actor: "operator", action, target, ip: c.req.header("cf-connecting-ip") ?? null });
}
