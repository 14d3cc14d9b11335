import { ParleyError, type SecretSlot } from "@parley/shared";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { type AppRecord, AppStore } from "../../apps/app-store.js";
import type { Env } from "../../env.js";
import { timingSafeEqualText } from "../../http/timing-safe.js";
import { adminTokenApp } from "./admin-token.js";

export type AppAuthEnv = { Bindings: Env; Variables: { app: AppRecord; slot: SecretSlot } };

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * App routes: HTTP Basic with AppKey as user and AppSecret (either slot) as password, or
 * `Authorization: Bearer <access token>` carrying the admin grant (room-scoped: see admin-token.ts).
 */
export const appAuth = createMiddleware<AppAuthEnv>(async (c, next) => {
  const bearer = BEARER.exec(c.req.header("authorization") ?? "");
  if (bearer) {
    const { app, slot } = await adminTokenApp(c.env, bearer[1] as string, c.req.path);
    c.set("app", app);
    c.set("slot", slot);
  } else await basicAuth(c);
  await next();
});

/** Routes that hand out credentials (token minting): the AppSecret itself, never a token. */
export const appSecretAuth = createMiddleware<AppAuthEnv>(async (c, next) => {
  if (BEARER.test(c.req.header("authorization") ?? "")) {
    throw new ParleyError(
      "UNAUTHORIZED",
      "this route needs the AppSecret (HTTP Basic AppKey:AppSecret); an access token cannot mint tokens",
    );
  }
  await basicAuth(c);
  await next();
});

async function basicAuth(c: Context<AppAuthEnv>): Promise<void> {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(c.req.header("authorization") ?? "");
  if (!match) {
    throw new ParleyError(
      "UNAUTHORIZED",
      "app routes need HTTP Basic auth (AppKey as user, AppSecret as password) or Bearer <access token with the admin grant>",
    );
  }
  let decoded: string;
  try {
    decoded = atob(match[1] as string);
  } catch (cause) {
    throw new ParleyError("UNAUTHORIZED", "Basic credentials are not valid base64", { cause });
  }
  const colon = decoded.indexOf(":");
  const appKey = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  const app = colon > 0 ? await new AppStore(c.env).get(appKey) : null;
  if (!app) throw new ParleyError("APP_UNKNOWN", "no app with that AppKey");
  let slot: SecretSlot | undefined;
  for (const s of [1, 2] as const) {
    const stored = app.secrets[s];
    if (stored !== undefined && (await timingSafeEqualText(secret, stored))) slot = s;
  }
  if (!slot) throw new ParleyError("UNAUTHORIZED", "AppSecret does not match either of the app's secret slots");
  if (app.disabled) throw new ParleyError("APP_DISABLED", "this app is disabled; an operator can enable it");
  c.set("app", app);
  c.set("slot", slot);
}
