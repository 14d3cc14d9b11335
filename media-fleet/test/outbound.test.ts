/**
 * The outbound-target policy on the node, with real parts: HTTP servers on 127.0.0.1 (one the
 * node's OUTBOUND_ALLOW names, one it does not), a real node and a @roamhq/wrtc publisher. A
 * watermark URL that redirects inward is refused without the fetched body in the answer; names
 * are checked by what they resolve to when the node connects; S3 endpoints to internal targets are
 * refused at start and on the S3 client's own connections.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3Store } from "../src/recording/s3-storage.js";
import { startTestNode, type TestNode } from "./helpers.js";
import { solidPng, tempDir } from "./recording-helpers.js";
import { type Publisher, publish } from "./recording-peer.js";

const ROOM = "ak_test:outbound-room";
const R = `/rooms/${encodeURIComponent(ROOM)}`;
const SECRET_BODY = "INTERNAL-SECRET-0123456789 redis_version:7.0";

/** A 4x4 opaque white PNG. */
const PNG = solidPng(4, [255, 255, 255]);

let node: TestNode;
let allowed: Server;
let internal: Server;
let internalHits = 0;
let allowedUrl: string;
let internalUrl: string;
const publishers: Publisher[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  // stands for Redis, the control port, a metadata service: anything the operator did not name
  internal = createServer((_req, res) => {
    internalHits++;
    res.writeHead(200, { "content-type": "image/png" }).end(SECRET_BODY);
  });
  internalUrl = await listen(internal);
  // the tenant's image server, allowed for this test: redirects, a real image, a non-image
  allowed = createServer((req, res) => {
    if (req.url === "/logo.png") return void res.writeHead(200, { "content-type": "image/png" }).end(PNG);
    if (req.url === "/to-internal.png") return void res.writeHead(302, { location: `${internalUrl}/secret.png` }).end();
    if (req.url === "/to-localhost.png") return void res.writeHead(307, { location: internalUrl.replace("127.0.0.1", "localhost") }).end();
    if (req.url === "/to-logo.png") return void res.writeHead(301, { location: "/logo.png" }).end();
    if (req.url === "/not-an-image.png") return void res.writeHead(200, { "content-type": "image/png" }).end(SECRET_BODY);
    // a playlist ffmpeg would recognise by its content and follow inward
    if (req.url === "/playlist.png")
      return void res
        .writeHead(200, { "content-type": "image/png" })
        .end(`#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n${internalUrl}/seg.ts\n#EXT-X-ENDLIST\n`);
    res.writeHead(500).end(SECRET_BODY);
  });
  allowedUrl = await listen(allowed);
  node = await startTestNode({
    rtcBasePort: 22300,
    env: {
      SPOOL_DIR: await tempDir("outbound-spool"),
      NAS_PATH: await tempDir("outbound-nas"),
      SPOOL_MIN_FREE_BYTES: "0",
      RECORDING_MIN_PORT: "42100",
      RECORDING_MAX_PORT: "42149",
      OUTBOUND_ALLOW: new URL(allowedUrl).host,
    },
  });
  publishers.push(await publish(node, ROOM, "m_alice", ["video"]));
});
afterAll(async () => {
  for (const p of publishers) p.close();
  await node?.stop();
  allowed?.close();
  internal?.close();
});

const startComposite = (id: string, url: string) =>
  node.call("POST", `${R}/recordings`, ROOM, {
    recordingId: id,
    mode: "composite",
    composite: { width: 320, height: 180, fps: 10, watermarks: [{ kind: "image", url, x: 0, y: 0, width: 16, height: 16 }] },
  });

describe("outbound targets on the node", () => {
  it("a watermark that redirects to an internal address is refused, and the answer never carries what it served", async () => {
    for (const path of ["/to-internal.png", "/to-localhost.png"]) {
      const refused = await startComposite("wm-redirect", `${allowedUrl}${path}`);
      expect(refused.status, path).toBe(422);
      expect(refused.json.error.code).toBe("TARGET_NOT_ALLOWED");
      expect(refused.json.error.message).toMatch(/^target not allowed: watermarks\.0\.url \(redirected\) /);
      expect(JSON.stringify(refused.json)).not.toContain("INTERNAL-SECRET");
    }
    expect(internalHits).toBe(0);
  });

  it("checks names by the address they resolve to when the node connects", async () => {
    const byName = await startComposite("wm-name", `${allowedUrl.replace("127.0.0.1", "localhost")}/logo.png`);
    expect(byName.status).toBe(422);
    expect(byName.json.error.message).toMatch(/^target not allowed: watermarks\.0\.url host localhost resolves to a loopback address/);
    const literal = await startComposite("wm-literal", `${internalUrl}/secret.png`);
    expect(literal.json.error.code).toBe("TARGET_NOT_ALLOWED");
    expect(internalHits).toBe(0);
  });

  it("an error from an allowed server says what failed, not its status or body", async () => {
    for (const path of ["/not-an-image.png", "/missing.png", "/playlist.png"]) {
      const unreadable = await startComposite("wm-unreadable", `${allowedUrl}${path}`);
      expect(unreadable.json.error.code).toBe("WATERMARK_UNREADABLE");
      expect(unreadable.json.error.message).not.toMatch(/INTERNAL-SECRET|500|redis/);
    }
    expect(internalHits).toBe(0);
  });

  it("the allowed host still serves watermarks, redirects within it included", async () => {
    const started = await startComposite("wm-allowed", `${allowedUrl}/to-logo.png`);
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({ mode: "composite", state: "recording" });
    expect((await node.call("POST", `${R}/recordings/wm-allowed/stop`, ROOM, {})).status).toBe(200);
  });

  it("refuses S3 endpoints to internal targets at start and on the S3 client's own connections", async () => {
    const s3 = { kind: "s3", bucket: "b-tenant", accessKeyId: "AK", secretAccessKey: "SK-0123456789", forcePathStyle: true };
    for (const endpoint of [
      internalUrl,
      internalUrl.replace("127.0.0.1", "localhost"),
      "http://[::ffff:a9fe:a9fe]",
      "http://10.0.0.7:7480",
    ]) {
      const refused = await node.call("POST", `${R}/recordings`, ROOM, { recordingId: "s3-internal", storage: { ...s3, endpoint } });
      expect(refused.status, endpoint).toBe(422);
      expect(refused.json.error.code).toBe("TARGET_NOT_ALLOWED");
      expect(refused.json.error.message).toMatch(/^target not allowed: storage\.endpoint /);
    }
    // a store made without the start's check (an export's source, a journal) is held at connect time
    const store = new S3Store({
      ...s3,
      kind: "s3",
      region: "us-east-1",
      prefix: "",
      endpoint: internalUrl.replace("127.0.0.1", "localhost"),
    });
    await expect(store.readSmall("manifest.json", 1024)).rejects.toMatchObject({ code: "TARGET_NOT_ALLOWED" });
    store.close();
    expect(() => new S3Store({ ...s3, kind: "s3", region: "us-east-1", prefix: "", endpoint: internalUrl })).toThrow(/target not allowed/);
    expect(internalHits).toBe(0);
  });
});
