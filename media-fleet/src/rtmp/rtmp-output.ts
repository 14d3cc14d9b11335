/**
 * What an RTMP push's ffmpeg writes (shared by the member and composite pipelines): H.264
 * (veryfast, zerolatency, a keyframe every 2 s as streaming services ask) + AAC 44.1 kHz stereo in
 * FLV; the push reads ffmpeg's progress (ffmpeg-progress.ts) to know when frames really leave.
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

/** `rtmp://host:port/…`: what may be logged or reported (the path holds the stream key). */
export function redactRtmpUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    // Not a URL: show nothing of it.
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
