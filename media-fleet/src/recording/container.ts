/**
 * Which container each codec is written to without transcoding. Matroska-family and Ogg containers
 * are written as a stream, so a file cut short by a crash still plays up to where it stopped. (The
 * SDP that tells ffmpeg what arrives is written from the RtpIngest's consumer, rtp-ingest.ts.)
 */
export interface Container {
  /** ffmpeg muxer name for the segment muxer's `-segment_format`. */
  format: string;
  ext: string;
}

const CONTAINERS: Record<string, Container> = {
  "audio/opus": { format: "ogg", ext: "ogg" },
  "video/vp8": { format: "webm", ext: "webm" },
  "video/vp9": { format: "webm", ext: "webm" },
  "video/av1": { format: "webm", ext: "webm" },
  "video/h264": { format: "matroska", ext: "mkv" },
};

/** The container for a codec, or undefined when this node cannot record it as is (e.g. G.711). */
export function containerFor(mimeType: string): Container | undefined {
  return CONTAINERS[mimeType.toLowerCase()];
}

/** Short codec name for statuses: "opus", "VP8", … */
export function codecName(mimeType: string): string {
  return mimeType.split("/")[1] ?? mimeType;
}
