/**
 * Exports after a node restart, with real parts: a node records two members' audio (@roamhq/wrtc
 * publishers) to NAS and to S3 (Ceph RGW) at once, stores each recording's manifest next to its
 * files, then shuts down. A new node over a fresh spool — nothing in memory — exports both from
 * their manifests: mixed wav and a G.711 quality split, probed with ffprobe. A missing or broken
 * manifest is refused with its typed code.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { RecordingManifest, type RecordingStatus } from "@parley/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "./helpers.js";
import { ffprobe, isEvent, recordingEvents, sleep, tempDir } from "./recording-helpers.js";
import { type Publisher, publish } from "./recording-peer.js";
import { RgwBucket } from "./rgw-bucket.js";

const run = promisify(execFile);
const ROOM = "ak_test:manifest-room";
const R = `/rooms/${encodeURIComponent(ROOM)}`;
const BUCKET = "parley-recordings";

let nas: string;
let bucket: RgwBucket;
let first: TestNode | undefined;
let second: TestNode | undefined;
const publishers: Publisher[] = [];
/** Seconds of m_alice's audio in each source recording, as stored. */
const recorded = { nas: 0, s3: 0 };

const s3Storage = () => bucket.storage("manifest-tests/");

const nodeEnv = async (name: string, minPort: number) => ({
  SPOOL_DIR: await tempDir(`${name}-spool`),
  NAS_PATH: nas,
  SPOOL_MIN_FREE_BYTES: "0",
  UPLOAD_MAX_BACKOFF_MS: "1000",
  RECORDING_MIN_PORT: String(minPort),
  RECORDING_MAX_PORT: String(minPort + 49),
});

const s3Object = (key: string) => bucket.get(key);

beforeAll(async () => {
  bucket = await RgwBucket.open(BUCKET);
  nas = await tempDir("manifest-nas");
  first = await startTestNode({ rtcBasePort: 22200, env: await nodeEnv("manifest-first", 42000) });
}, 120_000);
afterAll(async () => {
  for (const p of publishers) p.close();
  await first?.stop();
  await second?.stop();
  bucket?.close();
});

/** Exports `source` on the second node and waits until the export is available. */
async function exportOn(node: TestNode, source: string, body: Record<string, unknown>): Promise<RecordingStatus> {
  const rec = recordingEvents(node);
  const res = await node.call("POST", `${R}/recordings/${source}/exports`, ROOM, body);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  expect(res.json).toMatchObject({ recordingId: body.exportId, mode: "export", state: "recording" });
  await rec.wait(isEvent("recording.available", String(body.exportId)), `export ${body.exportId} available`, 30_000);
  const status = (await node.call("GET", `${R}/recordings/${body.exportId}`, ROOM)).json as RecordingStatus;
  expect(status.state).toBe("available");
  return status;
}

async function probeAudio(path: string) {
  const { codec, duration } = await ffprobe(path);
  const { stdout } = await run("ffprobe", ["-v", "error", "-show_entries", "stream=sample_rate,channels", "-of", "json", path]);
  const stream = (JSON.parse(stdout) as { streams: { sample_rate: string; channels: number }[] }).streams[0]!;
  return { codec, duration, sampleRate: Number(stream.sample_rate), channels: stream.channels };
}

describe("exports from a recording's manifest, after the node that made it is gone", () => {
  it("stores a verified manifest next to a finished per-track recording, on NAS and in S3", async () => {
    const node = first!;
    const rec = recordingEvents(node);
    publishers.push(await publish(node, ROOM, "m_alice", ["audio"]));
    for (const [id, storage] of [
      ["rec-man-nas", undefined],
      ["rec-man-s3", s3Storage()],
    ] as const) {
      const started = await node.call("POST", `${R}/recordings`, ROOM, {
        recordingId: id,
        segmentSeconds: 2,
        ...(storage ? { storage } : {}),
      });
      expect(started.status, JSON.stringify(started.json)).toBe(200);
    }
    await sleep(1500);
    publishers.push(await publish(node, ROOM, "m_bob", ["audio"]));
    await sleep(3500);
    for (const id of ["rec-man-nas", "rec-man-s3"]) await node.call("POST", `${R}/recordings/${id}/stop`, ROOM, {});
    for (const id of ["rec-man-nas", "rec-man-s3"]) await rec.wait(isEvent("recording.available", id), `${id} available`, 45_000);

    const nasStatus = (await node.call("GET", `${R}/recordings/rec-man-nas`, ROOM)).json as RecordingStatus;
    const nasManifest = RecordingManifest.parse(JSON.parse(await readFile(join(nas, ROOM, "rec-man-nas", "manifest.json"), "utf8")));
    expect(nasManifest).toMatchObject({ recordingId: "rec-man-nas", room: ROOM, mode: "tracks", segmentSeconds: 2 });
    expect(nasManifest.tracks.map((t) => t.member).sort()).toEqual(["m_alice", "m_bob"]);
    for (const t of nasManifest.tracks)
      expect(t).toMatchObject({ kind: "audio", codec: expect.stringMatching(/^opus$/i), startedAt: expect.any(Number) });
    expect(nasManifest.files.map((f) => [f.file, f.bytes, f.sha256, f.location])).toEqual(
      nasStatus.files.map((f) => [f.file, f.bytes, f.sha256, f.location]),
    );
    for (const f of nasStatus.files.filter((f) => f.member === "m_alice")) recorded.nas += (await ffprobe(f.location!)).duration;

    const s3Status = (await node.call("GET", `${R}/recordings/rec-man-s3`, ROOM)).json as RecordingStatus;
    const key = `manifest-tests/${ROOM}/rec-man-s3/manifest.json`;
    const body = await s3Object(key);
    const head = await bucket.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.Metadata?.sha256).toBe(createHash("sha256").update(body).digest("hex"));
    const s3Manifest = RecordingManifest.parse(JSON.parse(body.toString("utf8")));
    expect(s3Manifest.files.map((f) => f.location)).toEqual(s3Status.files.map((f) => f.location));
    const scratch = await tempDir("manifest-s3-src");
    for (const f of s3Status.files.filter((f) => f.member === "m_alice")) {
      const path = join(scratch, `${f.segment}.ogg`);
      await writeFile(path, await s3Object(`manifest-tests/${ROOM}/rec-man-s3/${f.file}`));
      recorded.s3 += (await ffprobe(path)).duration;
    }
    console.log(
      "manifest figures",
      JSON.stringify({ nasFiles: nasStatus.files.length, s3Files: s3Status.files.length, manifestBytes: body.length, recorded }),
    );
    expect(recorded.nas).toBeGreaterThan(3);
    expect(recorded.s3).toBeGreaterThan(3);

    for (const p of publishers.splice(0)) p.close();
    await node.stop();
    first = undefined;
    // A new node over a fresh spool: the recordings are in storage only.
    second = await startTestNode({ rtcBasePort: 22220, env: await nodeEnv("manifest-second", 42050) });
  });

  it("exports mixed wav and a quality split from NAS on a node that never held the recording", async () => {
    const node = second!;
    const wav = await exportOn(node, "rec-man-nas", { exportId: "exp-man-nas-wav", kind: "mixed-audio", format: "wav" });
    expect(wav.files.map((f) => [f.file, f.location])).toEqual([
      ["mixed/room-audio-00000.wav", join(nas, ROOM, "exp-man-nas-wav", "mixed/room-audio-00000.wav")],
    ]);
    const w = await probeAudio(wav.files[0]!.location!);
    expect(w).toMatchObject({ codec: "pcm_s16le", sampleRate: 48000, channels: 2 });
    expect(Math.abs(w.duration - recorded.nas) / recorded.nas).toBeLessThan(0.1);

    const split = await exportOn(node, "rec-man-nas", { exportId: "exp-man-nas-pcma", kind: "quality-split", format: "pcma" });
    expect(split.files.map((f) => f.file).sort()).toEqual(["m_alice/quality-pcma-00000.wav", "m_bob/quality-pcma-00000.wav"]);
    for (const f of split.files) {
      const p = await probeAudio(f.location!);
      expect(p).toMatchObject({ codec: "pcm_alaw", sampleRate: 8000, channels: 1 });
      expect(Math.abs(p.duration - recorded.nas) / recorded.nas).toBeLessThan(0.1);
    }
    console.log("nas export from manifest", JSON.stringify({ recorded: recorded.nas, wav: w }));
  });

  it("exports from S3 with the storage the request names, storing the outputs next to the source", async () => {
    const node = second!;
    const source = { storage: s3Storage() };
    const scratch = await tempDir("manifest-s3-out");
    const fetched = async (status: RecordingStatus, file: string) => {
      const f = status.files.find((x) => x.file === file)!;
      expect(f.location).toBe(`s3://${BUCKET}/manifest-tests/${ROOM}/${status.recordingId}/${file}`);
      const path = join(scratch, status.recordingId, file);
      await mkdir(join(path, ".."), { recursive: true });
      await writeFile(path, await s3Object(`manifest-tests/${ROOM}/${status.recordingId}/${file}`));
      return probeAudio(path);
    };
    const wav = await exportOn(node, "rec-man-s3", { exportId: "exp-man-s3-wav", kind: "mixed-audio", format: "wav", source });
    expect(wav.storage).toBe("s3");
    const w = await fetched(wav, "mixed/room-audio-00000.wav");
    expect(w).toMatchObject({ codec: "pcm_s16le", sampleRate: 48000, channels: 2 });
    expect(Math.abs(w.duration - recorded.s3) / recorded.s3).toBeLessThan(0.1);

    const split = await exportOn(node, "rec-man-s3", { exportId: "exp-man-s3-pcmu", kind: "quality-split", format: "pcmu", source });
    for (const file of ["m_alice/quality-pcmu-00000.wav", "m_bob/quality-pcmu-00000.wav"]) {
      const p = await fetched(split, file);
      expect(p).toMatchObject({ codec: "pcm_mulaw", sampleRate: 8000, channels: 1 });
      expect(Math.abs(p.duration - recorded.s3) / recorded.s3).toBeLessThan(0.1);
    }
    console.log("s3 export from manifest", JSON.stringify({ recorded: recorded.s3, wav: w }));
  });

  it("refuses a recording without a manifest, or with a broken one, with the typed code", async () => {
    const node = second!;
    const ask = async (id: string, extra: Record<string, unknown> = {}) => {
      const res = await node.call("POST", `${R}/recordings/${id}/exports`, ROOM, {
        exportId: `exp-refused-${id}`,
        kind: "mixed-audio",
        format: "wav",
        ...extra,
      });
      return { status: res.status, ...(res.json.error as { code: string; message: string }) };
    };
    expect(await ask("rec-never")).toMatchObject({
      status: 404,
      code: "RECORDING_MANIFEST_NOT_FOUND",
      message: expect.stringContaining("manifest.json"),
    });
    expect(await ask("rec-man-nas", { source: { storage: s3Storage() } })).toMatchObject({
      status: 404,
      code: "RECORDING_MANIFEST_NOT_FOUND",
    });

    await mkdir(join(nas, ROOM, "rec-broken"), { recursive: true });
    await writeFile(join(nas, ROOM, "rec-broken", "manifest.json"), '{"version":1,"recordingId":"rec-broken"');
    expect(await ask("rec-broken")).toMatchObject({ status: 422, code: "RECORDING_MANIFEST_INVALID" });
    // A manifest copied from another recording is not this recording's.
    await mkdir(join(nas, ROOM, "rec-copied"), { recursive: true });
    await writeFile(join(nas, ROOM, "rec-copied", "manifest.json"), await readFile(join(nas, ROOM, "rec-man-nas", "manifest.json")));
    expect(await ask("rec-copied")).toMatchObject({
      status: 422,
      code: "RECORDING_MANIFEST_INVALID",
      message: expect.stringContaining("rec-man-nas"),
    });
  });
});
