/**
 * Exports of a finished per-track recording with real parts: two @roamhq/wrtc publishers sending
 * Opus, a NAS recording, then ffmpeg exports read back from NAS and checked with ffprobe.
 */
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { RecordingStatus } from "@parley/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "./helpers.js";
import { isEvent, recordingEvents, sleep, tempDir } from "./recording-helpers.js";
import { type Publisher, publish } from "./recording-peer.js";

const run = promisify(execFile);
const ROOM = "ak_test:export-room";
const R = `/rooms/${encodeURIComponent(ROOM)}`;
const SOURCE = "rec-export-src";

let node: TestNode;
let nas: string;
const publishers: Publisher[] = [];
let recordedSeconds = 0;
let bobOffsetSeconds = 0;

beforeAll(async () => {
  nas = await tempDir("export-nas");
  node = await startTestNode({
    rtcBasePort: 21950,
    env: {
      SPOOL_DIR: await tempDir("export-spool"),
      NAS_PATH: nas,
      SPOOL_MIN_FREE_BYTES: "0",
      RECORDING_MIN_PORT: "41600",
      RECORDING_MAX_PORT: "41649",
    },
  });
});
afterAll(async () => {
  for (const p of publishers) p.close();
  await node?.stop();
});

async function probe(path: string): Promise<{ codec: string; sampleRate: number; channels: number; duration: number }> {
  const { stdout } = await run("ffprobe", [
    ...["-v", "error", "-show_entries", "stream=codec_name,sample_rate,channels:format=duration", "-of", "json", path],
  ]);
  const json = JSON.parse(stdout) as {
    streams: { codec_name: string; sample_rate: string; channels: number }[];
    format: { duration: string };
  };
  const s = json.streams[0]!;
  return { codec: s.codec_name, sampleRate: Number(s.sample_rate), channels: s.channels, duration: Number(json.format.duration) };
}

/** Where the first stretch of silence (from 0) ends, in seconds; 0 when the file starts with sound. */
async function leadingSilence(path: string): Promise<number> {
  const { stderr } = await run("ffmpeg", [
    "-hide_banner",
    "-nostdin",
    "-i",
    path,
    "-af",
    "silencedetect=noise=-50dB:d=0.2",
    "-f",
    "null",
    "-",
  ]);
  const start = /silence_start: (-?[\d.]+)/.exec(stderr);
  const end = /silence_end: ([\d.]+)/.exec(stderr);
  return start && Number(start[1]) < 0.05 && end ? Number(end[1]) : 0;
}

async function exportOf(body: Record<string, unknown>): Promise<RecordingStatus> {
  const rec = recordingEvents(node);
  const res = await node.call("POST", `${R}/recordings/${SOURCE}/exports`, ROOM, body);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  expect(res.json).toMatchObject({ recordingId: body.exportId, mode: "export", storage: "nas" });
  await rec.wait(isEvent("recording.available", String(body.exportId)), `export ${body.exportId} available`, 20_000);
  const status = (await node.call("GET", `${R}/recordings/${body.exportId}`, ROOM)).json as RecordingStatus;
  expect(status.state).toBe("available");
  for (const f of status.files) expect(f.location).toBe(join(nas, ROOM, String(body.exportId), f.file));
  return status;
}

describe("recording exports", () => {
  it("records two members' audio (tracks mode) and refuses to export it before it is available", async () => {
    const rec = recordingEvents(node);
    const alice = await publish(node, ROOM, "m_alice", ["audio"]);
    publishers.push(alice);
    const started = await node.call("POST", `${R}/recordings`, ROOM, { recordingId: SOURCE, mode: "tracks", segmentSeconds: 2 });
    expect(started.status).toBe(200);
    const t0 = Date.now();
    await sleep(1500);
    publishers.push(await publish(node, ROOM, "m_bob", ["audio"]));
    bobOffsetSeconds = (Date.now() - t0) / 1000;
    const early = await node.call("POST", `${R}/recordings/${SOURCE}/exports`, ROOM, {
      exportId: "exp-early",
      kind: "mixed-audio",
      format: "wav",
    });
    expect(early.json.error).toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("available") });
    await sleep(6000 - (Date.now() - t0));
    await node.call("POST", `${R}/recordings/${SOURCE}/stop`, ROOM, {});
    const wallSeconds = (Date.now() - t0) / 1000;
    await rec.wait(isEvent("recording.available", SOURCE), "recording available");
    // The recording's length as stored: the first member's segments (on a loaded 2-core machine the
    // synthetic microphone may deliver a little less audio than wall-clock time).
    const status = (await node.call("GET", `${R}/recordings/${SOURCE}`, ROOM)).json as RecordingStatus;
    for (const f of status.files.filter((f) => f.member === "m_alice")) recordedSeconds += (await probe(f.location!)).duration;
    console.log("source recording", JSON.stringify({ wallSeconds, recordedSeconds, files: status.files.length }));
    expect(Math.abs(recordedSeconds - wallSeconds) / wallSeconds).toBeLessThan(0.15);
  });

  it("exports the room's mixed audio as wav (pcm_s16le 48 kHz) and aac, on the recording's timeline", async () => {
    const wav = await exportOf({ exportId: "exp-mix-wav", kind: "mixed-audio", format: "wav" });
    expect(wav.files.map((f) => f.file)).toEqual(["mixed/room-audio-00000.wav"]);
    expect(wav.files[0]).toMatchObject({ kind: "audio", codec: "pcm_s16le", status: "uploaded" });
    const w = await probe(wav.files[0]!.location!);
    expect(w).toMatchObject({ codec: "pcm_s16le", sampleRate: 48000, channels: 2 });
    expect(Math.abs(w.duration - recordedSeconds) / recordedSeconds).toBeLessThan(0.1);

    const aac = await exportOf({ exportId: "exp-mix-aac", kind: "mixed-audio", format: "aac" });
    expect(aac.files.map((f) => f.file)).toEqual(["mixed/room-audio-00000.m4a"]);
    const a = await probe(aac.files[0]!.location!);
    expect(a).toMatchObject({ codec: "aac", sampleRate: 48000 });
    expect(Math.abs(a.duration - recordedSeconds) / recordedSeconds).toBeLessThan(0.1);
    // A retried request answers the export already made.
    const again = await node.call("POST", `${R}/recordings/${SOURCE}/exports`, ROOM, {
      exportId: "exp-mix-aac",
      kind: "mixed-audio",
      format: "aac",
    });
    expect(again.json).toMatchObject({ recordingId: "exp-mix-aac", state: "available" });
    console.log("export figures", JSON.stringify({ recordedSeconds, wav: w, aac: a }));
  });

  it("exports one member's audio, starting with silence until the member joined", async () => {
    const bob = await exportOf({ exportId: "exp-bob", kind: "member-audio", member: "m_bob", format: "wav" });
    expect(bob.files.map((f) => [f.file, f.member])).toEqual([["m_bob/member-audio-00000.wav", "m_bob"]]);
    const path = bob.files[0]!.location!;
    const p = await probe(path);
    expect(p).toMatchObject({ codec: "pcm_s16le", sampleRate: 48000 });
    expect(Math.abs(p.duration - recordedSeconds) / recordedSeconds).toBeLessThan(0.1);
    const silence = await leadingSilence(path);
    console.log("member export", JSON.stringify({ duration: p.duration, leadingSilence: silence, bobJoinedAt: bobOffsetSeconds }));
    expect(Math.abs(silence - bobOffsetSeconds)).toBeLessThan(0.5);
  });

  it("splits the recording into one 8 kHz mono G.711 file per member for quality checks", async () => {
    for (const [format, codec] of [
      ["pcma", "pcm_alaw"],
      ["pcmu", "pcm_mulaw"],
    ] as const) {
      const split = await exportOf({ exportId: `exp-split-${format}`, kind: "quality-split", format });
      expect(split.files.map((f) => f.file).sort()).toEqual([`m_alice/quality-${format}-00000.wav`, `m_bob/quality-${format}-00000.wav`]);
      const figures: Record<string, unknown> = {};
      for (const f of split.files) {
        const p = await probe(f.location!);
        figures[f.member!] = p;
        expect(p).toMatchObject({ codec, sampleRate: 8000, channels: 1 });
        expect(Math.abs(p.duration - recordedSeconds) / recordedSeconds).toBeLessThan(0.1);
      }
      console.log(`quality split ${format}`, JSON.stringify(figures));
    }
  });

  it("refuses bad export requests with the reason", async () => {
    const ask = async (body: Record<string, unknown>, id = SOURCE) =>
      (await node.call("POST", `${R}/recordings/${id}/exports`, ROOM, body)).json.error as { code: string; message: string };
    expect(await ask({ exportId: "exp-bad-1", kind: "mixed-audio", format: "pcma" })).toMatchObject({
      code: "INVALID_REQUEST",
      message: "format: format pcma is not for mixed-audio; use wav or aac",
    });
    expect(await ask({ exportId: "exp-bad-2", kind: "quality-split", format: "wav" })).toMatchObject({
      code: "INVALID_REQUEST",
      message: expect.stringContaining("use pcma or pcmu"),
    });
    expect(await ask({ exportId: "exp-bad-3", kind: "member-audio", format: "wav" })).toMatchObject({
      code: "INVALID_REQUEST",
      message: "member: member-audio needs member",
    });
    expect((await ask({ exportId: "exp-bad-4", kind: "mixed-audio", member: "m_bob", format: "wav" })).code).toBe("INVALID_REQUEST");
    expect((await ask({ exportId: "../x", kind: "mixed-audio", format: "wav" })).code).toBe("INVALID_REQUEST");
    expect((await ask({ exportId: "exp-bad-5", kind: "member-audio", member: "m_carol", format: "aac" })).code).toBe("MEMBER_NOT_FOUND");
    // Not in memory: the node looks for its manifest in storage (recording-manifest.test.ts).
    expect((await ask({ exportId: "exp-bad-6", kind: "mixed-audio", format: "wav" }, "rec-nope")).code).toBe(
      "RECORDING_MANIFEST_NOT_FOUND",
    );
    // An export is not a per-track recording: no exports of exports.
    expect((await ask({ exportId: "exp-bad-7", kind: "mixed-audio", format: "wav" }, "exp-mix-wav")).message).toContain("per-track");
  });

  it("ends an export whose ffmpeg run fails as failed (EXPORT_FAILED), with nothing stored", async () => {
    const source = (await node.call("GET", `${R}/recordings/${SOURCE}`, ROOM)).json as RecordingStatus;
    await rm(source.files.find((f) => f.member === "m_alice")!.location!);
    const rec = recordingEvents(node);
    const res = await node.call("POST", `${R}/recordings/${SOURCE}/exports`, ROOM, {
      exportId: "exp-broken",
      kind: "mixed-audio",
      format: "wav",
    });
    expect(res.json).toMatchObject({ recordingId: "exp-broken", mode: "export", state: "recording" });
    const failed = await rec.wait(isEvent("recording.failed", "exp-broken"), "export failed", 20_000);
    expect(failed).toMatchObject({ code: "EXPORT_FAILED", fatal: true, files: [] });
    const status = (await node.call("GET", `${R}/recordings/exp-broken`, ROOM)).json as RecordingStatus;
    expect(status).toMatchObject({ state: "failed", files: [], error: { code: "EXPORT_FAILED" } });
  });
});
