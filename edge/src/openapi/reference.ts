import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Env } from "hono";
import { renderDocsPage } from "./docs-page.js";
import { openApiDocument } from "./document.js";
import { SECURITY } from "./route.js";

const DocumentSchema = z.looseObject({
  openapi: z.literal("3.1.0"),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.looseObject({})),
});

let page: string | undefined;

/** `GET /v1/openapi.json` and `GET /v1/docs`: the document, and a page people can read offline. */
export function mountReference<E extends Env>(app: OpenAPIHono<E>): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/openapi.json",
      tags: ["reference"],
      security: SECURITY.none,
      summary: "This OpenAPI 3.1 document",
      responses: { 200: { description: "the document", content: { "application/json": { schema: DocumentSchema } } } },
    }),
    (c) => c.json(openApiDocument(app) as z.infer<typeof DocumentSchema>, 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/docs",
      tags: ["reference"],
      security: SECURITY.none,
      summary: "The API reference as one self-contained HTML page",
      responses: {
        200: { description: "HTML; no scripts, styles or fonts from elsewhere", content: { "text/html": { schema: z.string() } } },
      },
    }),
    (c) => {
      page ??= renderDocsPage(openApiDocument(app));
      return c.html(page, 200);
    },
  );
}
