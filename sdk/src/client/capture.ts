/** What each kind of published track is captured and encoded with. */
import { ParleyError } from "@parley/shared";
import { type CallModeSettings, type Resolution, simulcastEncodings } from "./call-modes.js";
import type { ProduceOptions } from "./media-session.js";

export interface CameraOptions {
  deviceId?: string;
  resolution?: Resolution;
  simulcast?: boolean;
  codec?: "VP8" | "VP9" | "H264" | "AV1";
  track?: MediaStreamTrack;
}

export async function captureCamera(mode: CallModeSettings, options: CameraOptions): Promise<MediaStreamTrack> {
  if (options.track) return options.track;
  const res = options.resolution ?? mode.resolution;
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: res.width, height: res.height, frameRate: mode.frameRate, deviceId: options.deviceId },
  });
  const track = stream.getVideoTracks()[0];
  if (!track) throw new ParleyError("INVALID_REQUEST", "no camera track");
  return track;
}

/** VP9/AV1: one SVC stream (L3T3); otherwise simulcast from the call mode unless turned off. */
export function cameraProduceOptions(mode: CallModeSettings, options: CameraOptions): ProduceOptions {
  const top = mode.layerBitrates.at(-1);
  const svc = options.codec === "VP9" || options.codec === "AV1";
  const encodings = svc
    ? [{ scalabilityMode: "L3T3_KEY", maxBitrate: top }]
    : options.simulcast === false
      ? [{ maxBitrate: top, maxFramerate: mode.frameRate }]
      : simulcastEncodings(mode);
  return {
    encodings,
    codecMimeType: options.codec ? `video/${options.codec}` : undefined,
    codecOptions: { videoGoogleStartBitrate: 1000 },
  };
}

export async function captureMicrophone(options: { deviceId?: string; track?: MediaStreamTrack }): Promise<MediaStreamTrack> {
  if (options.track) return options.track;
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { deviceId: options.deviceId, echoCancellation: true, noiseSuppression: true },
  });
  const track = stream.getAudioTracks()[0];
  if (!track) throw new ParleyError("INVALID_REQUEST", "no microphone track");
  return track;
}

export const MICROPHONE_OPTIONS: ProduceOptions = { codecOptions: { opusFec: true, opusDtx: true, opusStereo: false } };

export async function captureScreen(options: { track?: MediaStreamTrack }): Promise<MediaStreamTrack> {
  if (options.track) return options.track;
  const track = (await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 } })).getVideoTracks()[0];
  if (!track) throw new ParleyError("INVALID_REQUEST", "no screen track");
  return track;
}

export const SCREEN_OPTIONS: ProduceOptions = { encodings: [{ maxBitrate: 1_500_000, scalabilityMode: "L1T3" }] };
