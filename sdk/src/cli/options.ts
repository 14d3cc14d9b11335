import { InvalidArgumentError } from "commander";

/** Repeatable option: `--grant a --grant b` → ["a", "b"]. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("must be a whole number");
  return Number(value);
}

/** A limit: a whole number, or "none" for unlimited. */
/** A limit flag: a whole number, or "none". It stays the string "none" (commander turns a parser's null into ""); `noneAsNull` maps it for the API. */
export function limitOrNone(value: string): number | "none" {
  if (value === "none") return "none";
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number or "none"');
  return Number(value);
}

export function noneAsNull<T>(value: T | "none"): T | null {
  return value === "none" ? null : value;
}
