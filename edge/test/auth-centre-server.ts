/**
 * A customer's auth centre, for real: an HTTP server on 127.0.0.1 that the edge (in workerd)
 * calls. It answers by the opaque token it is given:
 *   ok-<user>  → 200 {user}     deny → 403     broken → 500
 *   iat<unix seconds>-<user> → 200 {user, iat}: the customer says when it issued the token
 *   slow       → answers after 5 s (past the edge's 3 s timeout)      nojson → 200 text
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    authCentreUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const { token } = JSON.parse(body || "{}") as { token?: string };
      if (token?.startsWith("ok-")) {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ user: token.slice(3), name: "Via auth centre" }));
      } else if (token?.startsWith("iat")) {
        const [, iat, user] = /^iat(\d+)-(.+)$/.exec(token) ?? [];
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ user, iat: Number(iat) }));
      } else if (token === "deny") res.writeHead(403).end("no");
      else if (token === "broken") res.writeHead(500).end("oops");
      else if (token === "nojson") res.writeHead(200).end("yes");
      else if (token === "slow") setTimeout(() => res.writeHead(200).end("{}"), 5000).unref();
      else res.writeHead(401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("authCentreUrl", `http://127.0.0.1:${port}/validate`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
