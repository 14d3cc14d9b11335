import { createRoute } from "@hono/zod-openapi";
import { type AuditPage, AuditPageSchema, AuditSearch } from "@parley/shared";
import type { HonoEnv } from "../env.js";
import { operatorAuth } from "../middleware/operator-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, SECURITY } from "../openapi/route.js";

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
export const auditRoutes = documentedRoutes<HonoEnv>();
auditRoutes.use(operatorAuth);
auditRoutes.openapi(
  createRoute({
    tags: ["audit"],
    security: SECURITY.operator,
    method: "get",
    path: "/",
    summary: "The audit log",
    description: "Every administrative action — who, what, on what, when, from where — newest first.",
    request: { query: AuditSearch },
    responses: { 200: json(AuditPageSchema, "one page of entries"), ...errors(...AUTH_ERRORS.operator, "INVALID_REQUEST") },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const { results } = await c.env.DB.prepare(
      "SELECT id, at, actor, action, target, ip FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?",
    )
      .bind(cursor === undefined ? Number.MAX_SAFE_INTEGER : Number(cursor), limit + 1)
      .all<AuditRow>();
    const entries = results.slice(0, limit).map((r) => ({ ...r }));
    const last = entries.at(-1);
    const page: AuditPage = { entries, nextCursor: results.length > limit && last ? String(last.id) : null };
    return c.json(page, 200);
  },
);
