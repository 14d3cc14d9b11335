/**
 * Turns a composite's watermarks into what the filter graph reads: text and timestamp formats as
 * files (drawtext `textfile=`, so no user text ever needs filter-graph escaping) and images as PNG
 * files checked with ffprobe. Done once when the recording starts, so an unreadable image refuses
 * the start with WATERMARK_UNREADABLE instead of failing later inside ffmpeg.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { COMPOSITE_LIMITS, type CompositeOptions, ParleyError } from "@parley/shared";
import { getPublicBytes, OutboundGetError } from "../outbound/guarded-get.js";
import type { PreparedWatermark } from "./composite-layout.js";

const run = promisify(execFile);
const FETCH_TIMEOUT_MS = 5000;

/** A watermark checked and on disk; text keeps its template, completed per ffmpeg run. */
export type WatermarkAsset =
  | { kind: "text"; template: string; x: number; y: number; size: number; color: string }
  | { kind: "image"; file: string; x: number; y: number; width: number; height: number };

export async function prepareWatermarks(options: CompositeOptions, dir: string, ffmpegPath: string): Promise<WatermarkAsset[]> {
  const out: WatermarkAsset[] = [];
  for (const [i, w] of options.watermarks.entries()) {
    if (w.kind === "image") {
      const file = join(dir, `watermark-${i}.png`);
      await writeFile(file, await imageBytes(w.url, w.png, i));
      await checkDecodable(file, i, ffmpegPath);
      out.push({ kind: "image", file, x: w.x, y: w.y, width: w.width, height: w.height });
      continue;
    }
    // drawtext expands %{…}: a literal % in customer text is doubled so it cannot call a function.
    const template = w.kind === "text" ? w.text.replaceAll("\\", "\\\\").replaceAll("%", "%%") : TIMESTAMP;
    out.push({ kind: "text", template, x: w.x, y: w.y, size: w.size, color: w.color ?? "white" });
  }
  return out;
}

/**
 * The running timestamp: wall-clock UTC of each frame, from the frame's time in the run plus the
 * wall clock when that ffmpeg run started ({START}, filled in per run).
 */
const TIMESTAMP = "%{pts:gmtime:{START}:%Y-%m-%d %H\\:%M\\:%S} UTC";

/**
 * Writes this run's text files and numbers the image inputs (ffmpeg inputs after the SDP, one
 * `-loop 1 -i` each, from `firstInput`). Returns the graph's watermarks and the image files in order.
 */
export async function runWatermarks(
  assets: WatermarkAsset[],
  dir: string,
  startSeconds: number,
  firstInput: number,
): Promise<{ watermarks: PreparedWatermark[]; images: string[] }> {
  const watermarks: PreparedWatermark[] = [];
  const images: string[] = [];
  for (const [i, a] of assets.entries()) {
    if (a.kind === "image") {
      watermarks.push({ kind: "image", input: firstInput + images.length, x: a.x, y: a.y, width: a.width, height: a.height });
      images.push(a.file);
      continue;
    }
    const textFile = join(dir, `watermark-${i}.txt`);
    await writeFile(textFile, a.template.replaceAll("{START}", startSeconds.toFixed(3)));
    watermarks.push({ kind: "text", textFile, x: a.x, y: a.y, size: a.size, color: a.color });
  }
  return { watermarks, images };
}

async function imageBytes(url: string | undefined, png: string | undefined, i: number): Promise<Buffer> {
  if (png !== undefined) return Buffer.from(png, "base64");
  // Every hop checked by the outbound policy; the message never carries what the server sent.
  try {
    return await getPublicBytes(url!, {
      field: `watermarks.${i}.url`,
      maxBytes: COMPOSITE_LIMITS.maxImageBytes,
      timeoutMs: FETCH_TIMEOUT_MS,
    });
  } catch (error) {
    if (error instanceof OutboundGetError)
      throw new ParleyError("WATERMARK_UNREADABLE", `watermark ${i}: could not fetch the image: ${error.message}`);
    throw error;
  }
}

/** ffmpeg decodes the image once; anything it cannot decode without error is refused. */
async function checkDecodable(file: string, i: number, ffmpegPath: string): Promise<void> {
  try {
    // -xerror: a corrupt chunk fails the run instead of yielding a blank picture. Only image demuxers
    // and local files: ffmpeg would otherwise probe a fetched HLS playlist by its content and follow it.
    const inputOnly = ["-protocol_whitelist", "file", "-format_whitelist", "image2,png_pipe,jpeg_pipe"];
    await run(ffmpegPath, ["-v", "error", "-xerror", ...inputOnly, "-i", file, "-frames:v", "1", "-f", "null", "-"], {
      timeout: FETCH_TIMEOUT_MS,
    });
  } catch {
    // ffmpeg's complaint can quote the file's first bytes (a PNG signature error prints them): not echoed.
    throw new ParleyError("WATERMARK_UNREADABLE", `watermark ${i}: the image cannot be decoded`);
  }
}
