/**
 * A snapshot: one JPEG of one video producer as it is now. The producer is consumed over an
 * RtpFeed for a moment, ffmpeg decodes the first whole picture (keyframes are asked for until one
 * comes) and writes it at the producer's own resolution; then everything is torn down. The file is
 * stored by Recording like a one-segment recording.
 */
import type { ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ParleyError } from "@parley/shared";
import type { types } from "mediasoup";
import { type FfmpegLauncher, stderrTail } from "../ffmpeg/ffmpeg-process.js";
import type { PortPairs } from "../ffmpeg/ports.js";
import { RtpFeed } from "../ffmpeg/rtp-feed.js";
import type { TrackInfo } from "./capture.js";
import { safeName } from "./safe-name.js";

const SNAPSHOT_TIMEOUT_MS = 8000;
const KEYFRAME_EVERY_MS = 500;

/** How a snapshot of `producer` is filed: one JPEG under its member's folder. */
export function snapshotTrack(producer: types.Producer): TrackInfo {
  const member = typeof producer.appData.member === "string" ? producer.appData.member : undefined;
  return {
    producerId: producer.id,
    ...(member ? { member } : {}),
    kind: "video",
    codec: "jpeg",
    dir: safeName(member ?? "unknown"),
    stem: `${producer.id}-snapshot`,
    ext: "jpg",
  };
}

/** Writes `<dir>/<name>` (a JPEG) from the producer's next decodable frame; SNAPSHOT_FAILED when none comes. */
export async function takeJpeg(o: {
  router: types.Router;
  producer: types.Producer;
  dir: string;
  name: string;
  ports: PortPairs;
  ffmpeg: FfmpegLauncher;
}): Promise<void> {
  if (o.producer.kind !== "video") throw new ParleyError("SNAPSHOT_FAILED", `producer ${o.producer.id} is not video`);
  await mkdir(o.dir, { recursive: true });
  const feed = await RtpFeed.open(o.router, [o.producer], o.ports);
  const sdpPath = join(o.dir, `${o.name}.sdp`);
  let ffmpeg: ChildProcess | undefined;
  try {
    await feed.writeSdp(sdpPath);
    ffmpeg = o.ffmpeg.spawn(
      [
        ...["-hide_banner", "-nostdin", "-loglevel", "error"],
        ...["-protocol_whitelist", "file,udp,rtp", "-reorder_queue_size", "64", "-i", sdpPath],
        // The first decodable frame, at the sender's resolution; q 3 ≈ high-quality JPEG.
        ...["-map", "0:v:0", "-frames:v", "1", "-q:v", "3", "-f", "image2", "-update", "1", "-y", join(o.dir, o.name)],
      ],
      ["ignore", "ignore", "pipe"],
    );
    const child = ffmpeg;
    const stderr = stderrTail(child, 2000);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const failed = (why: string) =>
      new ParleyError("SNAPSHOT_FAILED", `no picture from producer ${o.producer.id}: ${why} ${stderr().trim().slice(-200)}`.trim());
    try {
      await feed.start(child, stderr);
    } catch (error) {
      throw failed((error as Error).message);
    }
    feed.keyframesEvery(KEYFRAME_EVERY_MS);
    const killer = setTimeout(() => child.kill("SIGKILL"), SNAPSHOT_TIMEOUT_MS);
    const code = await exited;
    clearTimeout(killer);
    if (code !== 0) throw failed(`none within ${SNAPSHOT_TIMEOUT_MS} ms`);
  } finally {
    feed.close(ffmpeg);
  }
}
