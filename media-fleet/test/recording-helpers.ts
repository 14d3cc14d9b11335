/** Shared bits of the recording tests: a node with a temp spool, event capture, ffprobe, hashing. */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { crc32, deflateSync } from "node:zlib";
import { isRecordingEvent, type RecordingEvent, type RecordingStatus } from "@parley/shared";
import { type TestNode, waitFor } from "./helpers.js";

const run = promisify(execFile);

export async function tempDir(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `parley-${name}-`));
}

/** Every recording event the node's manager emits, plus a waiter. */
export function recordingEvents(node: TestNode) {
  const events: RecordingEvent[] = [];
  node.service.recordings.on("event", (e) => {
    if (isRecordingEvent(e)) events.push(e);
  });
  return {
    events,
    wait<T extends RecordingEvent>(predicate: (e: RecordingEvent) => e is T, what: string, timeoutMs = 30_000): Promise<T> {
      return waitFor(() => events.find(predicate) as T | undefined, what, timeoutMs);
    },
  };
}

export const isEvent =
  <K extends RecordingEvent["type"]>(type: K, recordingId: string) =>
  (e: RecordingEvent): e is Extract<RecordingEvent, { type: K }> =>
    e.type === type && e.recordingId === recordingId;

/** Waits for `recording.available` (45 s), then answers the recording's status as the control API gives it. */
export async function finishedStatus(
  node: TestNode,
  room: string,
  id: string,
  rec: ReturnType<typeof recordingEvents>,
): Promise<RecordingStatus> {
  await rec.wait(isEvent("recording.available", id), `${id} available`, 45_000);
  return (await node.call("GET", `/rooms/${encodeURIComponent(room)}/recordings/${id}`, room)).json as RecordingStatus;
}

export async function ffprobe(path: string): Promise<{ codec: string; duration: number }> {
  const { stdout } = await run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name:format=duration", "-of", "json", path]);
  const json = JSON.parse(stdout) as { streams: { codec_name: string }[]; format: { duration?: string } };
  return { codec: json.streams[0]?.codec_name ?? "", duration: Number(json.format.duration ?? Number.NaN) };
}

/**
 * Seconds of media a player gets out of a file, from its packets' timestamps: a segment cut by a
 * crash has no duration in its header, but what was written still plays. 0 when nothing decodes.
 */
export async function playableSeconds(path: string): Promise<number> {
  const { stdout } = await run("ffprobe", ["-v", "error", "-show_entries", "packet=pts_time,duration_time", "-of", "csv=p=0", path]).catch(
    () => ({ stdout: "" }),
  );
  const packets = stdout
    .trim()
    .split("\n")
    .map((line) => line.split(",").map(Number))
    .filter(([pts]) => pts !== undefined && Number.isFinite(pts));
  if (packets.length === 0) return 0;
  const [first] = packets[0] as [number];
  const [last, lastDuration] = packets.at(-1) as [number, number];
  return last + (Number.isFinite(lastDuration) ? lastDuration : 0) - first;
}

/** The first video and audio stream of a file (codec, size) and its duration, as ffprobe reads them. */
export async function probeMedia(
  path: string,
): Promise<{ video?: string; audio?: string; width?: number; height?: number; duration: number }> {
  const { stdout } = await run("ffprobe", [
    ...["-v", "error", "-show_entries", "stream=codec_name,codec_type,width,height:format=duration", "-of", "json", path],
  ]);
  const json = JSON.parse(stdout) as {
    streams: { codec_name: string; codec_type: string; width?: number; height?: number }[];
    format: { duration: string };
  };
  const video = json.streams.find((s) => s.codec_type === "video");
  const audio = json.streams.find((s) => s.codec_type === "audio");
  return {
    ...(video ? { video: video.codec_name, width: video.width, height: video.height } : {}),
    ...(audio ? { audio: audio.codec_name } : {}),
    duration: Number(json.format.duration),
  };
}

export async function sha256(path: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

/** Groups a status's files by producer and sums their ffprobe durations. */
export function byTrack(status: RecordingStatus): Map<string, RecordingStatus["files"]> {
  const tracks = new Map<string, RecordingStatus["files"]>();
  for (const f of status.files) tracks.set(f.producerId, [...(tracks.get(f.producerId) ?? []), f]);
  for (const files of tracks.values()) files.sort((a, b) => a.segment - b.segment);
  return tracks;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Colour = "red" | "green" | "blue" | "grey";

/**
 * The dominant colour of an area of the frame at `at` seconds of a file (or the next frame of a live
 * stream, `at` undefined): the test publishers differ only in chroma.
 */
export async function colourAt(
  input: string,
  at: number | undefined,
  area: { x: number; y: number; w: number; h: number },
): Promise<Colour> {
  const { x, y, w, h } = area;
  const { stdout } = await run(
    "ffmpeg",
    [
      "-v",
      "error",
      ...(at === undefined ? [] : ["-ss", String(at)]),
      "-i",
      input,
      "-frames:v",
      "1",
      "-vf",
      `crop=${w}:${h}:${x}:${y},format=rgb24`,
      "-f",
      "rawvideo",
      "-",
    ],
    { encoding: "buffer", maxBuffer: 1 << 20, timeout: 20_000 },
  );
  const sums = [0, 0, 0];
  for (let i = 0; i < stdout.length; i++) sums[i % 3]! += stdout[i]!;
  const [r, g, b] = sums.map((v) => v / (stdout.length / 3)) as [number, number, number];
  // Black, grey or white: no channel stands out.
  if (Math.max(r, g, b) - Math.min(r, g, b) < 30) return "grey";
  return r >= g && r >= b ? "red" : g >= b ? "green" : "blue";
}

/** A `size`×`size` PNG of one opaque RGB colour (RGBA, 8 bits), for watermark tests. */
export function solidPng(size: number, [r, g, b]: readonly [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const row = Buffer.from([0, ...Array.from({ length: size }, () => [r, g, b, 255]).flat()]);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}
