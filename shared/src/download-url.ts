/**
 * Signed download URLs for recordings on a node's NAS folder: the edge signs, the media node that
 * holds the folder verifies and serves `GET /files/<location>` (with ranges). Web Crypto only, so
 * the same code runs in the Worker and in Node.
 *
 *   `${baseUrl}/files/${location, each segment RFC 3986-encoded}?exp=<unix s>&sig=<base64url>`
 *   sig = HMAC-SHA256(K, `${location}\n${exp}`),  K = HMAC-SHA256(fleet secret, "parley-download-v1")
 *
 * Why a derived key: the fleet secret already keys the HS256 control and fleet JWTs. A key used for
 * one purpose only means no download signature can ever be replayed as (or forged from) a JWT
 * signature or any later MAC made with the same secret, and "-v1" lets the scheme change without
 * changing the secret. `location` is the file's path relative to the NAS root (the storage key,
 * see {@link recordingFileKey}), never an absolute path, so no node path is ever in a URL.
 */
import { CONTROL_LIMITS } from "./control.js";
import { ParleyError } from "./errors.js";
import { uriEncode } from "./s3-presign.js";

export const DOWNLOAD_URL_LIMITS = {
  /** Longest lifetime of a signed NAS URL (exp - now), in seconds. */
  maxLifetimeSeconds: 24 * 3600,
  maxLocationChars: 1024,
} as const;

/** The node serves signed downloads under this path. */
export const DOWNLOAD_PATH = "/files/";
const KEY_PURPOSE = "parley-download-v1";
const encoder = new TextEncoder();

/** Where a recording file sits below the storage root (NAS folder or S3 prefix), as the node writes it. */
export function recordingFileKey(file: { room: string; recordingId: string; file: string }): string {
  return `${file.room}/${file.recordingId}/${file.file}`;
}

/**
 * Throws INVALID_REQUEST unless `location` is a plain relative path: no empty, `.` or `..`
 * segments, no leading `/`, no backslash, NUL or other control characters. The message names no path.
 */
export function checkDownloadLocation(location: string): string {
  const bad = (why: string) => new ParleyError("INVALID_REQUEST", `download location ${why}`);
  if (typeof location !== "string" || location.length === 0 || location.length > DOWNLOAD_URL_LIMITS.maxLocationChars)
    throw bad(`must be 1 to ${DOWNLOAD_URL_LIMITS.maxLocationChars} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(location)) throw bad("may not contain control characters or backslashes");
  if (location.startsWith("/")) throw bad("must be relative");
  if (location.split("/").some((s) => s === "" || s === "." || s === "..")) throw bad("may not contain empty, . or .. segments");
  return location;
}

async function downloadKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  if (secret.length < CONTROL_LIMITS.minSecretChars)
    throw new RangeError(`fleet secret must be at least ${CONTROL_LIMITS.minSecretChars} characters`);
  const hmac = { name: "HMAC", hash: "SHA-256" } as const;
  const master = await crypto.subtle.importKey("raw", encoder.encode(secret), hmac, false, ["sign"]);
  const derived = await crypto.subtle.sign("HMAC", master, encoder.encode(KEY_PURPOSE));
  return crypto.subtle.importKey("raw", derived, hmac, false, [usage]);
}

function toBase64url(bytes: ArrayBuffer): string {
  let binary = "";
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(`${text.replace(/-/g, "+").replace(/_/g, "/")}=`);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const signedText = (location: string, exp: number) => encoder.encode(`${location}\n${exp}`);
const nowSeconds = () => Math.floor(Date.now() / 1000);

export interface SignDownloadUrlOptions {
  /** The node's public download origin (its control URL), e.g. https://media-1.example.net:4443. */
  baseUrl: string;
  /** Path relative to the node's NAS root, unencoded: {@link recordingFileKey}. */
  location: string;
  /** Unix seconds; at most {@link DOWNLOAD_URL_LIMITS.maxLifetimeSeconds} after `now`. */
  expiresAt: number;
  /** The fleet secret shared by the edge and the node (FLEET_SECRET). */
  secret: string;
  /** Unix seconds; for tests. */
  now?: number;
}

export async function signDownloadUrl(options: SignDownloadUrlOptions): Promise<string> {
  const location = checkDownloadLocation(options.location);
  const now = options.now ?? nowSeconds();
  const exp = options.expiresAt;
  if (!Number.isSafeInteger(exp) || exp <= now || exp - now > DOWNLOAD_URL_LIMITS.maxLifetimeSeconds)
    throw new RangeError(`expiresAt must be an integer unix time within ${DOWNLOAD_URL_LIMITS.maxLifetimeSeconds} s from now`);
  const base = new URL(options.baseUrl);
  if ((base.protocol !== "http:" && base.protocol !== "https:") || base.search || base.hash || base.username)
    throw new RangeError("baseUrl must be a plain http(s) URL without query, fragment or credentials");
  const basePath = base.pathname.replace(/\/+$/, "");
  // The verifier finds the location after the first /files/, so the base may not have one.
  if (`${basePath}/`.includes(DOWNLOAD_PATH)) throw new RangeError("baseUrl may not contain a /files/ segment");
  const sig = toBase64url(await crypto.subtle.sign("HMAC", await downloadKey(options.secret, "sign"), signedText(location, exp)));
  const path = location.split("/").map(uriEncode).join("/");
  return `${base.origin}${basePath}${DOWNLOAD_PATH}${path}?exp=${exp}&sig=${sig}`;
}

export interface VerifyDownloadUrlOptions {
  /** The URL as requested: absolute, or the path and query (a node's `req.url`). */
  url: string | URL;
  secret: string;
  /** Unix seconds; for tests. */
  now?: number;
}

/**
 * Returns the signed location (relative, checked with {@link checkDownloadLocation}) or throws a
 * ParleyError: INVALID_REQUEST (not a download URL, malformed parameters or location, lifetime over
 * 24 h), TOKEN_BAD_SIGNATURE (anything altered, or another secret), TOKEN_EXPIRED.
 * The signature is checked with `crypto.subtle.verify`, which compares in constant time.
 */
export async function verifyDownloadUrl(options: VerifyDownloadUrlOptions): Promise<string> {
  const url = typeof options.url === "string" ? new URL(options.url, "http://node") : options.url;
  const at = url.pathname.indexOf(DOWNLOAD_PATH);
  if (at < 0) throw new ParleyError("INVALID_REQUEST", "not a download URL");
  let location: string;
  try {
    location = url.pathname
      .slice(at + DOWNLOAD_PATH.length)
      .split("/")
      .map(decodeURIComponent)
      .join("/");
  } catch {
    throw new ParleyError("INVALID_REQUEST", "download location is not valid percent-encoding");
  }
  checkDownloadLocation(location);
  const exps = url.searchParams.getAll("exp");
  const sigs = url.searchParams.getAll("sig");
  if (exps.length !== 1 || sigs.length !== 1 || !/^\d{1,12}$/.test(exps[0]!) || !/^[A-Za-z0-9_-]{43}$/.test(sigs[0]!))
    throw new ParleyError("INVALID_REQUEST", "download URL needs one exp (unix seconds) and one sig");
  const exp = Number(exps[0]);
  const sig = fromBase64url(sigs[0]!);
  // 43 characters carry 2 spare bits: a variant spelling of the same bytes is an altered URL too.
  if (
    toBase64url(sig.buffer) !== sigs[0] ||
    !(await crypto.subtle.verify("HMAC", await downloadKey(options.secret, "verify"), sig, signedText(location, exp)))
  )
    throw new ParleyError("TOKEN_BAD_SIGNATURE", "download URL signature does not verify");
  const now = options.now ?? nowSeconds();
  if (now > exp) throw new ParleyError("TOKEN_EXPIRED", "download URL has expired");
  // Only a signer breaking the rule can get here; the skew allowance covers an edge clock ahead of ours.
  if (exp - now > DOWNLOAD_URL_LIMITS.maxLifetimeSeconds + CONTROL_LIMITS.clockSkewSeconds)
    throw new ParleyError("INVALID_REQUEST", `download URL lives longer than ${DOWNLOAD_URL_LIMITS.maxLifetimeSeconds} s`);
  return location;
}
