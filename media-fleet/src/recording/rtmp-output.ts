/**
 * What an RTMP push's ffmpeg writes (shared by the member and composite pipelines): H.264
 * (veryfast, zerolatency, a keyframe every 2 s as streaming services ask) + AAC 44.1 kHz stereo in
 * FLV, and ffmpeg's progress on stdout so the push knows when frames really leave.
 */
import type { RtmpOutput } from "../outbound/pinned-rtmp.js";

export const KEYFRAME_SECONDS = 2;

/** Encoder + muxer args to the checked output (pinned-rtmp.ts); the caller has already mapped one video and one audio stream. */
export function flvOutputArgs(output: RtmpOutput, o: { fps?: number; videoKbps: number; audioKbps: number }): string[] {
  const { videoKbps, audioKbps } = o;
  return [
    ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p"],
    ...(o.fps === undefined ? [] : ["-r", String(o.fps)]),
    ...["-b:v", `${videoKbps}k`, "-maxrate", `${videoKbps}k`, "-bufsize", `${videoKbps * 2}k`],
    ...["-g", String((o.fps ?? 30) * KEYFRAME_SECONDS), "-force_key_frames", `expr:gte(t,n_forced*${KEYFRAME_SECONDS})`],
    ...["-c:a", "aac", "-b:a", `${audioKbps}k`, "-ar", "44100", "-ac", "2"],
    // A server that stops reading fails the write within 10 s instead of hanging the push.
    ...["-rw_timeout", "10000000", ...output.options, "-flvflags", "no_duration_filesize", "-f", "flv", output.url],
  ];
}

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

/** `rtmp://host:port/…`: what may be logged or reported (the path holds the stream key). */
export function redactRtmpUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return "rtmp://?/…";
  }
}

/** ffmpeg's stderr names the URL in its errors: everything after the host is cut out. */
export function scrubUrl(text: string, url: string): string {
  let out = text.replaceAll(url, redactRtmpUrl(url));
  try {
    const path = new URL(url).pathname;
    if (path.length > 1) out = out.replaceAll(path, "/…");
  } catch {
    // not a URL: nothing more to hide
  }
  return out;
}
