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
  let response: Response;
  try {
    response = await fetch(url!, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: "follow" });
  } catch (error) {
    throw new ParleyError("WATERMARK_UNREADABLE", `watermark ${i}: could not fetch ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new ParleyError("WATERMARK_UNREADABLE", `watermark ${i}: ${url} answered ${response.status}`);
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > COMPOSITE_LIMITS.maxImageBytes)
    throw new ParleyError("WATERMARK_UNREADABLE", `watermark ${i}: image is larger than ${COMPOSITE_LIMITS.maxImageBytes} bytes`);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > COMPOSITE_LIMITS.maxImageBytes)
    throw new ParleyError("WATERMARK_UNREADABLE", `watermark ${i}: image is larger than ${COMPOSITE_LIMITS.maxImageBytes} bytes`);
  return bytes;
}

/** ffmpeg decodes the image once; anything it cannot decode without error is refused. */
async function checkDecodable(file: string, i: number, ffmpegPath: string): Promise<void> {
  try {
    // -xerror: a corrupt chunk fails the run instead of yielding a blank picture.
    await run(ffmpegPath, ["-v", "error", "-xerror", "-i", file, "-frames:v", "1", "-f", "null", "-"], { timeout: FETCH_TIMEOUT_MS });
  } catch (error) {
    const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split("\n")[0];
    throw new ParleyError("WATERMARK_UNREADABLE", `watermark ${i}: the image cannot be decoded (${detail})`);
  }
}
