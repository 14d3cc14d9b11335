/**
 * Node support for the client SDK (bots, tests, load generators): WebRTC from @roamhq/wrtc,
 * WebSocket from `ws`, and synthetic camera/microphone tracks.
 */
import WebSocket from "ws";
import type { RoomOptions } from "../client/room.js";
import type { WebSocketFactory } from "../client/signal-connection.js";

/** What to run when @roamhq/wrtc is missing: package.json's peer range (^0.10.0), written so no shell globs it. */
const WRTC_INSTALL_LINE = "npm install @roamhq/wrtc@0.10";

/**
 * @roamhq/wrtc is a native module the browser SDK never needs, so the package leaves it to the
 * apps that run Node bots; without it, importing this module fails with the line that fixes it.
 */
async function loadWrtc(): Promise<typeof import("@roamhq/wrtc")> {
  try {
    // a CommonJS module: its exports object is the namespace's default
    return ((await import("@roamhq/wrtc")) as unknown as { default: typeof import("@roamhq/wrtc") }).default;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if ((code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && String(err).includes("@roamhq/wrtc")) {
      throw new Error(`@parley/sdk/node needs @roamhq/wrtc (WebRTC for Node), an optional peer dependency: ${WRTC_INSTALL_LINE}`, {
        cause: err,
      });
    }
    throw err;
  }
}

const wrtc = await loadWrtc();

let installed = false;

/** Puts @roamhq/wrtc's classes where mediasoup-client looks for them. Returns Room options for Node. */
export function useNodeWebRTC(): Pick<RoomOptions, "WebSocket" | "handlerName"> {
  if (!installed) {
    const g = globalThis as Record<string, unknown>;
    for (const name of [
      "RTCPeerConnection",
      "RTCSessionDescription",
      "RTCIceCandidate",
      "MediaStream",
      "MediaStreamTrack",
      "RTCRtpSender",
      "RTCRtpReceiver",
      "RTCRtpTransceiver",
    ]) {
      g[name] ??= (wrtc as Record<string, unknown>)[name];
    }
    installed = true;
  }
  return { WebSocket: WebSocket as unknown as WebSocketFactory, handlerName: "Chrome111" };
}

export interface SyntheticTrack {
  track: MediaStreamTrack;
  stop(): void;
}

/**
 * A moving test pattern (I420) at the given size and rate: real frames for the encoder, so
 * receivers decode real video. A bright bar sweeps across so frames differ.
 */
export function syntheticVideo(options: { width?: number; height?: number; fps?: number } = {}): SyntheticTrack {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const fps = options.fps ?? 15;
  const source = new wrtc.nonstandard.RTCVideoSource();
  const track = source.createTrack();
  const ySize = width * height;
  const data = new Uint8Array(ySize * 1.5);
  data.fill(128, ySize); // neutral chroma
  let n = 0;
  const timer = setInterval(() => {
    const bar = (n * 8) % width;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) data[row + x] = Math.abs(x - bar) < 16 ? 235 : ((x + y + n) & 63) + 40;
    }
    source.onFrame({ width, height, data });
    n++;
  }, 1000 / fps);
  return {
    track: track as unknown as MediaStreamTrack,
    stop: () => {
      clearInterval(timer);
      track.stop();
    },
  };
}

/** A 440 Hz tone, 48 kHz mono, in 10 ms frames (what WebRTC's audio source expects). */
export function syntheticAudio(options: { frequency?: number } = {}): SyntheticTrack {
  const sampleRate = 48_000;
  const samples = sampleRate / 100;
  const source = new wrtc.nonstandard.RTCAudioSource();
  const track = source.createTrack();
  const frequency = options.frequency ?? 440;
  let t = 0;
  const timer = setInterval(() => {
    const pcm = new Int16Array(samples);
    for (let i = 0; i < samples; i++) pcm[i] = Math.round(Math.sin((2 * Math.PI * frequency * (t + i)) / sampleRate) * 8000);
    t += samples;
    source.onData({ samples: pcm, sampleRate, bitsPerSample: 16, channelCount: 1, numberOfFrames: samples });
  }, 10);
  return {
    track: track as unknown as MediaStreamTrack,
    stop: () => {
      clearInterval(timer);
      track.stop();
    },
  };
}
