/**
 * Exports of a finished per-track recording (issue 4): ffmpeg post-processing of the recording's
 * uploaded Opus segments, read back from NAS or downloaded from S3 first (export-sources.ts).
 *
 * Each audio track's segments are joined in segment order with the concat demuxer (segments were
 * cut with reset timestamps, so the demuxer lays them end to end), delayed by the track's start
 * offset on the recording's timeline (t = 0 is the earliest track start; offsets come from the
 * wall-clock time each track's consumer was resumed, accurate to a few tens of ms), then mixed with
 * amix (no normalisation, like the composite mix) and encoded. Every output file shares that
 * timeline, so a member who joined late starts with silence and per-member files line up.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ExportRequest } from "@parley/shared";
import type { FfmpegLauncher } from "./ffmpeg-process.js";

export type ExportKind = ExportRequest["kind"];
export type ExportFormat = ExportRequest["format"];

/** One recorded audio track: its segment files (absolute paths, in order) and where it starts. */
export interface ExportTrack {
  producerId: string;
  member?: string;
  offsetMs: number;
  files: string[];
}

/** One file an export wrote, relative to the export's folder. */
export interface ExportOutput {
  file: string;
  member?: string;
  codec: string;
}

const ENCODERS: Record<ExportFormat, { ext: string; codec: string; args: string[] }> = {
  wav: { ext: "wav", codec: "pcm_s16le", args: ["-c:a", "pcm_s16le", "-ar", "48000", "-ac", "2", "-f", "wav"] },
  aac: {
    ext: "m4a",
    codec: "aac",
    args: ["-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2", "-movflags", "+faststart", "-f", "ipod"],
  },
  pcma: { ext: "wav", codec: "pcm_alaw", args: ["-c:a", "pcm_alaw", "-ar", "8000", "-ac", "1", "-f", "wav"] },
  pcmu: { ext: "wav", codec: "pcm_mulaw", args: ["-c:a", "pcm_mulaw", "-ar", "8000", "-ac", "1", "-f", "wav"] },
};

/** Writes the export's files under `dir`; throws with ffmpeg's complaint when one fails. */
export async function runExport(o: {
  ffmpeg: FfmpegLauncher;
  dir: string;
  kind: ExportKind;
  format: ExportFormat;
  member?: string;
  tracks: ExportTrack[];
  /** Folder name for a member (same rule as the recording's folders). */
  folder: (member: string) => string;
}): Promise<ExportOutput[]> {
  const encoder = ENCODERS[o.format];
  const groups: { file: string; member?: string; tracks: ExportTrack[] }[] = [];
  if (o.kind === "mixed-audio") groups.push({ file: `mixed/room-audio-00000.${encoder.ext}`, tracks: o.tracks });
  else {
    const members = [...new Set(o.tracks.map((t) => t.member ?? "unknown"))].filter((m) => o.kind !== "member-audio" || m === o.member);
    const stem = o.kind === "member-audio" ? "member-audio" : `quality-${o.format}`;
    for (const member of members.sort())
      groups.push({
        file: `${o.folder(member)}/${stem}-00000.${encoder.ext}`,
        member,
        tracks: o.tracks.filter((t) => (t.member ?? "unknown") === member),
      });
  }
  const lists = join(o.dir, "lists");
  await mkdir(lists, { recursive: true });
  const out: ExportOutput[] = [];
  for (const group of groups) {
    const inputs: string[] = [];
    const filters: string[] = [];
    for (const [i, track] of group.tracks.entries()) {
      const list = join(lists, `${track.producerId}.txt`);
      await writeFile(list, concatList(track.files));
      // local files only, and each one must be Ogg (concatList): never a URL, a device or another playlist
      inputs.push("-f", "concat", "-safe", "0", "-protocol_whitelist", "file", "-format_whitelist", "concat", "-i", list);
      filters.push(`[${i}:a:0]aresample=48000,adelay=delays=${Math.max(0, Math.round(track.offsetMs))}:all=1[a${i}]`);
    }
    const n = group.tracks.length;
    const mix = `${group.tracks.map((_, i) => `[a${i}]`).join("")}amix=inputs=${n}:duration=longest:dropout_transition=0:normalize=0[out]`;
    await mkdir(join(o.dir, group.file, ".."), { recursive: true });
    await runFfmpeg(o.ffmpeg, [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", ...inputs],
      ...["-filter_complex", `${filters.join(";")};${mix}`, "-map", "[out]"],
      ...[...encoder.args, "-y", join(o.dir, group.file)],
    ]);
    out.push({ file: group.file, ...(group.member === undefined ? {} : { member: group.member }), codec: encoder.codec });
  }
  return out;
}

/**
 * An ffconcat list of the track's segments (absolute paths, so `-safe 0`), each pinned to the Ogg
 * demuxer with its own `option format_whitelist`. A path with a control character could break
 * out of its line into a directive of its own: refused.
 */
export function concatList(files: readonly string[]): string {
  const lines = ["ffconcat version 1.0"];
  for (const f of files) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(f)) throw new Error(`segment path ${JSON.stringify(f)} has a control character`);
    lines.push(`file '${f.replaceAll("'", "'\\''")}'`, "option format_whitelist ogg");
  }
  return `${lines.join("\n")}\n`;
}

function runFfmpeg(ffmpeg: FfmpegLauncher, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = ffmpeg.spawn(args, ["ignore", "ignore", "pipe"]);
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => {
      stderr = (stderr + c.toString("utf8")).slice(-2000);
    });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${stderr.trim().slice(-400)}`))));
  });
}
