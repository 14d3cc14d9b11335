/**
 * Exports feed ffmpeg only the segment files the recorder names, with real ffmpeg and a real node:
 * a manifest (it lives in the tenant's storage) naming any other file is refused before ffmpeg
 * runs; the concat demuxer reads local files only, each pinned to Ogg, so a WAV named like a
 * segment is not decoded.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { RecordingManifest } from "@parley/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExport } from "../src/recording/exporter.js";
import { FfmpegLauncher } from "../src/recording/ffmpeg-process.js";
import { safeName } from "../src/recording/safe-name.js";
import { startTestNode, type TestNode } from "./helpers.js";
import { ffprobe, tempDir } from "./recording-helpers.js";

const run = promisify(execFile);
const ROOM = "ak_test:export-names";
const R = `/rooms/${encodeURIComponent(ROOM)}`;
const PRODUCER = "6f1c8a52-94a4-4c1e-9d51-2b7d0c3a9e10";

/** ffmpeg, with every argv it was started with. */
class RecordingLauncher extends FfmpegLauncher {
  readonly argvs: string[][] = [];
  override spawn(args: string[], stdio: Parameters<FfmpegLauncher["spawn"]>[1]) {
    this.argvs.push(args);
    return super.spawn(args, stdio);
  }
}

async function tone(path: string, format: "ogg" | "wav"): Promise<void> {
  const codec = format === "ogg" ? ["-c:a", "libopus", "-f", "ogg"] : ["-f", "wav"];
  await run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=f=440:d=1", ...codec, path]);
}

let node: TestNode;
let nas: string;

beforeAll(async () => {
  nas = await tempDir("export-names-nas");
  node = await startTestNode({
    rtcBasePort: 22320,
    numWorkers: 1,
    env: {
      SPOOL_DIR: await tempDir("export-names-spool"),
      NAS_PATH: nas,
      SPOOL_MIN_FREE_BYTES: "0",
      RECORDING_MIN_PORT: "42150",
      RECORDING_MAX_PORT: "42159",
    },
  });
});
afterAll(async () => {
  await node?.stop();
});

/** A finished recording in the node's NAS folder whose manifest names `file` (a real audio file is written there). */
async function storedRecording(id: string, file: string, format: "ogg" | "wav"): Promise<void> {
  const dir = join(nas, ROOM, id);
  await mkdir(join(dir, file, ".."), { recursive: true });
  await tone(join(dir, file), format);
  const bytes = await readFile(join(dir, file));
  const manifest = RecordingManifest.parse({
    version: 1,
    recordingId: id,
    room: ROOM,
    mode: "tracks",
    segmentSeconds: 5,
    startedAt: Date.now() - 10_000,
    stoppedAt: Date.now() - 5000,
    tracks: [{ producerId: PRODUCER, member: "m_alice", kind: "audio", codec: "opus", startedAt: Date.now() - 10_000 }],
    files: [
      {
        file,
        producerId: PRODUCER,
        segment: 0,
        bytes: bytes.length,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        location: join(dir, file),
      },
    ],
  });
  await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest));
}

describe("export inputs", () => {
  it("refuses a manifest that names a file the recorder would not have written", async () => {
    for (const [id, file] of [
      ["rec-names-wav", "m_alice/notes.wav"],
      ["rec-names-folder", `other/${PRODUCER}-audio-00000.ogg`],
      ["rec-names-stem", `m_alice/${PRODUCER}-video-00000.ogg`],
    ] as const) {
      await storedRecording(id, file, file.endsWith(".wav") ? "wav" : "ogg");
      const refused = await node.call("POST", `${R}/recordings/${id}/exports`, ROOM, {
        exportId: `exp-${id}`,
        kind: "mixed-audio",
        format: "wav",
      });
      expect(refused.status, file).toBe(422);
      expect(refused.json.error).toMatchObject({ code: "RECORDING_MANIFEST_INVALID" });
      expect(refused.json.error.message).toContain("is not a segment name the recorder writes");
    }
    // the recorder's own name for the same audio is exported
    await storedRecording("rec-names-ok", `m_alice/${PRODUCER}-audio-00000.ogg`, "ogg");
    const ok = await node.call("POST", `${R}/recordings/rec-names-ok/exports`, ROOM, {
      exportId: "exp-names-ok",
      kind: "mixed-audio",
      format: "wav",
    });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
  });

  it("runs ffmpeg's concat demuxer on local files only, each pinned to Ogg", async () => {
    const dir = await tempDir("export-names-run");
    const folder = safeName("m_alice");
    const good = join(dir, "src", folder, `${PRODUCER}-audio-00000.ogg`);
    const disguised = join(dir, "src", folder, `${PRODUCER}-audio-00001.ogg`);
    await mkdir(join(good, ".."), { recursive: true });
    await tone(good, "ogg");
    await tone(disguised, "wav");
    const ffmpeg = new RecordingLauncher("ffmpeg");
    const track = { producerId: PRODUCER, member: "m_alice", offsetMs: 0 };
    const out = await runExport({
      ffmpeg,
      dir,
      kind: "mixed-audio",
      format: "wav",
      tracks: [{ ...track, files: [good] }],
      folder: safeName,
    });
    expect((await ffprobe(join(dir, out[0]!.file))).codec).toBe("pcm_s16le");

    const argv = ffmpeg.argvs[0]!;
    const input = argv.indexOf("-i");
    expect(argv.slice(input - 8, input)).toEqual([
      "-f",
      "concat",
      "-safe",
      "0",
      "-protocol_whitelist",
      "file",
      "-format_whitelist",
      "concat",
    ]);
    const list = await readFile(argv[input + 1]!, "utf8");
    expect(list).toBe(`ffconcat version 1.0\nfile '${good}'\noption format_whitelist ogg\n`);

    // a WAV under a segment's name is not Ogg: ffmpeg refuses to open it
    await expect(
      runExport({ ffmpeg, dir, kind: "mixed-audio", format: "wav", tracks: [{ ...track, files: [disguised] }], folder: safeName }),
    ).rejects.toThrow(/not on whitelist/);
    // a path that would break out of its line in the list never reaches ffmpeg
    const runs = ffmpeg.argvs.length;
    await expect(
      runExport({
        ffmpeg,
        dir,
        kind: "mixed-audio",
        format: "wav",
        tracks: [{ ...track, files: [`${good}\nfile '/etc/passwd'`] }],
        folder: safeName,
      }),
    ).rejects.toThrow(/control character/);
    expect(ffmpeg.argvs.length).toBe(runs);
  });
});
