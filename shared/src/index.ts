export * from "./api.js";
export * from "./calls.js";
export * from "./console.js";
export * from "./control.js";
export * from "./control-tokens.js";
export * from "./download-url.js";
export * from "./errors.js";
export * from "./fleet-events.js";
export * from "./ids.js";
export * from "./limits.js";
export * from "./media.js";
export * from "./outbound-target.js";
export * from "./recording.js";
export * from "./recording-export.js";
export * from "./recording-manifest.js";
export * from "./recording-rtmp.js";
export * from "./recording-settings.js";
export * from "./room-recording.js";
export * from "./room-rtmp.js";
export * from "./s3-presign.js";
export * from "./signal.js";
export * from "./token.js";
export * from "./webhooks.js";

/** Exhaustiveness check for discriminated unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(value)}`);
}
