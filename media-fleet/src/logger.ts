/** Structured logs (pino). Secrets never reach a log line: the fleet secret and tokens are redacted. */
import { pino } from "pino";

export type Logger = pino.Logger;

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: "media-node", ...base },
    redact: {
      paths: [
        "fleetSecret",
        "*.fleetSecret",
        "secret",
        "*.secret",
        "token",
        "*.token",
        "authorization",
        "*.authorization",
        "secretAccessKey",
        "*.secretAccessKey",
        "*.*.secretAccessKey",
      ],
      censor: "[redacted]",
    },
  });
}
