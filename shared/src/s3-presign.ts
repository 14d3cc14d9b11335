/**
 * Presigned S3 GET URLs (AWS Signature Version 4, query-string form) with Web Crypto only, so the
 * edge Worker can hand out time-limited download links for recordings in S3 without the AWS SDK.
 * Works with AWS and S3-compatible servers (Ceph RGW, MinIO; those need `forcePathStyle`).
 *
 * Reference: "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)" in the S3
 * API docs. Only `host` is signed and the payload is UNSIGNED-PAYLOAD, as for every browser link.
 */

export const S3_PRESIGN_LIMITS = {
  /** SigV4 refuses X-Amz-Expires above 7 days. */
  maxExpiresSeconds: 604_800,
} as const;

export interface PresignS3GetOptions {
  /** e.g. https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:7480; AWS's endpoint for `region` when omitted. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** The object key, unencoded (e.g. `tests/ak_x:room/rec-1/m_alice/a b.webm`). */
  key: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Bucket in the path (`/bucket/key`) instead of the host name: needed by most non-AWS servers. */
  forcePathStyle?: boolean;
  /** 1..604800. */
  expiresInSeconds: number;
  /** The signing time; now when omitted (tests pass a fixed date). */
  now?: Date;
  /** Signed into the URL, so the download is saved under this name, e.g. `attachment; filename="x.webm"`. */
  responseContentDisposition?: string;
}

const encoder = new TextEncoder();

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - . _ ~ is %XX (upper-case hex). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey("raw", key as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(data));
}

async function sha256Hex(data: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(data)));
}

/** 20130524T000000Z */
function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** AWS's regional endpoint; us-east-1 keeps the global name (what the SigV4 examples sign). */
function defaultEndpoint(region: string): string {
  return region === "us-east-1" ? "https://s3.amazonaws.com" : `https://s3.${region}.amazonaws.com`;
}

/** Returns a URL anyone can GET until it expires; the server answers 403 once expired or altered. */
export async function presignS3Get(options: PresignS3GetOptions): Promise<string> {
  const { region, bucket, key, accessKeyId, secretAccessKey, expiresInSeconds } = options;
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > S3_PRESIGN_LIMITS.maxExpiresSeconds)
    throw new RangeError(`expiresInSeconds must be an integer from 1 to ${S3_PRESIGN_LIMITS.maxExpiresSeconds}`);
  if (key === "") throw new RangeError("key must not be empty");
  if (bucket === "" || region === "" || accessKeyId === "" || secretAccessKey === "")
    throw new RangeError("bucket, region and credentials are required");

  const endpoint = new URL(options.endpoint ?? defaultEndpoint(region));
  if (endpoint.search || endpoint.hash) throw new RangeError("endpoint must not carry a query or fragment");
  // A path on the endpoint (a server mounted under a prefix) stays in front of the object path.
  const basePath = endpoint.pathname.replace(/\/+$/, "");
  const encodedKey = key.split("/").map(uriEncode).join("/");
  const host = options.forcePathStyle ? endpoint.host : `${bucket}.${endpoint.host}`;
  const path = options.forcePathStyle ? `${basePath}/${uriEncode(bucket)}/${encodedKey}` : `${basePath}/${encodedKey}`;

  const now = options.now ?? new Date();
  const datetime = amzDate(now);
  const scope = `${datetime.slice(0, 8)}/${region}/s3/aws4_request`;
  const params: [string, string][] = [
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Credential", `${accessKeyId}/${scope}`],
    ["X-Amz-Date", datetime],
    ["X-Amz-Expires", String(expiresInSeconds)],
    ["X-Amz-SignedHeaders", "host"],
  ];
  if (options.responseContentDisposition !== undefined) params.push(["response-content-disposition", options.responseContentDisposition]);
  // Sorted by encoded name in byte order (upper-case X-Amz-* before lower-case response-*).
  const query = params
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");

  const canonicalRequest = ["GET", path, query, `host:${host}`, "", "host", "UNSIGNED-PAYLOAD"].join("\n");
  const stringToSign = ["AWS4-HMAC-SHA256", datetime, scope, await sha256Hex(canonicalRequest)].join("\n");
  let signingKey = await hmac(encoder.encode(`AWS4${secretAccessKey}`), datetime.slice(0, 8));
  for (const part of [region, "s3", "aws4_request"]) signingKey = await hmac(signingKey, part);
  const signature = hex(await hmac(signingKey, stringToSign));

  return `${endpoint.protocol}//${host}${path}?${query}&X-Amz-Signature=${signature}`;
}
