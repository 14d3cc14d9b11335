import type { ErrorCode } from "@parley/shared";
import { ParleyError } from "@parley/shared";

/**
 * Every line the edge logs, one variant per event: the fields of a line are typed where it is
 * written, and a new kind of line is added here, with its level and message, or not at all.
 * Workers Logs (`wrangler tail`) collects them as one JSON object per line.
 */
export type LogEvent =
  | { event: "http.unhandled"; path: string; error: unknown }
  | { event: "signal.request_failed"; type: string; error: unknown }
  | { event: "outbox.flush_failed"; error: unknown }
  | { event: "media.cleanup_failed"; node: string; step: "closeRoom" | "closeTransport"; error: unknown }
  | { event: "recording.stop_failed"; recordingId: string; error: unknown }
  | { event: "recording.auto_start_failed"; room: string; recordingId: string; code: ErrorCode; error: unknown }
  | { event: "webhook.not_queued"; type: string; eventId: string; error: unknown }
  | { event: "webhook.invalid_event"; issue: string | undefined }
  | { event: "webhook.round_failed"; error: unknown }
  | { event: "webhook.invalidation_failed"; error: unknown };

export type LogEventName = LogEvent["event"];
type Level = "error" | "warn" | "info";

/** Each event's level and the sentence a person reads; `satisfies` keeps the table complete. */
const EVENTS = {
  "http.unhandled": ["error", "unhandled error"],
  "signal.request_failed": ["error", "signal handler failed"],
  "outbox.flush_failed": ["warn", "call record flush failed; retrying"],
  "media.cleanup_failed": ["warn", "media node did not close what the room left open"],
  "recording.stop_failed": ["warn", "recording did not stop when the room emptied"],
  "recording.auto_start_failed": ["warn", "auto-record start failed"],
  "webhook.not_queued": ["error", "webhook event not queued"],
  "webhook.invalid_event": ["error", "invalid webhook event dropped"],
  "webhook.round_failed": ["warn", "webhook delivery round failed; retrying"],
  "webhook.invalidation_failed": ["warn", "webhook config invalidation failed"],
} as const satisfies { [E in LogEventName]: readonly [Level, string] };

/**
 * Field names whose values never reach a log line, at any depth (as pino's `redact` on the node):
 * tokens, secrets (the AppSecret, S3 and webhook secrets, the resume secret), keys, message text,
 * and URLs (an RTMP URL holds its stream key, a webhook URL may hold a credential). Compared
 * without case, `_` or `-`; any name ending in secret, token or password counts too.
 */
export const REDACTED_FIELDS: readonly string[] = [
  "token",
  "secret",
  "secrets",
  "appsecret",
  "secretaccesskey",
  "masterkey",
  "operatorkey",
  "fleetsecret",
  "authorization",
  "password",
  "resume",
  "text",
  "url",
];
const REDACTED_SUFFIXES = ["secret", "token", "password"];

/** Values that are secrets whatever field (or error message) carries them. */
const SECRET_VALUES: readonly RegExp[] = [
  /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // a JWT (access, control or fleet token)
  /\bas_[A-Za-z0-9]{20,}/g, // an AppSecret
  /\bwhsec_[A-Za-z0-9]{20,}/g, // a webhook signing secret
  /\brtmps?:\/\/\S+/gi, // an RTMP URL, stream key included
];

export const CENSOR = "[redacted]";
const MAX_DEPTH = 5;

type Sink = (level: Level, line: string) => void;

const consoleSink: Sink = (level, line) => {
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
};

/** The one logger of the edge. `createLogger(sink)` is for tests that read the lines. */
export function createLogger(sink: Sink = consoleSink): (entry: LogEvent) => void {
  return (entry) => {
    const [level, msg] = EVENTS[entry.event];
    const { event, ...fields } = entry;
    sink(level, JSON.stringify({ level, event, msg, ...(redact(fields, 0) as object) }));
  };
}

export const log = createLogger();

function redact(value: unknown, depth: number): unknown {
  if (typeof value === "string") return scrub(value);
  if (value instanceof Error) return redact(errorFields(value), depth);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "[too deep]";
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = isRedacted(key) ? CENSOR : redact(v, depth + 1);
  return out;
}

/** A typed error shows its code and message; anything else its stack too (it is a bug). Causes follow. */
function errorFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  if (error instanceof ParleyError) fields.code = error.code;
  else if (error.stack) fields.stack = error.stack;
  if (error.cause !== undefined) fields.cause = error.cause;
  return fields;
}

function isRedacted(key: string): boolean {
  const name = key.toLowerCase().replace(/[_-]/g, "");
  return REDACTED_FIELDS.includes(name) || REDACTED_SUFFIXES.some((s) => name.endsWith(s));
}

function scrub(text: string): string {
  return SECRET_VALUES.reduce((out, pattern) => out.replace(pattern, CENSOR), text);
}
