import { type AuditEntry, type AuditPage, AuditSearch, zodToParleyError } from "@parley/shared";
import { Hono } from "hono";
import type { HonoEnv } from "../env.js";
import { operatorAuth } from "../middleware/operator-auth/index.js";

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  ip: string | null;
}

/**
 * `GET /v1/audit?limit=&cursor=` (operator): the audit log that app-store.ts and the webhook routes
 * write, newest first. The id is the order (AUTOINCREMENT), so it is also the cursor: stable while
 * new entries arrive on top.
 */
export const auditRoutes = new Hono<HonoEnv>().use(operatorAuth).get("/", async (c) => {
  const parsed = AuditSearch.safeParse(c.req.query());
  if (!parsed.success) throw zodToParleyError(parsed.error);
  const { limit, cursor } = parsed.data;
  const { results } = await c.env.DB.prepare(
    "SELECT id, at, actor, action, target, ip FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?",
  )
    .bind(cursor === undefined ? Number.MAX_SAFE_INTEGER : Number(cursor), limit + 1)
    .all<AuditRow>();
  const entries: AuditEntry[] = results.slice(0, limit).map((r) => ({ ...r }));
  const last = entries.at(-1);
  const page: AuditPage = { entries, nextCursor: results.length > limit && last ? String(last.id) : null };
  return c.json(page);
});
