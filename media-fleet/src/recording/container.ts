/**
 * Which container each codec is written to without transcoding, and the SDP that tells ffmpeg what
 * arrives on its RTP port. Matroska-family and Ogg containers are written as a stream, so a file cut
 * short by a crash still plays up to where it stopped.
 */
import type { types } from "mediasoup";

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

/** SDP for ffmpeg: one m-line with the consumer's codec, RTP on `port`, RTCP on `port + 1`. */
export function sdpFor(kind: "audio" | "video", codec: types.RtpCodecParameters, port: number): string {
  const name = codecName(codec.mimeType);
  const rate = codec.channels && codec.channels > 1 ? `${codec.clockRate}/${codec.channels}` : `${codec.clockRate}`;
  const fmtp = Object.entries(codec.parameters ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(";");
  return `${[
    "v=0",
    "o=- 0 0 IN IP4 127.0.0.1",
    "s=parley-recording",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=${kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtcp:${port + 1}`,
    `a=rtpmap:${codec.payloadType} ${name}/${rate}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    "a=recvonly",
  ].join("\n")}\n`;
}
