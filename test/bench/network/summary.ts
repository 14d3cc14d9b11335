/** One row per cell and variant: the pages' figures averaged over both directions of the call, and the markdown table. */
import { round } from "../stats.js";
import type { CellRun } from "./call.js";
import { type Cell, cellId } from "./cells.js";
import { mosLq, type PairFigures } from "./figures.js";
import { BASELINE } from "./variants.js";

export interface CellSummary {
  concealmentPercent: number | null;
  silentConcealmentPercent: number | null;
  mosLq: number | null;
  audioWireLossPercent: number | null;
  videoFps: number | null;
  /** The lower of the two pages' median decoded height. */
  videoHeight: number | null;
  /** Per page, over the window, normalised to one minute. */
  freezesPerMinute: number | null;
  freezeSecondsPerMinute: number | null;
  videoWireLossPercent: number | null;
  stayedUp: boolean;
  /** Video came back for both pages within the recovery time once the network was clean. */
  videoRecovered: boolean;
}

export interface Ratios {
  concealment: number | null;
  videoFps: number | null;
  freezeSeconds: number | null;
}

const mean = (values: number[]): number | null => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);
const r = (v: number | null, digits = 2) => (v === null ? null : round(v, digits));

export function summarise(run: CellRun, seconds: number): CellSummary {
  const pairs: PairFigures[] = run.pages;
  const audio = pairs.flatMap((p) => (p.audio ? [p.audio] : []));
  const video = pairs.flatMap((p) => (p.video ? [p.video] : []));
  const concealment = mean(audio.map((a) => a.concealmentPercent));
  const perMinute = 60 / seconds;
  return {
    concealmentPercent: r(concealment),
    silentConcealmentPercent: r(mean(audio.map((a) => a.silentConcealmentPercent))),
    mosLq: concealment === null ? null : round(mosLq(concealment), 2),
    audioWireLossPercent: r(mean(audio.map((a) => a.wireLossPercent))),
    videoFps: r(mean(video.map((v) => v.fps)), 1),
    videoHeight: video.length ? Math.min(...video.map((v) => v.medianHeight)) : null,
    freezesPerMinute: r(mean(video.map((v) => v.freezeCount * perMinute)), 1),
    freezeSecondsPerMinute: r(mean(video.map((v) => v.freezeSeconds * perMinute)), 1),
    videoWireLossPercent: r(mean(video.map((v) => v.wireLossPercent))),
    stayedUp: !run.error && pairs.length > 0 && pairs.every((p) => p.stayedUp),
    videoRecovered: !run.error && pairs.length > 0 && pairs.every((p) => p.recovery?.videoSeconds != null),
  };
}

/** A variant's figure over the baseline's in the same cell (lower concealment and freezes are better; higher fps). */
export function ratios(variant: CellSummary, baseline: CellSummary): Ratios {
  const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : round(a / b, 2));
  return {
    concealment: ratio(variant.concealmentPercent, baseline.concealmentPercent),
    videoFps: ratio(variant.videoFps, baseline.videoFps),
    freezeSeconds: ratio(variant.freezeSecondsPerMinute, baseline.freezeSecondsPerMinute),
  };
}

export interface Row {
  cell: Cell;
  /** By variant name; baseline first. */
  variants: Record<string, CellSummary & { ratios?: Ratios }>;
}

const show = (v: number | null, suffix = "") => (v === null ? "–" : `${v}${suffix}`);

/** The markdown table for docs/quality.md: one row per cell, a column group per variant. */
export function markdownTable(rows: Row[], variantNames: string[]): string {
  const header = ["link", "loss", "delay", ...variantNames.flatMap((v) => columns(v))];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const row of rows) {
    const c = row.cell;
    const link = c.lossPercent === 0 ? "clean" : `${c.direction}, ${c.model}`;
    const cellsOut = [link, `${c.lossPercent} %`, `${c.delayMs} ms`];
    for (const name of variantNames) {
      const s = row.variants[name];
      if (!s) {
        cellsOut.push(...columns(name).map(() => "–"));
        continue;
      }
      const vsBaseline = name !== BASELINE && s.ratios ? ` (×${show(s.ratios.concealment)})` : "";
      cellsOut.push(
        `${show(s.concealmentPercent)}${vsBaseline} / ${show(s.silentConcealmentPercent)}`,
        show(s.mosLq),
        show(s.videoFps),
        s.videoHeight ? `${s.videoHeight}p` : "–",
        `${show(s.freezesPerMinute)} / ${show(s.freezeSecondsPerMinute, " s")}`,
        s.stayedUp ? (s.videoRecovered ? "yes" : "audio¹") : "**no**",
      );
    }
    lines.push(`| ${cellsOut.join(" | ")} |`);
  }
  return lines.join("\n");
}

function columns(variant: string): string[] {
  const tag = variant === BASELINE ? "" : ` (${variant})`;
  return [`concealed / silent %${tag}`, `MOS-LQ${tag}`, `fps${tag}`, `height${tag}`, `freezes/min (n / s)${tag}`, `up${tag}`];
}

export function rowsFrom(runs: CellRun[], cells: Cell[], seconds: number): Row[] {
  return cells.map((cell) => {
    const id = cellId(cell);
    const variants: Row["variants"] = {};
    for (const run of runs.filter((x) => x.cell === id)) variants[run.variant] = summarise(run, seconds);
    const baseline = variants[BASELINE];
    if (baseline) for (const [name, s] of Object.entries(variants)) if (name !== BASELINE) s.ratios = ratios(s, baseline);
    return { cell, variants };
  });
}
