import { AppKey, ParleyError } from "@parley/shared";
import { createMiddleware } from "hono/factory";
import { AppStore } from "../../apps/app-store.js";
import { config } from "../../config/index.js";
import { timingSafeEqualText } from "../../http/timing-safe.js";
import { readParam } from "../../http/validate.js";
import { JWT_SHAPE } from "../../tokens/verify.js";
import { type AppAuthEnv, appAuth } from "../app-auth/index.js";

/**
 * Read routes an app and the operator both use (the console): app credentials (Basic, or an admin
 * access token) scope to that app; `Authorization: Bearer <operator key>` plus `?app=<AppKey>` scopes to any app.
 * The operator key travels only in the header, never in the query. Sets `app` like appAuth; the
 * operator variant also reaches disabled apps, so an operator can look at what was switched off.
 */
export const appOrOperator = createMiddleware<AppAuthEnv>(async (c, next) => {
  const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "");
  // an access token (a JWT) is the app's admin credential; anything else must be the operator key
  if (!bearer || JWT_SHAPE.test(bearer[1] as string)) return appAuth(c, next);
  // the same check as operator-auth/, which is typed for routes without the `app` variable
  if (!(await timingSafeEqualText(bearer[1] as string, config(c.env).operatorKey))) {
    throw new ParleyError("UNAUTHORIZED", "operator key is not valid");
  }
  const appKey = readParam(c.req.query("app"), AppKey, "app");
  const app = await new AppStore(c.env).get(appKey);
  if (!app) throw new ParleyError("NOT_FOUND", `no app ${appKey}`);
  c.set("app", app);
  await next();
});
