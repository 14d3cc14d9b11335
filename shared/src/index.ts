export * from "./api.js";
export * from "./calls.js";
export * from "./control.js";
export * from "./errors.js";
export * from "./ids.js";
export * from "./limits.js";
export * from "./media.js";
export * from "./recording.js";
export * from "./signal.js";
export * from "./token.js";

/** Exhaustiveness check for discriminated unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(value)}`);
}
