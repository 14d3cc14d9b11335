/**
 * Composite recordings and snapshots with real parts: two @roamhq/wrtc publishers (VP8 + Opus,
 * 320x180), mediasoup, one ffmpeg per composite laying them out and encoding H.264 + AAC, ffprobe
 * checking the files. Two composites of the same room run side by side, one with a text watermark,
 * so their frames can be compared in the watermark's area.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "./helpers.js";
import { finishedStatus, probeMedia, recordingEvents, sleep, solidPng, tempDir } from "./recording-helpers.js";
import { type Publisher, publish } from "./recording-peer.js";

const run = promisify(execFile);
const ROOM = "ak_test:composite-room";
const R = `/rooms/${encodeURIComponent(ROOM)}`;
/** 2 members in a 640x360 grid: 320x360 tiles, the 320x180 video centred, so y < 90 is black padding. */
const WATERMARK = { x: 8, y: 8, w: 200, h: 60 };
/** An 8x8 opaque red PNG, drawn 40x40 in the black padding of the right tile. */
const IMAGE = { x: 560, y: 10, w: 40, h: 40 };
const RED_PNG = solidPng(8, [255, 0, 0]).toString("base64");

let node: TestNode;
let nas: string;
const publishers: Publisher[] = [];

beforeAll(async () => {
  nas = await tempDir("composite-nas");
  node = await startTestNode({
    rtcBasePort: 21900,
    env: {
      SPOOL_DIR: await tempDir("composite-spool"),
      NAS_PATH: nas,
      SPOOL_MIN_FREE_BYTES: "0",
      RECORDING_MIN_PORT: "41500",
      RECORDING_MAX_PORT: "41599",
    },
  });
  publishers.push(await publish(node, ROOM, "m_alice", ["audio", "video"]));
  publishers.push(await publish(node, ROOM, "m_bob", ["audio", "video"]));
});
afterAll(async () => {
  for (const p of publishers) p.close();
  await node?.stop();
});

/** The watermark's area of the frame at `at` seconds, as 8-bit luma. */
async function region(path: string, at: number, area: { x: number; y: number; w: number; h: number } = WATERMARK): Promise<Buffer> {
  const { x, y, w, h } = area;
  const { stdout } = await run(
    "ffmpeg",
    ["-v", "error", "-ss", String(at), "-i", path, "-frames:v", "1", "-vf", `crop=${w}:${h}:${x}:${y},format=gray`, "-f", "rawvideo", "-"],
    { encoding: "buffer", maxBuffer: 1 << 20 },
  );
  return stdout;
}

const finished = (id: string, rec: ReturnType<typeof recordingEvents>) => finishedStatus(node, ROOM, id, rec);

describe("composite recording", () => {
  it("records a 640x360 grid as H.264 + AAC, and a text watermark changes its area", async () => {
    const rec = recordingEvents(node);
    const base = { layout: "grid", width: 640, height: 360, fps: 15, videoBitrate: 600, audioBitrate: 64 };
    const marked = {
      ...base,
      watermarks: [
        { kind: "text", text: "PARLEY", x: WATERMARK.x, y: WATERMARK.y, size: 36 },
        { kind: "timestamp", x: 340, y: 330, size: 18, color: "#FFFF00" },
        { kind: "image", png: RED_PNG, x: IMAGE.x, y: IMAGE.y, width: IMAGE.w, height: IMAGE.h },
      ],
    };
    const start = (id: string, composite: unknown) =>
      node.call("POST", `${R}/recordings`, ROOM, { recordingId: id, mode: "composite", segmentSeconds: 30, composite });
    const [a, b] = await Promise.all([start("comp-marked", marked), start("comp-plain", base)]);
    const t0 = Date.now();
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.json).toMatchObject({ mode: "composite", state: "recording" });
    await sleep(6000);
    await Promise.all(["comp-marked", "comp-plain"].map((id) => node.call("POST", `${R}/recordings/${id}/stop`, ROOM, {})));
    const expected = (Date.now() - t0) / 1000;
    const figures: Record<string, unknown> = { expected };
    const paths: Record<string, string> = {};
    for (const id of ["comp-marked", "comp-plain"]) {
      const status = await finished(id, rec);
      expect(status.state).toBe("available");
      expect(status.files.length).toBe(1);
      const file = status.files[0]!;
      expect(file).toMatchObject({ producerId: "composite", kind: "video", status: "uploaded" });
      expect(file.file).toMatch(/^composite\/composite-00000\.mp4$/);
      paths[id] = join(nas, ROOM, id, file.file);
      const p = await probeMedia(paths[id]);
      figures[id] = p;
      expect(p).toMatchObject({ video: "h264", audio: "aac", width: 640, height: 360 });
      expect(Math.abs(p.duration - expected) / expected).toBeLessThan(0.1);
    }
    // Same second of the same room: the plain one is black padding there, the marked one has text.
    const withMark = await region(paths["comp-marked"]!, 3);
    const without = await region(paths["comp-plain"]!, 3);
    expect(withMark.length).toBe(WATERMARK.w * WATERMARK.h);
    let differing = 0;
    for (let i = 0; i < withMark.length; i++) if (Math.abs(withMark[i]! - without[i]!) > 40) differing++;
    const share = differing / withMark.length;
    figures.watermarkPixelsChanged = Math.round(share * 1000) / 1000;
    console.log("composite figures", JSON.stringify(figures));
    expect(share).toBeGreaterThan(0.05);
    expect(Math.max(...without)).toBeLessThan(40);
    // The red image: red's luma is ~76 (BT.601 limited range ~81) where the plain one is black.
    const img = await region(paths["comp-marked"]!, 3, IMAGE);
    const imgPlain = await region(paths["comp-plain"]!, 3, IMAGE);
    const mean = (b: Buffer) => b.reduce((a, v) => a + v, 0) / b.length;
    expect(mean(img) - mean(imgPlain)).toBeGreaterThan(40);
  });

  it("refuses bad composite options with typed codes and clear messages", async () => {
    const start = (composite: unknown, id = "comp-bad") =>
      node.call("POST", `${R}/recordings`, ROOM, { recordingId: id, mode: "composite", composite });
    const big = await start({ width: 4000, height: 3000 });
    expect(big.json.error.code).toBe("INVALID_REQUEST");
    expect(big.json.error.message).toContain("canvas 4000x3000 is larger than 1920x1080");
    const layout = await start({ layout: "mosaic" });
    expect(layout.json.error.code).toBe("INVALID_REQUEST");
    expect(layout.json.error.message).toContain('unknown layout "mosaic"');
    const notPng = await start({
      watermarks: [{ kind: "image", png: Buffer.from("hello").toString("base64"), x: 0, y: 0, width: 10, height: 10 }],
    });
    expect(notPng.json.error.code).toBe("INVALID_REQUEST");
    expect(notPng.json.error.message).toContain("not a base64 PNG");
    // A PNG signature followed by garbage passes the schema but not the decoder.
    const broken = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
    const unreadable = await start(
      { watermarks: [{ kind: "image", png: broken.toString("base64"), x: 0, y: 0, width: 10, height: 10 }] },
      "comp-bad-img",
    );
    expect(unreadable.json.error.code).toBe("WATERMARK_UNREADABLE");
    // Nothing was left running or listed for the refused start.
    expect((await node.call("GET", `${R}/recordings/comp-bad-img`, ROOM)).json.error.code).toBe("RECORDING_NOT_FOUND");
  });
});

describe("snapshot", () => {
  it("stores a decodable JPEG of the member's video at its resolution", async () => {
    const rec = recordingEvents(node);
    // The control route is SNAPSHOT_ROUTES.takeSnapshot; the manager call is what it runs.
    const status = await node.service.recordings.snapshot(ROOM, { snapshotId: "snap-alice-1", member: "m_alice" });
    expect(status).toMatchObject({
      mode: "snapshot",
      files: [{ kind: "video", codec: "jpeg", producerId: publishers[0]!.producers.video }],
    });
    const done = await finished("snap-alice-1", rec);
    const file = done.files[0]!;
    const { stdout } = await run("ffprobe", [
      "-v",
      "error",
      "-show_entries",
      "stream=codec_name,width,height",
      "-of",
      "csv=p=0",
      join(nas, ROOM, "snap-alice-1", file.file),
    ]);
    expect(stdout.trim()).toBe("mjpeg,320,180");
    await expect(node.service.recordings.snapshot(ROOM, { snapshotId: "snap-nobody", member: "m_nobody" })).rejects.toMatchObject({
      code: "PRODUCER_NOT_FOUND",
    });
  });
});
