import { ParleyError } from "@parley/shared";
import { createMiddleware } from "hono/factory";
import { config } from "../../config/index.js";
import type { HonoEnv } from "../../env.js";
import { timingSafeEqualText } from "../../http/timing-safe.js";

/** Operator routes: `Authorization: Bearer <OPERATOR_KEY>`. */
export const operatorAuth = createMiddleware<HonoEnv>(async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) throw new ParleyError("UNAUTHORIZED", "operator routes need Authorization: Bearer <operator key>");
  if (!(await timingSafeEqualText(match[1] as string, config(c.env).operatorKey))) {
    throw new ParleyError("UNAUTHORIZED", "operator key is not valid");
  }
  await next();
});
