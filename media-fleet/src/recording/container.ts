/**
 * Which container each codec is written to without transcoding. Matroska-family and Ogg containers
 * are written as a stream, so a file cut short by a crash still plays up to where it stopped — as
 * far as ffmpeg had written it: by default it holds a whole Ogg page or Matroska cluster (up to
 * seconds) in memory, and a SIGKILL lost the open segment entirely. The muxer options below write
 * every packet through and close a page/cluster at least every FLUSH_MS. (The SDP that tells ffmpeg
 * what arrives is written from the RtpIngest's consumer, rtp-ingest.ts.)
 */
export interface Container {
  /** ffmpeg muxer name for the segment muxer's `-segment_format`. */
  format: string;
  ext: string;
  /** For `-segment_format_options`: how often the muxer puts what it holds on disk. */
  flushOptions: string;
}

/** The most media a crash can take from the open segment, beyond what the kernel had not written. */
export const FLUSH_MS = 200;

const OGG = `flush_packets=1:page_duration=${FLUSH_MS * 1000}`; // page_duration is in µs
// A Matroska cluster is buffered whole (it carries a CRC-32), so clusters are kept short.
const MATROSKA = `flush_packets=1:cluster_time_limit=${FLUSH_MS}`;

const CONTAINERS: Record<string, Container> = {
  "audio/opus": { format: "ogg", ext: "ogg", flushOptions: OGG },
  "video/vp8": { format: "webm", ext: "webm", flushOptions: MATROSKA },
  "video/vp9": { format: "webm", ext: "webm", flushOptions: MATROSKA },
  "video/av1": { format: "webm", ext: "webm", flushOptions: MATROSKA },
  "video/h264": { format: "matroska", ext: "mkv", flushOptions: MATROSKA },
};

/** The container for a codec, or undefined when this node cannot record it as is (e.g. G.711). */
export function containerFor(mimeType: string): Container | undefined {
  return CONTAINERS[mimeType.toLowerCase()];
}

/** Short codec name for statuses: "opus", "VP8", … */
export function codecName(mimeType: string): string {
  return mimeType.split("/")[1] ?? mimeType;
}
