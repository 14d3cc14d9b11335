/**
 * Contract checks for edge tests: an answer must have a status its route documents, and a body
 * that the zod schema behind that status in the OpenAPI document accepts — with no field the
 * schema does not know (the parse strips unknown keys, so the parsed value must equal the body).
 */
import { expect } from "vitest";
import type { z } from "zod";
import { app } from "../src/app.js";

type Documented = {
  method: string;
  path: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema: z.ZodType }> }>;
};

export const documentedRoutes: Documented[] = app.openAPIRegistry.definitions.flatMap((d) =>
  d.type === "route" ? [d.route as unknown as Documented] : [],
);

/** "GET /v1/apps/{appKey}" → "ok" and/or "fail" once a test has checked an answer of that kind. */
export const covered = new Map<string, Set<"ok" | "fail">>();

export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

/** Checks `res` against the document for `method path` (path as documented, e.g. /v1/calls/{id}). */
export async function expectContract<T = unknown>(res: Response, method: string, path: string, status?: number): Promise<T> {
  if (status !== undefined) expect(res.status, `${method} ${path}`).toBe(status);
  const route = documentedRoutes.find((r) => r.method === method.toLowerCase() && r.path === path);
  if (!route) throw new Error(`${routeKey(method, path)} is not in the OpenAPI document`);
  const spec = route.responses[String(res.status)];
  if (!spec) throw new Error(`${routeKey(method, path)} answered ${res.status}, which it does not document: ${await res.text()}`);
  const kinds = covered.get(routeKey(method, path)) ?? new Set();
  kinds.add(res.status < 400 ? "ok" : "fail");
  covered.set(routeKey(method, path), kinds);
  const json = spec.content?.["application/json"];
  if (!json) {
    for (const type of ["text/html", "text/plain"]) {
      if (!spec.content?.[type]) continue;
      expect(res.headers.get("content-type")).toContain(type);
      return (await res.text()) as T;
    }
    if (res.status !== 101) expect(await res.text(), `${routeKey(method, path)} ${res.status} documents no body`).toBe("");
    return undefined as T;
  }
  const body: unknown = await res.json();
  const parsed = json.schema.safeParse(body);
  if (!parsed.success) {
    throw new Error(`${routeKey(method, path)} ${res.status}: ${JSON.stringify(parsed.error.issues)} in ${JSON.stringify(body)}`);
  }
  expect(parsed.data, `${routeKey(method, path)} ${res.status} has fields its schema does not document`).toEqual(body);
  return body as T;
}
