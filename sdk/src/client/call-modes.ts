/**
 * Call modes trade smoothness against clarity. Each picks a capture resolution, frame rate and
 * the bitrate ceiling per simulcast layer (low → high).
 */
export type CallMode = "smooth" | "balanced" | "clear";

export interface Resolution {
  width: number;
  height: number;
}

/** Pre-call capture resolutions a user may pick. */
export const RESOLUTIONS = {
  "128x96": { width: 128, height: 96 },
  "320x180": { width: 320, height: 180 },
  "320x240": { width: 320, height: 240 },
  "640x360": { width: 640, height: 360 },
  "640x480": { width: 640, height: 480 },
  "960x540": { width: 960, height: 540 },
  "1280x720": { width: 1280, height: 720 },
  "1920x1080": { width: 1920, height: 1080 },
} as const satisfies Record<string, Resolution>;
export type ResolutionName = keyof typeof RESOLUTIONS;

export interface CallModeSettings {
  resolution: Resolution;
  frameRate: number;
  /** Max bitrate of each simulcast layer, lowest first (bits/s). */
  layerBitrates: number[];
  /** How the encoder should degrade under pressure. */
  degradationPreference: "maintain-framerate" | "balanced" | "maintain-resolution";
}

export const CALL_MODES: Record<CallMode, CallModeSettings> = {
  smooth: {
    resolution: RESOLUTIONS["640x360"],
    frameRate: 30,
    layerBitrates: [100_000, 300_000, 600_000],
    degradationPreference: "maintain-framerate",
  },
  balanced: {
    resolution: RESOLUTIONS["960x540"],
    frameRate: 24,
    layerBitrates: [150_000, 500_000, 1_200_000],
    degradationPreference: "balanced",
  },
  clear: {
    resolution: RESOLUTIONS["1280x720"],
    frameRate: 15,
    layerBitrates: [200_000, 700_000, 2_500_000],
    degradationPreference: "maintain-resolution",
  },
};

/** Simulcast encodings for a capture: each layer halves the resolution of the one above. */
export function simulcastEncodings(mode: CallModeSettings, layers = 3) {
  const n = Math.max(1, Math.min(3, layers));
  return mode.layerBitrates.slice(-n).map((maxBitrate, i) => ({
    rid: `r${i}`,
    scaleResolutionDownBy: 2 ** (n - 1 - i),
    maxBitrate,
    maxFramerate: mode.frameRate,
    scalabilityMode: "L1T3",
  }));
}
