/**
 * The composite's picture, as pure functions: where each member's video goes for a layout, and the
 * ffmpeg filter graph that draws it (tiles over a black canvas, then text/timestamp/image
 * watermarks) and mixes every audio track. Kept free of processes so layouts are easy to reason about.
 */
import type { CompositeLayout, CompositeOptions } from "@parley/shared";

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The DejaVu font Debian ships in fonts-dejavu-core (drawtext needs a file, not just fontconfig). */
export const FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);

/**
 * Rectangles for `count` videos. `main` is the tile shown large (speaker) or alone (single).
 * grid: near-square rows × columns; speaker: main on the left 3/4, the others stacked on the right;
 * single: main fills the canvas.
 */
export function layoutRects(layout: CompositeLayout, count: number, width: number, height: number): Rect[] {
  if (count === 0) return [];
  if (layout === "single" || count === 1) return [{ x: 0, y: 0, w: width, h: height }];
  if (layout === "speaker") {
    const mainW = even((width * 3) / 4);
    const sideW = even(width - mainW);
    const sideH = even(height / (count - 1));
    return [
      { x: 0, y: 0, w: mainW, h: height },
      ...Array.from({ length: count - 1 }, (_, i) => ({ x: mainW, y: i * sideH, w: sideW, h: sideH })),
    ];
  }
  const cols = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / cols);
  const w = even(width / cols);
  const h = even(height / rows);
  return Array.from({ length: count }, (_, i) => ({ x: (i % cols) * w, y: Math.floor(i / cols) * h, w, h }));
}

/** What a watermark needs on disk: text and timestamps go through files so no filter escaping is needed. */
export type PreparedWatermark =
  | { kind: "text"; textFile: string; x: number; y: number; size: number; color: string }
  | { kind: "image"; input: number; x: number; y: number; width: number; height: number };

export interface GraphInput {
  /** Input stream index in the SDP input (0:N), in tile order for video. */
  video: number[];
  audio: number[];
  /** Whether input 0 is the SDP (false when nobody publishes). */
  hasSdp: boolean;
  /** Speaker layout: which of `video` (by position) starts in the main tile. */
  speaker?: number;
}

/** The speaker layout with two or more videos switches its main tile live (a `streamselect`). */
export function followsSpeaker(layout: CompositeLayout, videos: number): boolean {
  return layout === "speaker" && videos > 1;
}

/** Which video (by position) each speaker-layout tile shows: the speaker in the main tile, the others in order beside it. */
export function speakerMap(videos: number, speaker: number): number[] {
  return [speaker, ...Array.from({ length: videos }, (_, i) => i).filter((i) => i !== speaker)];
}

/**
 * The ffmpeg commands (for its stdin `c` key, one per tile) that put video `speaker` in the main
 * tile of a running speaker-layout graph without restarting it.
 */
export function speakerCommands(videos: number, speaker: number): string[] {
  return speakerMap(videos, speaker).map((video, tile) => `${SPEAKER_SELECT}@t${tile} -1 map ${video}`);
}

const SPEAKER_SELECT = "streamselect";

/**
 * Every video is fitted to the main tile and split to one `streamselect` per tile (ffmpeg 5.1's
 * streamselect cannot have several outputs), which picks whose video that tile shows; side tiles are
 * scaled down after it. A new speaker is then one `map` command per tile.
 */
function speakerTiles(parts: string[], video: number[], rects: Rect[], speaker: number, fit: (r: Rect) => string): string[] {
  const n = video.length;
  video.forEach((v, i) => {
    parts.push(`[0:${v}]${fit(rects[0]!)},split=${n}${rects.map((_, t) => `[n${i}t${t}]`).join("")}`);
  });
  const map = speakerMap(n, speaker);
  return rects.map((r, t) => {
    const ins = video.map((_, i) => `[n${i}t${t}]`).join("");
    const fitted = t === 0 ? "" : `,${fit(r)}`;
    parts.push(`${ins}${SPEAKER_SELECT}@t${t}=inputs=${n}:map=${map[t]}${fitted}[t${t}]`);
    return `t${t}`;
  });
}

/**
 * The filter_complex graph, ending in [vout] and [aout]. A black `color` source is the canvas (so
 * the output has the canvas size and frame rate whatever the members send); each video is scaled to
 * fit its tile, keeping its aspect ratio, and overlaid. Without any RTP input the sources are paced
 * with realtime filters, else ffmpeg would render an hour of black in a second.
 */
export function filterGraph(options: CompositeOptions, input: GraphInput, watermarks: PreparedWatermark[]): string {
  const { width, height, fps } = options;
  const parts: string[] = [];
  const rects = layoutRects(options.layout, input.video.length, width, height);
  const paced = input.video.length === 0 ? ",realtime" : "";
  parts.push(`color=c=black:s=${width}x${height}:r=${fps}${paced}[c0]`);
  const fit = (r: Rect) =>
    `scale=${r.w}:${r.h}:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=${r.w}:${r.h}:(ow-iw)/2:(oh-ih)/2:black,setsar=1`;
  const tiles = followsSpeaker(options.layout, input.video.length)
    ? speakerTiles(parts, input.video, rects, input.speaker ?? 0, fit)
    : rects.map((r, i) => {
        parts.push(`[0:${input.video[i]}]${fit(r)}[t${i}]`);
        return `t${i}`;
      });
  let canvas = "c0";
  rects.forEach((r, i) => {
    parts.push(`[${canvas}][${tiles[i]}]overlay=${r.x}:${r.y}:eof_action=pass:repeatlast=1[c${i + 1}]`);
    canvas = `c${i + 1}`;
  });
  watermarks.forEach((w, i) => {
    const next = `w${i}`;
    if (w.kind === "text")
      parts.push(
        `[${canvas}]drawtext=fontfile=${FONT_FILE}:textfile=${w.textFile}:expansion=normal:` +
          `x=${w.x}:y=${w.y}:fontsize=${w.size}:fontcolor=${w.color}:borderw=1:bordercolor=black@0.6[${next}]`,
      );
    else {
      parts.push(`[${w.input}:v]scale=${w.width}:${w.height},format=rgba[img${i}]`);
      parts.push(`[${canvas}][img${i}]overlay=${w.x}:${w.y}:shortest=0:eof_action=repeat[${next}]`);
    }
    canvas = next;
  });
  parts.push(`[${canvas}]format=yuv420p[vout]`);
  if (input.audio.length === 0) parts.push("anullsrc=r=48000:cl=stereo,arealtime[aout]");
  else {
    const ins = input.audio.map((a) => `[0:${a}]`).join("");
    // normalize=0: a member's level must not drop because someone else joined.
    parts.push(`${ins}amix=inputs=${input.audio.length}:duration=longest:dropout_transition=0:normalize=0,aresample=async=1000[aout]`);
  }
  return parts.join(";");
}
