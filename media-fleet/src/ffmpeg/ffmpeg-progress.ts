/**
 * ffmpeg's `-progress` report on stdout: how RTMP pushes know frames really leave, how the speaker
 * layout knows its filter graph is up, and what the recording benchmark reads ffmpeg's speed from.
 */

/** Progress on stdout, twice a second (`frame=N` lines). */
export const PROGRESS_ARGS = ["-progress", "pipe:1", "-stats_period", "0.5"];

/** One block of ffmpeg's `-progress` report: frames out so far, media time out, and ffmpeg's own speed (media time / wall time since start). */
export interface FfmpegProgress {
  frame: number;
  outTimeMs: number;
  /** ffmpeg's `speed=`; NaN while it reports N/A. */
  speed: number;
}

/**
 * Calls `onProgress` with each block ffmpeg reports on `stream` (key=value lines ending in
 * `progress=continue` or `progress=end`).
 */
export function watchProgress(stream: NodeJS.ReadableStream | null | undefined, onProgress: (progress: FfmpegProgress) => void): void {
  let buffered = "";
  let block: FfmpegProgress = { frame: 0, outTimeMs: 0, speed: Number.NaN };
  stream?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      const [key, value = ""] = line.trim().split("=", 2);
      if (key === "frame") block.frame = Number(value);
      // out_time_us is the non-deprecated name; out_time_ms is in microseconds too (an old ffmpeg misnomer).
      else if (key === "out_time_us" && /^\d+$/.test(value)) block.outTimeMs = Number(value) / 1000;
      else if (key === "speed") block.speed = Number.parseFloat(value);
      else if (key === "progress") {
        onProgress(block);
        block = { ...block, speed: Number.NaN };
      }
    }
  });
}
