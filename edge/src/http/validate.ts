import { LIMITS, ParleyError, zodToParleyError } from "@parley/shared";
import type { Context } from "hono";
import type { z } from "zod";
import { readLimitedText } from "./limited-body.js";

/** Reads a JSON body (at most LIMITS.httpBodyBytes) and validates it with a shared schema. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await readLimitedText(c.req.raw, LIMITS.httpBodyBytes, "request bodies");
  let value: unknown;
  try {
    value = text === "" ? {} : JSON.parse(text);
  } catch (cause) {
    throw new ParleyError("INVALID_REQUEST", "request body is not valid JSON", { cause });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw zodToParleyError(parsed.error);
  return parsed.data;
}

/** Validates one path or query parameter with a shared schema. */
export function readParam<S extends z.ZodType>(value: string | undefined, schema: S, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ParleyError("INVALID_REQUEST", `${what}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}
