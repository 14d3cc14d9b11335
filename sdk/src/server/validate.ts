import { zodToParleyError } from "@parley/shared";
import type * as z from "zod";

/** Checks a request before it leaves, with the same schema and error code the edge would use. */
export function checked<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw zodToParleyError(parsed.error);
  return parsed.data;
}
