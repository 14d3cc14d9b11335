/**
 * A customer's webhook receiver, for real: an HTTP server on 127.0.0.1 that the edge's Webhook DO
 * (in workerd) posts to. Each test uses its own sink name:
 *   POST /hooks/<sink>                → records the attempt; answers 500 while the sink owes failures, else 204
 *   POST /control/<sink>/fail?count=N → the next N deliveries to the sink fail
 *   GET  /control/<sink>              → {attempts: [{status, headers, body}]} in arrival order
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    webhookReceiverUrl: string;
  }
}

interface Attempt {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const sinks = new Map<string, { failuresOwed: number; attempts: Attempt[] }>();
  const sink = (name: string) => {
    let s = sinks.get(name);
    if (!s) sinks.set(name, (s = { failuresOwed: 0, attempts: [] }));
    return s;
  };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://receiver");
      const [, kind, name, action] = url.pathname.split("/");
      if (!name) return void res.writeHead(404).end();
      const s = sink(name);
      if (kind === "hooks" && req.method === "POST") {
        const status = s.failuresOwed > 0 ? 500 : 204;
        if (status === 500) s.failuresOwed--;
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        s.attempts.push({ status, headers, body });
        return void res.writeHead(status).end();
      }
      if (kind === "control" && action === "fail" && req.method === "POST") {
        s.failuresOwed = Number(url.searchParams.get("count") ?? "1");
        return void res.writeHead(204).end();
      }
      if (kind === "control" && req.method === "GET") {
        return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ attempts: s.attempts }));
      }
      res.writeHead(404).end();
    });
  });
  // the port edge/vitest.config.ts put in the edge's OUTBOUND_ALLOW
  await new Promise<void>((resolve) => server.listen(Number(process.env.PARLEY_WEBHOOK_RECEIVER_PORT ?? 0), "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("webhookReceiverUrl", `http://127.0.0.1:${port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
