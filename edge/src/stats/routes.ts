import { ParleyError, StatsQuery, zodToParleyError } from "@parley/shared";
import { Hono } from "hono";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { appStats } from "./app-stats.js";

const MAX_BUCKETS = 2000;

/** `GET /v1/stats?from=&to=&bucket=`: the app's call statistics per time bucket. */
export const statsRoutes = new Hono<AppAuthEnv>().use(appAuth).get("/", async (c) => {
  const parsed = StatsQuery.safeParse(c.req.query());
  if (!parsed.success) throw zodToParleyError(parsed.error);
  const to = parsed.data.to?.getTime() ?? Date.now();
  const from = parsed.data.from?.getTime() ?? to - 24 * 3600_000;
  if (from >= to) throw new ParleyError("INVALID_REQUEST", "from must be before to");
  if ((to - from) / (parsed.data.bucket * 1000) > MAX_BUCKETS) {
    throw new ParleyError("INVALID_REQUEST", `at most ${MAX_BUCKETS} buckets: use a longer bucket or a shorter range`);
  }
  return c.json(await appStats(c.env.DB, c.get("app").appKey, from, to, parsed.data.bucket));
});
