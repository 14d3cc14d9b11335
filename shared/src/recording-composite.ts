/**
 * Composite recordings and snapshots (issue 4): the options a start request may carry in
 * `composite` (one mixed mp4 of the whole room), and the snapshot request. The edge merges the
 * app's defaults with the customer's request and sends the result; every field has a default here
 * too, so `{mode: "composite"}` alone records a 1280x720 grid.
 */
import * as z from "zod";
import { MemberTag } from "./control.js";
import { ParleyError } from "./errors.js";

export const COMPOSITE_LIMITS = {
  maxWidth: 1920,
  maxHeight: 1080,
  minSide: 64,
  minFps: 1,
  maxFps: 30,
  minVideoKbps: 100,
  maxVideoKbps: 8000,
  minAudioKbps: 16,
  maxAudioKbps: 320,
  maxWatermarks: 8,
  maxTextChars: 200,
  /** Decoded PNG bytes: a base64 image must fit in a control call (128 KiB bodies). */
  maxImageBytes: 64 * 1024,
} as const;

export const COMPOSITE_DEFAULTS = {
  layout: "grid",
  width: 1280,
  height: 720,
  fps: 15,
  videoBitrate: 1500,
  audioBitrate: 64,
} as const;

export const COMPOSITE_LAYOUTS = ["grid", "speaker", "single"] as const;
export type CompositeLayout = (typeof COMPOSITE_LAYOUTS)[number];

const Coord = z.number().int().min(0).max(COMPOSITE_LIMITS.maxWidth);
const FontSize = z.number().int().min(6).max(200);
const Color = z
  .string()
  .regex(/^(#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?|[a-z]{3,20})$/, "color is #RRGGBB, #RRGGBBAA or a colour name such as white");

const TextWatermark = z
  .object({
    kind: z.literal("text"),
    text: z.string().min(1).max(COMPOSITE_LIMITS.maxTextChars),
    x: Coord,
    y: Coord,
    /** Font size in pixels. */
    size: FontSize,
    color: Color.optional(),
  })
  .strict();

/** PNG signature, checked on the decoded bytes so a wrong file is refused before any ffmpeg runs. */
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function decodedPng(base64: string): Uint8Array | undefined {
  try {
    const bin = atob(base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

const ImageWatermark = z
  .object({
    kind: z.literal("image"),
    /** An http(s) URL the node fetches at start (at most maxImageBytes), or… */
    url: z
      .url({ protocol: /^https?$/, error: "image url must be http or https" })
      .max(1024)
      .optional(),
    /** …a base64 PNG. Exactly one of the two. */
    png: z
      .string()
      .max(Math.ceil(COMPOSITE_LIMITS.maxImageBytes / 3) * 4 + 4, "image is larger than 64 KiB")
      .optional(),
    x: Coord,
    y: Coord,
    width: z.number().int().min(1).max(COMPOSITE_LIMITS.maxWidth),
    height: z.number().int().min(1).max(COMPOSITE_LIMITS.maxHeight),
  })
  .strict()
  .superRefine((w, ctx) => {
    if ((w.url === undefined) === (w.png === undefined))
      ctx.addIssue({ code: "custom", message: "an image watermark needs exactly one of url or png", path: ["url"] });
    if (w.png !== undefined) {
      const bytes = decodedPng(w.png);
      if (!bytes || PNG_MAGIC.some((b, i) => bytes[i] !== b))
        ctx.addIssue({ code: "custom", message: "image png is not a base64 PNG file", path: ["png"] });
    }
  });

const TimestampWatermark = z.object({ kind: z.literal("timestamp"), x: Coord, y: Coord, size: FontSize, color: Color.optional() }).strict();

export const Watermark = z.discriminatedUnion("kind", [TextWatermark, ImageWatermark, TimestampWatermark], {
  error: "watermark kind must be text, image or timestamp",
});
export type Watermark = z.infer<typeof Watermark>;

/** Each option, checked on its own and without a default. */
const COMPOSITE_FIELDS = {
  layout: z.enum(COMPOSITE_LAYOUTS, { error: (i) => `unknown layout ${JSON.stringify(i.input)}; use grid, speaker or single` }),
  width: z.number().int().min(COMPOSITE_LIMITS.minSide),
  height: z.number().int().min(COMPOSITE_LIMITS.minSide),
  fps: z.number().int().min(COMPOSITE_LIMITS.minFps).max(COMPOSITE_LIMITS.maxFps),
  /** kbit/s. */
  videoBitrate: z.number().int().min(COMPOSITE_LIMITS.minVideoKbps).max(COMPOSITE_LIMITS.maxVideoKbps),
  /** kbit/s. */
  audioBitrate: z.number().int().min(COMPOSITE_LIMITS.minAudioKbps).max(COMPOSITE_LIMITS.maxAudioKbps),
  /** Layout "single": whose video fills the canvas (the first member with video if omitted or absent). */
  single: MemberTag,
  watermarks: z.array(Watermark).max(COMPOSITE_LIMITS.maxWatermarks),
};

/** Canvas checks across fields; on partial options, only those whose fields are present. */
function checkCanvas(
  o: { width?: number; height?: number; watermarks?: { x: number; y: number }[] },
  ctx: { addIssue: (issue: { code: "custom"; message: string; path: (string | number)[] }) => void },
): void {
  const { maxWidth, maxHeight } = COMPOSITE_LIMITS;
  const w = o.width;
  const h = o.height;
  // a partial canvas (one side given) is named by that side
  const canvas = w !== undefined && h !== undefined ? `canvas ${w}x${h}` : w !== undefined ? `canvas width ${w}` : `canvas height ${h}`;
  const limit = w !== undefined && h !== undefined ? `${maxWidth}x${maxHeight}` : w !== undefined ? `${maxWidth}` : `${maxHeight}`;
  if ((w ?? 0) > maxWidth || (h ?? 0) > maxHeight)
    ctx.addIssue({ code: "custom", message: `${canvas} is larger than ${limit}`, path: ["width"] });
  if ((w ?? 0) % 2 !== 0 || (h ?? 0) % 2 !== 0)
    ctx.addIssue({ code: "custom", message: `${canvas} must have even sides (H.264 4:2:0)`, path: ["width"] });
  if (w === undefined || h === undefined) return;
  o.watermarks?.forEach((mark, i) => {
    if (mark.x >= w || mark.y >= h)
      ctx.addIssue({ code: "custom", message: `watermark ${i} starts outside the ${w}x${h} canvas`, path: ["watermarks", i] });
  });
}

/** The options a node records with: every field present (defaults filled in), checked together. */
export const CompositeOptions = z
  .object({
    layout: COMPOSITE_FIELDS.layout.default(COMPOSITE_DEFAULTS.layout),
    width: COMPOSITE_FIELDS.width.default(COMPOSITE_DEFAULTS.width),
    height: COMPOSITE_FIELDS.height.default(COMPOSITE_DEFAULTS.height),
    fps: COMPOSITE_FIELDS.fps.default(COMPOSITE_DEFAULTS.fps),
    videoBitrate: COMPOSITE_FIELDS.videoBitrate.default(COMPOSITE_DEFAULTS.videoBitrate),
    audioBitrate: COMPOSITE_FIELDS.audioBitrate.default(COMPOSITE_DEFAULTS.audioBitrate),
    single: COMPOSITE_FIELDS.single.optional(),
    watermarks: COMPOSITE_FIELDS.watermarks.default([]),
  })
  .strict()
  .superRefine(checkCanvas);
export type CompositeOptions = z.infer<typeof CompositeOptions>;

/**
 * Options as a customer states them (a start request, an app's defaults): only the fields given,
 * no defaults filled in, so the edge can lay a request over the app's defaults field by field and
 * check the result with {@link CompositeOptions}.
 */
export const CompositeOverrides = z.object(COMPOSITE_FIELDS).partial().strict().superRefine(checkCanvas);
export type CompositeOverrides = z.infer<typeof CompositeOverrides>;

/** The request's fields over the app's defaults; the result is checked as a whole (canvas, watermarks). */
export function mergeComposite(defaults: CompositeOverrides | undefined, request: CompositeOverrides | undefined): CompositeOptions {
  const merged = CompositeOptions.safeParse({ ...defaults, ...request });
  if (merged.success) return merged.data;
  const issue = merged.error.issues[0];
  const where = ["composite", ...(issue?.path ?? [])].join(".");
  throw new ParleyError("INVALID_REQUEST", `${where}: ${issue?.message ?? "invalid"} (with the app's composite defaults applied)`);
}
