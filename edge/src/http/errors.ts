import { type ErrorCode, ParleyError } from "@parley/shared";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { log } from "../log/index.js";

export function errorResponse(code: ErrorCode, message: string): Response {
  const err = new ParleyError(code, message);
  return Response.json({ error: err.toBody() }, { status: err.status });
}

/** Hono onError: typed errors keep their code; anything else is INTERNAL with no detail leaked. */
export function onError(err: Error, c: Context): Response {
  if (err instanceof ParleyError) return errorResponse(err.code, err.message);
  if (err instanceof HTTPException) return errorResponse(err.status === 413 ? "PAYLOAD_TOO_LARGE" : "INVALID_REQUEST", err.message);
  log({ event: "http.unhandled", path: new URL(c.req.url).pathname, error: err });
  return errorResponse("INTERNAL", "internal error; it has been logged");
}
