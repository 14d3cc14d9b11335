import type * as z from "zod";

/** Bad input from the person at the terminal: reported without a stack, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parses a user-supplied value; a failure names the flag and the rule it broke. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `.${issue.path.join(".")}` : "";
    throw new UsageError(`${what}${where}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** Parses a JSON value typed at the terminal; malformed JSON is a usage error naming the flag. */
export function parseJsonInput(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${what}: not valid JSON`);
  }
}
