/**
 * Per-track recording to a NAS folder with real parts: mediasoup, @roamhq/wrtc publishers sending
 * VP8 + Opus, ffmpeg remuxing to segments, ffprobe checking what was written.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type RecordingStatus, recordingFileKey, signDownloadUrl } from "@parley/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLEET_SECRET, startTestNode, type TestNode } from "./helpers.js";
import { byTrack, ffprobe, isEvent, recordingEvents, sha256, sleep, tempDir } from "./recording-helpers.js";
import { type Publisher, publish } from "./recording-peer.js";

const ROOM = "ak_test:recorded-room";
const R = `/rooms/${encodeURIComponent(ROOM)}`;
const SEGMENT = 3;

let node: TestNode;
let spool: string;
let nas: string;
const publishers: Publisher[] = [];

beforeAll(async () => {
  spool = await tempDir("spool");
  nas = await tempDir("nas");
  node = await startTestNode({
    rtcBasePort: 21400,
    env: { SPOOL_DIR: spool, NAS_PATH: nas, SPOOL_MIN_FREE_BYTES: "0", RECORDING_MIN_PORT: "41000", RECORDING_MAX_PORT: "41099" },
  });
});
afterAll(async () => {
  for (const p of publishers) p.close();
  await node?.stop();
});

describe("per-track recording to NAS", () => {
  it("records every member's audio and video in segments, including a member who joins mid-recording", async () => {
    const rec = recordingEvents(node);
    const alice = await publish(node, ROOM, "m_alice", ["audio", "video"]);
    publishers.push(alice);
    const started = await node.call("POST", `${R}/recordings`, ROOM, { recordingId: "rec-nas-1", mode: "tracks", segmentSeconds: SEGMENT });
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({ recordingId: "rec-nas-1", state: "recording", storage: "nas", segmentSeconds: SEGMENT });
    const t0 = Date.now();
    // A retried start is answered with the running recording, not a second one.
    expect((await node.call("POST", `${R}/recordings`, ROOM, { recordingId: "rec-nas-1" })).status).toBe(200);

    await sleep(2500);
    const bob = await publish(node, ROOM, "m_bob", ["audio"]);
    publishers.push(bob);
    const tBob = Date.now();
    await sleep(7500 - (Date.now() - t0));

    const live = await node.call("GET", `${R}/recordings/rec-nas-1`, ROOM);
    expect(live.json.state).toBe("recording");
    // The first segments are closed (and already uploaded or on their way) while recording goes on.
    expect(live.json.files.some((f: RecordingStatus["files"][number]) => f.status !== "recording")).toBe(true);

    const stopped = await node.call("POST", `${R}/recordings/rec-nas-1/stop`, ROOM, {});
    const tStop = Date.now();
    expect(stopped.status).toBe(200);
    expect(["uploading", "available"]).toContain(stopped.json.state);
    const available = await rec.wait(isEvent("recording.available", "rec-nas-1"), "recording available");
    const status = (await node.call("GET", `${R}/recordings/rec-nas-1`, ROOM)).json as RecordingStatus;
    expect(status.state).toBe("available");
    expect(available.files.length).toBe(status.files.length);

    const tracks = byTrack(status);
    expect([...tracks.keys()].sort()).toEqual([alice.producers.audio, alice.producers.video, bob.producers.audio].sort());
    const report: Record<string, unknown> = {};
    for (const [producerId, files] of tracks) {
      const first = files[0]!;
      const expected = (first.member === "m_bob" ? tStop - tBob : tStop - t0) / 1000;
      let total = 0;
      const segments: number[] = [];
      for (const f of files) {
        expect(f.status).toBe("uploaded");
        const path = join(nas, ROOM, "rec-nas-1", f.file);
        expect(f.location).toBe(path);
        expect(await sha256(path)).toBe(f.sha256);
        const probe = await ffprobe(path);
        expect(probe.codec).toBe(first.kind === "audio" ? "opus" : "vp8");
        segments.push(Math.round(probe.duration * 100) / 100);
        total += probe.duration;
      }
      report[`${first.member}/${first.kind}`] = {
        expected,
        total: Math.round(total * 100) / 100,
        segments,
        bytes: files.map((f) => f.bytes),
      };
      expect(f(first.kind === "audio" ? "ogg" : "webm", first.file)).toBe(true);
      expect(Math.abs(total - expected) / expected).toBeLessThan(0.1);
      // Every segment but the last is one segment long (within 10 %).
      for (const d of segments.slice(0, -1)) expect(Math.abs(d - SEGMENT) / SEGMENT).toBeLessThan(0.1);
      void producerId;
    }
    console.log("recording figures", JSON.stringify(report));
    expect(tracks.get(alice.producers.video!)!.length).toBeGreaterThanOrEqual(2);
    // Nothing is left in the spool once everything is verified in storage.
    expect(existsSync(join(spool, "rec-nas-1"))).toBe(false);
  });

  it("records into an app's folder under NAS_PATH, and serves those files through signed download URLs", async () => {
    const rec = recordingEvents(node);
    const folder = "team-a/calls";
    const start = { recordingId: "rec-folder-1", mode: "tracks", segmentSeconds: SEGMENT, storage: { kind: "nas", folder } };
    expect((await node.call("POST", `${R}/recordings`, ROOM, start)).status).toBe(200);
    await sleep(2000);
    expect((await node.call("POST", `${R}/recordings/rec-folder-1/stop`, ROOM, {})).status).toBe(200);
    await rec.wait(isEvent("recording.available", "rec-folder-1"), "recording available");
    const status = (await node.call("GET", `${R}/recordings/rec-folder-1`, ROOM)).json as RecordingStatus;
    expect(status.files.length).toBeGreaterThan(0);
    for (const file of status.files) {
      const key = recordingFileKey({ room: ROOM, recordingId: "rec-folder-1", file: file.file });
      expect(file.location).toBe(join(nas, folder, key));
      // the edge signs `<folder>/<key>`: the node serves NAS_PATH, so the folder is part of the location
      const url = await signDownloadUrl({
        baseUrl: node.baseUrl,
        location: `${folder}/${key}`,
        secret: FLEET_SECRET,
        expiresAt: Math.floor(Date.now() / 1000) + 60,
      });
      const download = await fetch(url);
      expect(download.status).toBe(200);
      expect(
        createHash("sha256")
          .update(new Uint8Array(await download.arrayBuffer()))
          .digest("hex"),
      ).toBe(file.sha256);
    }
    for (const bad of ["../escape", "/etc", "a//b", "a/./b"]) {
      const refused = await node.call("POST", `${R}/recordings`, ROOM, {
        recordingId: "rec-bad-folder",
        storage: { kind: "nas", folder: bad },
      });
      expect(refused.json.error.code, bad).toBe("INVALID_REQUEST");
    }
  });

  it("refuses unknown recordings, bad bodies and rooms that are not on the node", async () => {
    expect((await node.call("GET", `${R}/recordings/nope-1`, ROOM)).json.error.code).toBe("RECORDING_NOT_FOUND");
    const bad = await node.call("POST", `${R}/recordings`, ROOM, { recordingId: "../etc" });
    expect(bad.json.error.code).toBe("INVALID_REQUEST");
    const s3NoKey = await node.call("POST", `${R}/recordings`, ROOM, { recordingId: "rec-x", storage: { kind: "s3", bucket: "b" } });
    expect(s3NoKey.json.error.code).toBe("INVALID_REQUEST");
    const other = "ak_test:not-here";
    const missing = await node.call("POST", `/rooms/${encodeURIComponent(other)}/recordings`, other, { recordingId: "rec-y" });
    expect(missing.json.error.code).toBe("ROOM_NOT_ON_NODE");
  });
});

function f(ext: string, file: string): boolean {
  return file.endsWith(`.${ext}`);
}
