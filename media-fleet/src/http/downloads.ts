/**
 * `GET|HEAD /files/<location>?exp=…&sig=…`: recordings on the NAS folder, for anyone holding a URL
 * the edge signed with the fleet secret (shared/src/download-url.ts). No other auth: the URL is the
 * capability, so it is never logged. Served on the control app (control-app.ts) as a Web Request
 * in, Response out; the file streams from disk.
 *
 * The location is resolved strictly inside the NAS root: the shared check already refuses `..`,
 * absolute paths and NUL; here the real path (symlinks followed) must still be inside the root's
 * real path, and the final component is opened with O_NOFOLLOW. Every refusal of a path answers the
 * same RECORDING_FILE_NOT_FOUND, so the answer says nothing about what exists outside the root.
 *
 * Ranges: one `bytes=a-b`, `bytes=a-` or `bytes=-n` gives 206; an unsatisfiable one 416 with the
 * size in Content-Range (`bytes *` then `/size`); several ranges, or an invalid header, get the whole
 * file (RFC 9110 allows ignoring Range).
 */
import { constants } from "node:fs";
import { type FileHandle, open, realpath } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { ParleyError, verifyDownloadUrl } from "@parley/shared";
import type { Logger } from "../logger.js";

const CONTENT_TYPES: Record<string, string> = {
  ".webm": "video/webm",
  ".ogg": "audio/ogg",
  ".mkv": "video/x-matroska",
  ".mp4": "video/mp4",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".wav": "audio/wav",
};

export interface DownloadHandlerOptions {
  /** The NAS folder (NAS_PATH); files outside it are never served. */
  root: string;
  /** FLEET_SECRET: the edge signs download URLs with it. */
  secret: string;
  logger: Logger;
}

export type ByteRange = { start: number; end: number };

/**
 * Reads a Range header against a file of `size` bytes: `undefined` means serve the whole file
 * (no header, several ranges, or invalid syntax), `"unsatisfiable"` means 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | "unsatisfiable" | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const [first, last] = [match[1]!, match[2]!];
  if (first === "") {
    // Suffix: the last n bytes (all of them when n exceeds the size).
    const n = Number(last);
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  if (last !== "" && Number(last) < start) return undefined;
  if (start >= size) return "unsatisfiable";
  return { start, end: last === "" ? size - 1 : Math.min(Number(last), size - 1) };
}

export class DownloadHandler {
  readonly #options: DownloadHandlerOptions;

  constructor(options: DownloadHandlerOptions) {
    this.#options = { ...options, root: resolve(options.root) };
  }

  /** The answer to one download request (never throws: a refusal is a JSON error answer). */
  async answer(request: Request): Promise<Response> {
    let file: FileHandle | undefined;
    try {
      const location = await verifyDownloadUrl({ url: request.url, secret: this.#options.secret });
      file = await this.#open(location);
      const stat = await file.stat();
      if (!stat.isFile()) throw notFound();
      const size = stat.size;
      const etag = `"${size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
      const headers = new Headers({
        "content-type": CONTENT_TYPES[extname(location).toLowerCase()] ?? "application/octet-stream",
        "accept-ranges": "bytes",
        etag,
        "last-modified": stat.mtime.toUTCString(),
        // The URL is a short-lived capability: keep it and its bytes out of shared caches.
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      });
      if (
        request.headers
          .get("if-none-match")
          ?.split(/\s*,\s*/)
          .includes(etag)
      )
        return new Response(null, { status: 304, headers });
      // If-Range with another validator means the client's partial copy is stale: send it all.
      const ifRange = request.headers.get("if-range");
      const range = ifRange === null || ifRange === etag ? parseRange(request.headers.get("range") ?? undefined, size) : undefined;
      if (range === "unsatisfiable") throw new RangeRefusal(size);
      const { start, end } = range ?? { start: 0, end: size - 1 };
      headers.set("content-length", String(end - start + 1));
      if (range) headers.set("content-range", `bytes ${start}-${end}/${size}`);
      const status = range ? 206 : 200;
      if (request.method === "HEAD" || size === 0) return new Response(null, { status, headers });
      const stream = file.createReadStream({ start, end, autoClose: true });
      file = undefined; // the stream closes it now, at its end or when the client goes away
      stream.on("error", (error) => this.#options.logger.warn({ err: error.message }, "download stream failed"));
      return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status, headers });
    } catch (error) {
      return this.#refusal(request, error);
    } finally {
      // Only a handle no stream took over is closed here; a failure to close it leaves nothing to answer.
      await file?.close().catch(() => undefined);
    }
  }

  /** Opens `location` below the root; anything that is not a regular file inside it is "not found". */
  async #open(location: string): Promise<FileHandle> {
    const { root } = this.#options;
    let realRoot: string;
    let real: string;
    try {
      realRoot = await realpath(root);
      real = await realpath(resolve(realRoot, location));
    } catch {
      throw notFound(); // missing, or a link to nowhere: the same answer as outside the root
    }
    if (!real.startsWith(realRoot + sep)) throw notFound();
    try {
      // O_NOFOLLOW: a symlink swapped in after realpath is refused rather than followed.
      return await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      throw notFound(); // gone or swapped since realpath: the same answer as any other refusal
    }
  }

  #refusal(request: Request, error: unknown): Response {
    const headers = new Headers({ "content-type": "application/json", "cache-control": "no-store" });
    let parley: ParleyError;
    if (error instanceof RangeRefusal) {
      parley = new ParleyError("RANGE_NOT_SATISFIABLE", `range is outside the file's ${error.size} bytes`);
      headers.set("content-range", `bytes */${error.size}`);
    } else if (error instanceof ParleyError) {
      parley = error;
    } else {
      parley = new ParleyError("INTERNAL", "internal error");
      this.#options.logger.error({ err: (error as Error).message }, "download failed");
    }
    if (parley.code !== "INTERNAL") this.#options.logger.debug({ code: parley.code }, "download refused");
    const text = JSON.stringify({ error: parley.toBody() });
    headers.set("content-length", String(Buffer.byteLength(text)));
    return new Response(request.method === "HEAD" ? null : text, { status: parley.status, headers });
  }
}

/** A Range header that no byte of the file satisfies (416 with the size). */
class RangeRefusal extends Error {
  constructor(readonly size: number) {
    super("range not satisfiable");
  }
}

function notFound(): ParleyError {
  return new ParleyError("RECORDING_FILE_NOT_FOUND", "no such recording file");
}
