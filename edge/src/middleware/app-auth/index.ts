import { ParleyError, type SecretSlot } from "@parley/shared";
import { createMiddleware } from "hono/factory";
import { type AppRecord, AppStore } from "../../apps/app-store.js";
import type { Env } from "../../env.js";
import { timingSafeEqualText } from "../../http/timing-safe.js";

export type AppAuthEnv = { Bindings: Env; Variables: { app: AppRecord; slot: SecretSlot } };

/** App routes: HTTP Basic with AppKey as user and AppSecret (either slot) as password. */
export const appAuth = createMiddleware<AppAuthEnv>(async (c, next) => {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(c.req.header("authorization") ?? "");
  if (!match) throw new ParleyError("UNAUTHORIZED", "app routes need HTTP Basic auth: AppKey as user, AppSecret as password");
  let decoded: string;
  try {
    decoded = atob(match[1] as string);
  } catch {
    throw new ParleyError("UNAUTHORIZED", "Basic credentials are not valid base64");
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
  await next();
});
