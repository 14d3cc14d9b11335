/**
 * Recording to real S3 (Ceph RGW from test/rgw.setup.ts): files land in the bucket with the spool's
 * SHA-256, and an RGW outage during a recording keeps everything in the spool ("uploading") until
 * RGW is back, then completes with matching bytes. An export of a recording that is only in S3
 * downloads its segments first.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { RecordingStatus } from "@parley/shared";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTestNode, type TestNode, waitFor } from "./helpers.js";
import { ffprobe, isEvent, recordingEvents, sleep, tempDir } from "./recording-helpers.js";
import { type Publisher, publish } from "./recording-peer.js";
import { RgwBucket } from "./rgw-bucket.js";

const run = promisify(execFile);
const ROOM = "ak_test:s3-room";
const R = `/rooms/${encodeURIComponent(ROOM)}`;
const BUCKET = "parley-recordings";
const rgw = inject("rgw");

let node: TestNode;
let spool: string;
let bucket: RgwBucket;
const publishers: Publisher[] = [];

function storage() {
  return bucket.storage("tests/");
}

async function rgwCtl(command: "rgw-stop" | "rgw-start"): Promise<void> {
  if ("unavailable" in rgw) throw new Error(rgw.unavailable);
  await run(rgw.script, [command, rgw.dir], { env: { ...process.env, ...rgw.env } });
}

const download = (key: string) => bucket.get(key);

beforeAll(async () => {
  bucket = await RgwBucket.open(BUCKET);
  spool = await tempDir("spool-s3");
  node = await startTestNode({
    rtcBasePort: 21700,
    env: {
      SPOOL_DIR: spool,
      NAS_PATH: join(spool, "..", "nas-s3"),
      SPOOL_MIN_FREE_BYTES: "0",
      UPLOAD_MAX_BACKOFF_MS: "1000",
      RECORDING_MIN_PORT: "41400",
      RECORDING_MAX_PORT: "41499",
    },
  });
  publishers.push(await publish(node, ROOM, "m_alice", ["audio", "video"]));
}, 120_000);
afterAll(async () => {
  for (const p of publishers) p.close();
  await node?.stop();
  bucket?.close();
});

async function verifyInBucket(status: RecordingStatus): Promise<number> {
  let bytes = 0;
  for (const f of status.files) {
    expect(f.status).toBe("uploaded");
    const key = `tests/${ROOM}/${status.recordingId}/${f.file}`;
    expect(f.location).toBe(`s3://${BUCKET}/${key}`);
    const body = await download(key);
    expect(body.length).toBe(f.bytes);
    expect(createHash("sha256").update(body).digest("hex")).toBe(f.sha256);
    bytes += body.length;
  }
  return bytes;
}

describe("per-track recording to S3 (Ceph RGW)", () => {
  it("uploads every segment to the bucket, verified, and empties the spool", async () => {
    const rec = recordingEvents(node);
    expect(
      (await node.call("POST", `${R}/recordings`, ROOM, { recordingId: "rec-s3-1", segmentSeconds: 3, storage: storage() })).status,
    ).toBe(200);
    await sleep(6500);
    const stopAt = Date.now();
    await node.call("POST", `${R}/recordings/rec-s3-1/stop`, ROOM, {});
    await rec.wait(isEvent("recording.available", "rec-s3-1"), "available");
    const status = (await node.call("GET", `${R}/recordings/rec-s3-1`, ROOM)).json as RecordingStatus;
    expect(status.files.length).toBeGreaterThanOrEqual(4);
    const bytes = await verifyInBucket(status);
    console.log(
      "s3 figures",
      JSON.stringify({
        files: status.files.length,
        bytes,
        msFromStopToAvailable: (rec.events.find(isEvent("recording.available", "rec-s3-1"))?.at ?? 0) - stopAt,
      }),
    );
    expect(existsSync(join(spool, "rec-s3-1"))).toBe(false);
    // The secret never comes back in a status.
    expect(JSON.stringify(status)).not.toContain("parleysecret");
  });

  it("waits out an RGW outage with files in the spool, then completes when RGW is back", async () => {
    const rec = recordingEvents(node);
    expect(
      (await node.call("POST", `${R}/recordings`, ROOM, { recordingId: "rec-s3-outage", segmentSeconds: 2, storage: storage() })).status,
    ).toBe(200);
    await sleep(1000);
    await rgwCtl("rgw-stop");
    await sleep(4000);
    const stopped = (await node.call("POST", `${R}/recordings/rec-s3-outage/stop`, ROOM, {})).json as RecordingStatus;
    expect(stopped.state).toBe("uploading");
    // an upload in flight when RGW stopped can hang until the client's 20 s inactivity timeout
    expect(await rec.wait(isEvent("recording.failed", "rec-s3-outage"), "outage event", 45_000)).toMatchObject({
      code: "STORAGE_UNAVAILABLE",
      fatal: false,
    });
    await sleep(1500);
    const waiting = (await node.call("GET", `${R}/recordings/rec-s3-outage`, ROOM)).json as RecordingStatus;
    expect(waiting.state).toBe("uploading");
    const pending = waiting.files.filter((f) => f.status === "pending");
    expect(pending.length).toBeGreaterThanOrEqual(2);
    for (const f of pending) expect(existsSync(join(spool, "rec-s3-outage", f.file))).toBe(true);

    const back = Date.now();
    await rgwCtl("rgw-start");
    const rgwUp = Date.now() - back;
    const done = await waitFor(
      async () => {
        const s = (await node.call("GET", `${R}/recordings/rec-s3-outage`, ROOM)).json as RecordingStatus;
        return s.state === "available" ? s : undefined;
      },
      "uploads after the outage",
      30_000,
    );
    const bytes = await verifyInBucket(done);
    console.log(
      "s3 outage figures",
      JSON.stringify({
        files: done.files.length,
        pendingDuringOutage: pending.length,
        bytes,
        rgwRestartMs: rgwUp,
        msFromRgwStartToAvailable: Date.now() - back,
      }),
    );
    expect(done.error).toBeUndefined();
    expect(existsSync(join(spool, "rec-s3-outage"))).toBe(false);
  }, 120_000);

  it("exports a recording whose files are only in S3: downloads them into the spool, mixes, stores the export, cleans up", async () => {
    const rec = recordingEvents(node);
    const start = await node.call("POST", `${R}/recordings`, ROOM, { recordingId: "rec-s3-src", segmentSeconds: 2, storage: storage() });
    expect(start.status).toBe(200);
    await sleep(4500);
    await node.call("POST", `${R}/recordings/rec-s3-src/stop`, ROOM, {});
    await rec.wait(isEvent("recording.available", "rec-s3-src"), "source available");
    const source = (await node.call("GET", `${R}/recordings/rec-s3-src`, ROOM)).json as RecordingStatus;
    expect(existsSync(join(spool, "rec-s3-src"))).toBe(false); // only S3 has the segments now
    const scratch = await tempDir("s3-export-check");
    let audioSeconds = 0;
    for (const f of source.files.filter((f) => f.kind === "audio")) {
      const path = join(scratch, f.file.replaceAll("/", "_"));
      await writeFile(path, await download(`tests/${ROOM}/rec-s3-src/${f.file}`));
      audioSeconds += (await ffprobe(path)).duration;
    }
    expect(audioSeconds).toBeGreaterThan(3);

    const exported = await node.call("POST", `${R}/recordings/rec-s3-src/exports`, ROOM, {
      exportId: "exp-s3-mixed",
      kind: "mixed-audio",
      format: "wav",
    });
    expect(exported.status, JSON.stringify(exported.json)).toBe(200);
    expect(exported.json).toMatchObject({ mode: "export", storage: "s3" });
    await rec.wait(isEvent("recording.available", "exp-s3-mixed"), "export available", 30_000);
    const status = (await node.call("GET", `${R}/recordings/exp-s3-mixed`, ROOM)).json as RecordingStatus;
    expect(status.files.map((f) => f.file)).toEqual(["mixed/room-audio-00000.wav"]);
    await verifyInBucket(status);
    const wav = join(scratch, "mixed.wav");
    await writeFile(wav, await download(`tests/${ROOM}/exp-s3-mixed/mixed/room-audio-00000.wav`));
    const probe = await ffprobe(wav);
    expect(probe.codec).toBe("pcm_s16le");
    // The whole recorded audio is in the export (one track, so no offset pads it).
    expect(Math.abs(probe.duration - audioSeconds)).toBeLessThan(0.5);
    // The downloaded sources (and the rest of the export's spool folder) are gone.
    expect(existsSync(join(spool, "exp-s3-mixed"))).toBe(false);
    console.log("s3 export figures", JSON.stringify({ sourceFiles: source.files.length, audioSeconds, exportSeconds: probe.duration }));
  });
});
