import { CallSearch, zodToParleyError } from "@parley/shared";
import { Hono } from "hono";
import { z } from "zod";
import { readParam } from "../http/validate.js";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { CallStore } from "./call-store.js";

const CallId = z.string().regex(/^c_[A-Za-z0-9]{8,32}$/, "call ids look like c_ followed by letters and digits");

/** Call records: `GET /v1/calls?room=&user=&from=&to=&limit=&cursor=` and `GET /v1/calls/:id`. */
export const callRoutes = new Hono<AppAuthEnv>()
  .use(appAuth)
  .get("/", async (c) => {
    const parsed = CallSearch.safeParse(c.req.query());
    if (!parsed.success) throw zodToParleyError(parsed.error);
    return c.json(await new CallStore(c.env.DB).search(c.get("app").appKey, parsed.data));
  })
  .get("/:id", async (c) => {
    const id = readParam(c.req.param("id"), CallId, "id");
    return c.json(await new CallStore(c.env.DB).detail(c.get("app").appKey, id));
  });
