/**
 * The codecs every room's router offers. mediasoup adds the RTCP feedback it supports (NACK, PLI,
 * FIR, goog-remb, transport-cc) to each of these, so feedback is on without listing it here.
 */
import type { types } from "mediasoup";

const VIDEO_START_BITRATE = { "x-google-start-bitrate": 1000 };

export const MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  // Opus: in-band FEC and DTX keep calls intelligible and cheap on weak networks.
  { kind: "audio", mimeType: "audio/opus", clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } },
  // G.711 and G.722 for SIP gateways, which rarely speak Opus.
  { kind: "audio", mimeType: "audio/PCMU", clockRate: 8000 },
  { kind: "audio", mimeType: "audio/PCMA", clockRate: 8000 },
  { kind: "audio", mimeType: "audio/G722", clockRate: 8000 },
  { kind: "video", mimeType: "video/VP8", clockRate: 90000, parameters: { ...VIDEO_START_BITRATE } },
  // VP9 profile 0 (8-bit) and 2 (10-bit); both carry SVC (scalabilityMode on the encoding).
  { kind: "video", mimeType: "video/VP9", clockRate: 90000, parameters: { "profile-id": 0, ...VIDEO_START_BITRATE } },
  { kind: "video", mimeType: "video/VP9", clockRate: 90000, parameters: { "profile-id": 2, ...VIDEO_START_BITRATE } },
  // H264: constrained baseline (what Safari and hardware encoders simulcast), baseline and main.
  // packetization-mode 1 is what every browser sends; level-asymmetry lets each side pick its level.
  ...["42e01f", "42001f", "4d001f"].map(
    (profileLevelId): types.RouterRtpCodecCapability => ({
      kind: "video",
      mimeType: "video/H264",
      clockRate: 90000,
      parameters: { "packetization-mode": 1, "profile-level-id": profileLevelId, "level-asymmetry-allowed": 1, ...VIDEO_START_BITRATE },
    }),
  ),
  { kind: "video", mimeType: "video/AV1", clockRate: 90000, parameters: { ...VIDEO_START_BITRATE } },
];
