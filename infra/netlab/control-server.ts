/**
 * The lab's HTTP control socket on 127.0.0.1, for changing conditions mid-call from another
 * terminal or script:
 *   GET   /conditions        the current conditions
 *   PUT   /conditions        replace them (a LabConditions body; fields left out are clean)
 *   PATCH /conditions        change only the fields given ({"downlink": {"loss": 50}})
 *   GET   /stats             the relay's counters
 * Bodies are validated (conditions.ts); a refusal is {"error": {code, message}} with its status.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ParleyError } from "@parley/shared";
import { z } from "zod/v4";
import { parseLabConditions, parseOrRefuse } from "./conditions.js";
import type { LabConditionsPatch, NetLab } from "./netlab.js";

/** Conditions are a few hundred bytes; anything much larger is not one. */
const MAX_BODY_BYTES = 16 * 1024;

/** The shape only: the merged result is validated field by field as LabConditions (no defaults filled in here). */
const PatchSchema = z.strictObject({
  uplink: z.record(z.string(), z.unknown()).optional(),
  downlink: z.record(z.string(), z.unknown()).optional(),
});

export async function startControlServer(lab: NetLab, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    handle(lab, req).then(
      (body) => send(res, 200, body),
      (err) => {
        const error =
          err instanceof ParleyError ? err : new ParleyError("INVALID_REQUEST", err instanceof Error ? err.message : String(err));
        send(res, error.status, { error: error.toBody() });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return server;
}

async function handle(lab: NetLab, req: IncomingMessage): Promise<unknown> {
  const route = `${req.method} ${new URL(req.url ?? "/", "http://lab").pathname}`;
  switch (route) {
    case "GET /conditions":
      return lab.conditions;
    case "PUT /conditions":
      return lab.set(parseLabConditions(await readJson(req)));
    case "PATCH /conditions":
      return lab.update(parseOrRefuse(PatchSchema, await readJson(req), "patch") as LabConditionsPatch);
    case "GET /stats":
      return lab.stats();
    default:
      throw new ParleyError("NOT_FOUND", `no route ${route}; use GET/PUT/PATCH /conditions or GET /stats`);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ParleyError("PAYLOAD_TOO_LARGE", `the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  } catch {
    throw new ParleyError("INVALID_REQUEST", "the body is not JSON");
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(`${JSON.stringify(body)}\n`);
}
