/**
 * Recording download URLs against real servers: presignS3Get (shared, Web Crypto SigV4) against Ceph
 * RGW from test/rgw.setup.ts, and a signed NAS URL against the control server's /files/ route. Both
 * must give the same bytes; RGW must refuse altered and expired presigned URLs (403).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { presignS3Get, recordingFileKey, signDownloadUrl } from "@parley/shared";
import { Counter, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ControlServer } from "../src/http/control-server.js";
import { DownloadHandler } from "../src/http/downloads.js";
import { createLogger } from "../src/logger.js";
import { FLEET_SECRET, waitFor } from "./helpers.js";
import { sleep, tempDir } from "./recording-helpers.js";

const rgw = inject("rgw");
const BUCKET = "parley-downloads";
const PREFIX = "tests/";
const BYTES = randomBytes(200_000);
// Characters that SigV4's URI encoding must get right: ':' (room ids), space, '+', parentheses, non-ASCII.
const KEY = recordingFileKey({ room: "ak_test:dl room", recordingId: "rec-dl-s3", file: "m_alice/a+b(1)~é-video-00001.webm" });
const PLAIN_KEY = "ak_test:dl/rec-dl-s3/m_bob/p2-audio-00001.ogg";

let s3: S3Client;
let server: ControlServer;
let baseUrl: string;

function rgwConfig() {
  if ("unavailable" in rgw) throw new Error(rgw.unavailable);
  return { endpoint: rgw.endpoint, region: "us-east-1", accessKeyId: rgw.env.S3_KEY, secretAccessKey: rgw.env.S3_SECRET };
}

function presign(key: string, extra: Partial<Parameters<typeof presignS3Get>[0]> = {}): Promise<string> {
  return presignS3Get({ ...rgwConfig(), bucket: BUCKET, key: PREFIX + key, forcePathStyle: true, expiresInSeconds: 300, ...extra });
}

/**
 * recording-s3.test.ts stops RGW for a while in the same run: connection failures and 5xx (RGW still
 * starting) are retried; a 403 is an answer.
 */
function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return waitFor(
    () =>
      fetch(url, { headers }).then(
        (r) => (r.status >= 500 ? undefined : r),
        () => undefined,
      ),
    "RGW to answer",
    60_000,
  );
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const bytesOf = async (r: Response) => new Uint8Array(await r.arrayBuffer());

beforeAll(async () => {
  const config = rgwConfig();
  s3 = new S3Client({
    ...config,
    forcePathStyle: true,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
  });
  await waitFor(
    () =>
      fetch(config.endpoint).then(
        (r) => (r.ok ? true : undefined),
        () => undefined,
      ),
    "Ceph RGW",
    90_000,
  );
  const retry = <T>(what: string, action: () => Promise<T>, ok: (e: Error) => boolean = () => false) =>
    waitFor(
      () =>
        action().then(
          (v) => v ?? (true as T),
          (e: Error) => (ok(e) ? (true as T) : undefined),
        ),
      what,
      60_000,
    );
  await retry(
    "bucket",
    () => s3.send(new CreateBucketCommand({ Bucket: BUCKET })),
    (e) => e.name === "BucketAlreadyOwnedByYou",
  );
  for (const key of [KEY, PLAIN_KEY])
    await retry("upload", () => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: PREFIX + key, Body: BYTES })));

  // The same bytes on a NAS folder, behind the control server's /files/ route (no mediasoup needed for it).
  const nas = await tempDir("nas-dl-s3");
  await mkdir(dirname(join(nas, KEY)), { recursive: true });
  await writeFile(join(nas, KEY), BYTES);
  const logger = createLogger("silent");
  const registry = new Registry();
  server = new ControlServer({
    node: {} as never,
    recordings: {} as never,
    rtmp: {} as never,
    nodeId: "test-node-dl",
    fleetSecret: FLEET_SECRET,
    metrics: {
      registry,
      controlRequests: new Counter({ name: "dl_requests", help: "answers", labelNames: ["route", "status"], registers: [registry] }),
    },
    logger,
    downloads: new DownloadHandler({ root: nas, secret: FLEET_SECRET, logger }),
  });
  baseUrl = `http://127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
}, 150_000);
afterAll(async () => {
  s3?.destroy();
  await server?.close();
});

describe("presigned S3 GET (Ceph RGW) and signed NAS URLs", () => {
  it("download the same bytes with plain fetch", async () => {
    const presigned = await get(await presign(KEY));
    expect(presigned.status).toBe(200);
    const fromS3 = await bytesOf(presigned);
    const nas = await fetch(
      await signDownloadUrl({ baseUrl, location: KEY, secret: FLEET_SECRET, expiresAt: Math.floor(Date.now() / 1000) + 300 }),
    );
    expect(nas.status).toBe(200);
    const fromNas = await bytesOf(nas);
    expect(sha(fromS3)).toBe(sha(BYTES));
    expect(sha(fromNas)).toBe(sha(BYTES));
    const plain = await get(await presign(PLAIN_KEY));
    expect(sha(await bytesOf(plain))).toBe(sha(BYTES));
  });

  it("serve the same byte range from both", async () => {
    const range = { range: "bytes=1000-1999" };
    const fromS3 = await get(await presign(KEY), range);
    const nasUrl = await signDownloadUrl({ baseUrl, location: KEY, secret: FLEET_SECRET, expiresAt: Math.floor(Date.now() / 1000) + 300 });
    const fromNas = await fetch(nasUrl, { headers: range });
    expect([fromS3.status, fromNas.status]).toEqual([206, 206]);
    expect(fromNas.headers.get("content-range")).toBe(fromS3.headers.get("content-range"));
    expect(sha(await bytesOf(fromS3))).toBe(sha(BYTES.subarray(1000, 2000)));
    expect(sha(await bytesOf(fromNas))).toBe(sha(BYTES.subarray(1000, 2000)));
  });

  it("signs response-content-disposition so RGW names the download", async () => {
    const response = await get(await presign(PLAIN_KEY, { responseContentDisposition: 'attachment; filename="bob audio.ogg"' }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="bob audio.ogg"');
  });

  it("are refused by RGW (403) when the signature or key is altered", async () => {
    const url = new URL(await presign(KEY));
    const sig = url.searchParams.get("X-Amz-Signature")!;
    const tampered = new URL(url);
    tampered.searchParams.set("X-Amz-Signature", (sig[0] === "a" ? "b" : "a") + sig.slice(1));
    expect((await get(tampered.toString())).status).toBe(403);
    const otherKey = new URL(url);
    otherKey.pathname = otherKey.pathname.replace("m_alice", "m_bob");
    expect((await get(otherKey.toString())).status).toBe(403);
    const longer = new URL(url);
    longer.searchParams.set("X-Amz-Expires", "3600");
    expect((await get(longer.toString())).status).toBe(403);
    const wrongSecret = await presign(KEY, { secretAccessKey: "not-the-secret" });
    expect((await get(wrongSecret)).status).toBe(403);
  });

  it("are refused by RGW (403) once expired", async () => {
    const past = await presign(KEY, { now: new Date(Date.now() - 120_000), expiresInSeconds: 60 });
    expect((await get(past)).status).toBe(403);
    const short = await presign(KEY, { expiresInSeconds: 1 });
    expect((await get(short)).status).toBe(200);
    await sleep(2100);
    expect((await get(short)).status).toBe(403);
  });
});
