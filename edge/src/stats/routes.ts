import { createRoute } from "@hono/zod-openapi";
import { ParleyError, StatsQuery, StatsResponseSchema } from "@parley/shared";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, SECURITY } from "../openapi/route.js";
import { appStats } from "./app-stats.js";

const MAX_BUCKETS = 2000;

/** `GET /v1/stats?from=&to=&bucket=`: the app's call statistics per time bucket. */
export const statsRoutes = documentedRoutes<AppAuthEnv>();
statsRoutes.use(appAuth);
statsRoutes.openapi(
  createRoute({
    tags: ["stats"],
    security: SECURITY.app,
    method: "get",
    path: "/",
    summary: "Call statistics per time bucket",
    description:
      "Peak concurrent rooms and users, join success rate (joins vs licence refusals), stall rate (received video not rendered for more than 300 ms), good-transmission rate (loss under 5 %) and average MOS. Defaults: the last 24 hours in hourly buckets.",
    request: { query: StatsQuery },
    responses: { 200: json(StatsResponseSchema, "one entry per bucket"), ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST") },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const to = query.to?.getTime() ?? Date.now();
    const from = query.from?.getTime() ?? to - 24 * 3600_000;
    if (from >= to) throw new ParleyError("INVALID_REQUEST", "from must be before to");
    if ((to - from) / (query.bucket * 1000) > MAX_BUCKETS) {
      throw new ParleyError("INVALID_REQUEST", `at most ${MAX_BUCKETS} buckets: use a longer bucket or a shorter range`);
    }
    return c.json(await appStats(c.env.DB, c.get("app").appKey, from, to, query.bucket), 200);
  },
);
