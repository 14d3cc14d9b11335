/**
 * Signed NAS downloads on a real node (GET|HEAD /files/…): whole files and byte ranges match the
 * bytes on disk; tampered, expired and malformed URLs are refused; nothing outside NAS_PATH is
 * reachable (.., absolute paths, NUL, symlinks out of the root), and refusals name no path.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { recordingFileKey, signDownloadUrl } from "@parley/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLEET_SECRET, startTestNode, type TestNode } from "./helpers.js";
import { tempDir } from "./recording-helpers.js";

const KEY = recordingFileKey({ room: "ak_test:dl-room", recordingId: "rec-dl-1", file: "m_alice/p1-video-00001.webm" });
const BYTES = randomBytes(300_000);
let node: TestNode;
let nas: string;
let outside: string;

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const now = () => Math.floor(Date.now() / 1000);

function sign(location: string, options: { expiresAt?: number; now?: number } = {}): Promise<string> {
  return signDownloadUrl({
    baseUrl: node.baseUrl,
    location,
    secret: FLEET_SECRET,
    expiresAt: options.expiresAt ?? now() + 300,
    now: options.now,
  });
}

/** A raw HTTP request, so paths reach the node exactly as written (fetch would normalise `..`). */
function raw(
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { port } = new URL(node.baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};
const code = (r: { body: Buffer }) => (JSON.parse(r.body.toString()) as { error: { code: string } }).error.code;

beforeAll(async () => {
  nas = await tempDir("nas-dl");
  outside = await tempDir("outside-dl");
  await mkdir(join(nas, "ak_test:dl-room/rec-dl-1/m_alice"), { recursive: true });
  await writeFile(join(nas, KEY), BYTES);
  await writeFile(join(nas, "ak_test:dl-room/rec-dl-1/empty.wav"), "");
  await writeFile(join(outside, "secret.txt"), "not for download");
  await symlink(join(outside, "secret.txt"), join(nas, "escape.webm"));
  await symlink(outside, join(nas, "escape-dir"));
  await symlink(join(nas, KEY), join(nas, "inside-link.webm"));
  node = await startTestNode({ rtcBasePort: 21800, numWorkers: 1, env: { NAS_PATH: nas } });
}, 60_000);
afterAll(async () => {
  await node?.stop();
});

describe("GET /files/… (signed NAS downloads)", () => {
  it("serves the whole file with type, length, ETag and Accept-Ranges", async () => {
    const response = await fetch(await sign(KEY));
    expect(response.status).toBe(200);
    const body = new Uint8Array(await response.arrayBuffer());
    expect(sha(body)).toBe(sha(BYTES));
    expect(response.headers.get("content-type")).toBe("video/webm");
    expect(response.headers.get("content-length")).toBe(String(BYTES.length));
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect(response.headers.get("etag")).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    const empty = await fetch(await sign("ak_test:dl-room/rec-dl-1/empty.wav"));
    expect([empty.status, empty.headers.get("content-type"), (await empty.arrayBuffer()).byteLength]).toEqual([200, "audio/wav", 0]);
  });

  it("answers HEAD with the headers and no body", async () => {
    const r = await raw(pathOf(await sign(KEY)), { method: "HEAD" });
    expect(r.status).toBe(200);
    expect(r.headers["content-length"]).toBe(String(BYTES.length));
    expect(r.headers["accept-ranges"]).toBe("bytes");
    expect(r.body.length).toBe(0);
    const ranged = await raw(pathOf(await sign(KEY)), { method: "HEAD", headers: { range: "bytes=-10" } });
    expect([ranged.status, ranged.headers["content-range"], ranged.headers["content-length"]]).toEqual([
      206,
      `bytes ${BYTES.length - 10}-${BYTES.length - 1}/${BYTES.length}`,
      "10",
    ]);
  });

  it("serves single byte ranges: a-b, open-ended a-, suffix -n, clamped ends", async () => {
    const url = await sign(KEY);
    const size = BYTES.length;
    const cases: [string, number, number][] = [
      ["bytes=0-99", 0, 99],
      ["bytes=1000-", 1000, size - 1],
      ["bytes=-500", size - 500, size - 1],
      ["bytes=299990-400000", 299_990, size - 1],
      ["bytes=-999999", 0, size - 1],
      [`bytes=${size - 1}-${size - 1}`, size - 1, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const response = await fetch(url, { headers: { range } });
      expect(response.status, range).toBe(206);
      expect(response.headers.get("content-range"), range).toBe(`bytes ${start}-${end}/${size}`);
      expect(response.headers.get("content-length"), range).toBe(String(end - start + 1));
      expect(sha(new Uint8Array(await response.arrayBuffer())), range).toBe(sha(BYTES.subarray(start, end + 1)));
    }
  });

  it("answers 416 with bytes */size for unsatisfiable ranges, and the whole file for multi or invalid ranges", async () => {
    const url = await sign(KEY);
    for (const range of [`bytes=${BYTES.length}-`, "bytes=999999-1000000", "bytes=-0"]) {
      const r = await raw(pathOf(url), { headers: { range } });
      expect(r.status, range).toBe(416);
      expect(r.headers["content-range"], range).toBe(`bytes */${BYTES.length}`);
      expect(code(r)).toBe("RANGE_NOT_SATISFIABLE");
    }
    for (const range of ["bytes=0-9,20-29", "bytes=9-0", "items=0-9", "bytes=abc"]) {
      const r = await raw(pathOf(url), { headers: { range } });
      expect([r.status, r.body.length], range).toEqual([200, BYTES.length]);
    }
    // A stale If-Range gets the whole file; a matching one the range.
    const etag = (await raw(pathOf(url), { method: "HEAD" })).headers.etag as string;
    expect((await raw(pathOf(url), { headers: { range: "bytes=0-9", "if-range": '"stale"' } })).status).toBe(200);
    expect((await raw(pathOf(url), { headers: { range: "bytes=0-9", "if-range": etag } })).status).toBe(206);
    expect((await raw(pathOf(url), { headers: { "if-none-match": etag } })).status).toBe(304);
  });

  it("refuses tampered URLs (401 TOKEN_BAD_SIGNATURE) and expired ones (401 TOKEN_EXPIRED)", async () => {
    const url = new URL(await sign(KEY));
    const sig = url.searchParams.get("sig")!;
    const tampered = new URL(url);
    tampered.searchParams.set("sig", (sig[0] === "A" ? "B" : "A") + sig.slice(1));
    const otherExp = new URL(url);
    otherExp.searchParams.set("exp", String(Number(url.searchParams.get("exp")) + 3600));
    const otherFile = pathOf(url.toString()).replace("00001.webm", "00002.webm");
    const wrongSecret = await signDownloadUrl({
      baseUrl: node.baseUrl,
      location: KEY,
      secret: `${FLEET_SECRET}-other`,
      expiresAt: now() + 60,
    });
    for (const path of [pathOf(tampered.toString()), pathOf(otherExp.toString()), otherFile, pathOf(wrongSecret)]) {
      const r = await raw(path);
      expect([r.status, code(r)], path).toEqual([401, "TOKEN_BAD_SIGNATURE"]);
    }
    const expired = await raw(pathOf(await sign(KEY, { now: now() - 120, expiresAt: now() - 60 })));
    expect([expired.status, code(expired)]).toEqual([401, "TOKEN_EXPIRED"]);
    const unsigned = await raw(`/files/${encodeURIComponent("ak_test:dl-room")}/rec-dl-1/m_alice/p1-video-00001.webm`);
    expect([unsigned.status, code(unsigned)]).toEqual([400, "INVALID_REQUEST"]);
  });

  it("refuses traversal, absolute paths, NUL and symlinks out of the root, naming no path", async () => {
    const exp = now() + 300;
    // Signed by hand as download-url.ts does, as a buggy or compromised signer could: the node must still refuse.
    const handSigned = (location: string, encoded: string) => {
      const key = createHmac("sha256", FLEET_SECRET).update("parley-download-v1").digest();
      const sig = createHmac("sha256", key).update(`${location}\n${exp}`).digest("base64url");
      return `/files/${encoded}?exp=${exp}&sig=${sig}`;
    };
    const refused = [
      handSigned("../outside/secret.txt", "..%2Foutside%2Fsecret.txt"),
      handSigned("a/../../secret.txt", "a/..%2F..%2Fsecret.txt"),
      handSigned("/etc/passwd", "%2Fetc%2Fpasswd"),
      handSigned("a\u0000.webm", "a%00.webm"),
      handSigned("a\\..\\b", "a%5C..%5Cb"),
    ];
    for (const path of refused) {
      const r = await raw(path);
      expect([r.status, code(r)], path).toEqual([400, "INVALID_REQUEST"]);
      expect(r.body.toString()).not.toContain(nas);
    }
    // `..` left raw in the path is resolved by URL parsing before routing: it is no download at all.
    const dotted = await raw(`/files/../../etc/passwd?exp=${exp}&sig=${"A".repeat(43)}`);
    expect(dotted.status).toBe(404);
    // Validly signed names that lead out of the root, to a folder, or nowhere.
    for (const location of ["escape.webm", "escape-dir/secret.txt", "ak_test:dl-room/rec-dl-1", "missing.webm"]) {
      const r = await raw(pathOf(await sign(location)));
      expect([r.status, code(r)], location).toEqual([404, "RECORDING_FILE_NOT_FOUND"]);
      expect(r.body.toString()).not.toContain(nas);
      expect(r.body.toString()).not.toContain("not for download");
    }
    // A symlink that stays inside the root is only another name for a file there.
    const inside = await fetch(await sign("inside-link.webm"));
    expect(sha(new Uint8Array(await inside.arrayBuffer()))).toBe(sha(BYTES));
  });

  it("keeps other methods on /files/ out", async () => {
    const r = await raw(pathOf(await sign(KEY)), { method: "POST" });
    expect([r.status, code(r)]).toEqual([404, "NOT_FOUND"]);
  });
});
