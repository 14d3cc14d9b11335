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
export function limitOrNone(value: string): number | null {
  if (value === "none") return null;
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number or "none"');
  return Number(value);
}
