import { isErrorCode, ParleyError } from "@parley/shared";
import type * as z from "zod";
import type { AppCredentials } from "./credentials.js";
import { ErrorEnvelopeSchema } from "./responses.js";

export interface ClientOptions {
  /** Per-request timeout in milliseconds; default 10 000. */
  timeoutMs?: number;
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: typeof fetch;
}

/** The edge could not be reached or answered something that is not the Parley API. */
export class ParleyTransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ParleyTransportError";
  }
}

/**
 * One HTTP call shape for every service client: JSON in, JSON out, checked with a schema;
 * `{error: {code, message}}` answers become a thrown ParleyError with the edge's code.
 */
export class RpcClient {
  readonly baseUrl: string;
  readonly #authorization: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(baseUrl: string, authorization: string, options: ClientOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(baseUrl);
    } catch {
      throw new TypeError(`not a URL: ${JSON.stringify(baseUrl)}`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new TypeError(`URL must be http(s): ${baseUrl}`);
    this.baseUrl = parsed.href.replace(/\/+$/, "");
    this.#authorization = authorization;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  async call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = { authorization: this.#authorization, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      const why = err instanceof Error && err.name === "TimeoutError" ? `no answer within ${this.#timeoutMs} ms` : describeCause(err);
      throw new ParleyTransportError(`cannot reach Parley at ${this.baseUrl}: ${why}`, { cause: err });
    }
    const text = await res.text();
    let value: unknown;
    try {
      value = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw new ParleyTransportError(`${method} ${path}: HTTP ${res.status} with a body that is not JSON`);
    }
    if (!res.ok) throw toParleyError(res.status, value, `${method} ${path}`);
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new ParleyTransportError(`${method} ${path}: unexpected answer shape (${parsed.error.issues[0]?.message ?? "invalid"})`);
    }
    return parsed.data;
  }
}

function toParleyError(status: number, value: unknown, what: string): Error {
  const envelope = ErrorEnvelopeSchema.safeParse(value);
  if (!envelope.success) return new ParleyTransportError(`${what}: HTTP ${status} without a Parley error body`);
  const { code, message } = envelope.data.error;
  // an edge newer than this SDK may send a code we do not know: keep its words, mark it INTERNAL
  return isErrorCode(code) ? new ParleyError(code, message) : new ParleyError("INTERNAL", `${code}: ${message}`);
}

function describeCause(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? String(err);
}

export function basicAuth(appKey: string, appSecret: string): string {
  // btoa over UTF-8 bytes: runs in Node, Workers and browsers alike
  const bytes = new TextEncoder().encode(`${appKey}:${appSecret}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

export function bearerAuth(key: string): string {
  return `Bearer ${key}`;
}

export const segment = encodeURIComponent;

/** A query parameter value: instants may be given as Date, ISO text or unix milliseconds. */
export type QueryValue = string | number | Date | undefined;

/** `?a=1&b=x` from the defined values (empty when none is). */
export function queryString(params: Record<string, QueryValue>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) q.set(key, value instanceof Date ? value.toISOString() : String(value));
  }
  const text = q.toString();
  return text ? `?${text}` : "";
}

/** An RpcClient with app credentials (HTTP Basic). */
/** A client for app routes: Basic AppKey:AppSecret, or Bearer with an admin access token. */
export function appRpc(url: string, credentials: AppCredentials, options?: ClientOptions): RpcClient {
  const authorization = "token" in credentials ? bearerAuth(credentials.token) : basicAuth(credentials.appKey, credentials.appSecret);
  return new RpcClient(url, authorization, options);
}
