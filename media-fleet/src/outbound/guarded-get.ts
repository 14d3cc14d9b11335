/**
 * GET of a tenant's URL (watermark images): every hop, redirects included, goes through the
 * outbound policy and resolves through the guarded lookup, so no redirect or DNS answer can lead to
 * an internal address. Failures say what went wrong in our words, never with the fetched body or
 * the server's status line.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { ParleyError } from "@parley/shared";
import { guardedLookup } from "./guarded-lookup.js";
import { outboundPolicy } from "./outbound-policy.js";

export interface PublicGetOptions {
  /** The request field the URL came from, for messages. */
  field: string;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
}

/** A fetch that failed for a reason that is not the policy: the message is safe to show a tenant. */
export class OutboundGetError extends Error {
  override name = "OutboundGetError";
}

/** The body of `url` (following up to `maxRedirects` redirects, each checked); throws TARGET_NOT_ALLOWED or OutboundGetError. */
export async function getPublicBytes(url: string, options: PublicGetOptions): Promise<Buffer> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let next = url;
  for (let hop = 0; hop <= (options.maxRedirects ?? 3); hop++) {
    const target = outboundPolicy().target(next, hop === 0 ? options.field : `${options.field} (redirected)`);
    if (target.url.protocol !== "http:" && target.url.protocol !== "https:") throw new OutboundGetError("the URL is not http or https");
    const response = await get(target.url, guardedLookup(target), signal);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.destroy();
      next = new URL(response.headers.location, target.url).toString();
      continue;
    }
    if (status < 200 || status > 299) {
      response.destroy();
      throw new OutboundGetError("the server did not answer with the file");
    }
    return readLimited(response, options.maxBytes);
  }
  throw new OutboundGetError("too many redirects");
}

function get(url: URL, lookup: ReturnType<typeof guardedLookup>, signal: AbortSignal): Promise<IncomingMessage> {
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", lookup, signal, agent: false, headers: { "user-agent": "Parley-Media-Node/1" } }, resolve);
    req.once("error", (error) => reject(safeError(error)));
    req.end();
  });
}

function readLimited(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  if (Number(response.headers["content-length"] ?? 0) > maxBytes) {
    response.destroy();
    return Promise.reject(new OutboundGetError(`the file is larger than ${maxBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    response.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        response.destroy();
        reject(new OutboundGetError(`the file is larger than ${maxBytes} bytes`));
      } else chunks.push(chunk);
    });
    response.once("error", (error) => reject(safeError(error)));
    response.once("end", () => resolve(Buffer.concat(chunks)));
  });
}

/** The policy's refusal as it is; anything else as a short reason of our own. */
function safeError(error: Error): Error {
  if (error instanceof ParleyError) return error;
  const name = (error as { name?: string }).name;
  if (name === "AbortError" || name === "TimeoutError") return new OutboundGetError("no answer in time");
  const code = (error as NodeJS.ErrnoException).code;
  return new OutboundGetError(
    code === "ENOTFOUND" || code === "EAI_AGAIN" ? "the host name does not resolve" : "the server could not be reached",
  );
}
