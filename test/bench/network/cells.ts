/**
 * The benchmark's matrix: which link is bad (uplink, downlink, both), how the loss comes (random or
 * in bursts), how much, and the one-way delay between every client and the media node. A cell is
 * named `direction:model:loss:delay`, e.g. `downlink:random:30:150`; `--cells` takes a comma list
 * of such names, where any part may be `*`.
 */
import type { LabConditionsInput } from "../../../infra/netlab/conditions.js";

export const DIRECTIONS = ["uplink", "downlink", "both"] as const;
export const MODELS = ["random", "bursty"] as const;
export const LOSSES = [0, 10, 30, 50, 70, 80] as const;
export const DELAYS = [50, 150] as const;
/** Bursty cells: Gilbert–Elliott loss with this burst ratio (mean burst 3× random loss's). */
export const BURST_RATIO = 3;

export type Direction = (typeof DIRECTIONS)[number];
export type LossModelName = (typeof MODELS)[number];

export interface Cell {
  direction: Direction;
  model: LossModelName;
  lossPercent: number;
  delayMs: number;
}

export function cellId(c: Cell): string {
  return `${c.direction}:${c.model}:${c.lossPercent}:${c.delayMs}`;
}

/**
 * Every cell, without the duplicates loss 0 would make: at 0 % direction and model change nothing,
 * so each delay has one clean cell (named `both:random:0:<delay>`).
 */
export function fullMatrix(): Cell[] {
  const cells: Cell[] = [];
  for (const delayMs of DELAYS) {
    cells.push({ direction: "both", model: "random", lossPercent: 0, delayMs });
    for (const model of MODELS)
      for (const direction of DIRECTIONS)
        for (const lossPercent of LOSSES.filter((l) => l > 0)) cells.push({ direction, model, lossPercent, delayMs });
  }
  return cells;
}

/** The cells matching any of the comma-separated patterns (`*` matches any value of a part). */
export function selectCells(patterns: string): Cell[] {
  const wanted = patterns
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const all = fullMatrix();
  const chosen = new Map<string, Cell>();
  for (const pattern of wanted) {
    const parts = pattern.split(":");
    if (parts.length !== 4) throw new Error(`--cells: "${pattern}" is not direction:model:loss:delay (e.g. downlink:random:30:150)`);
    const [direction, model, loss, delay] = parts as [string, string, string, string];
    check(direction, DIRECTIONS, "direction", pattern);
    check(model, MODELS, "model", pattern);
    check(loss, LOSSES.map(String), "loss", pattern);
    check(delay, DELAYS.map(String), "delay", pattern);
    const matches = all.filter(
      (c) =>
        (direction === "*" || c.direction === direction || c.lossPercent === 0) &&
        (model === "*" || c.model === model) &&
        (loss === "*" || String(c.lossPercent) === loss) &&
        (delay === "*" || String(c.delayMs) === delay),
    );
    for (const c of matches) chosen.set(cellId(c), c);
  }
  return all.filter((c) => chosen.has(cellId(c)));
}

function check(value: string, allowed: readonly string[], part: string, pattern: string): void {
  if (value !== "*" && !allowed.includes(value))
    throw new Error(`--cells: ${part} "${value}" in "${pattern}" is not one of ${allowed.join(", ")} or *`);
}

/** The lab's conditions for a cell: the delay both ways, the loss on the cell's direction(s). */
export function cellConditions(c: Cell): LabConditionsInput {
  const lossy = { loss: c.lossPercent, burst: c.model === "bursty" ? BURST_RATIO : 1, delayMs: c.delayMs };
  const clean = { delayMs: c.delayMs };
  return {
    uplink: c.direction === "downlink" ? clean : lossy,
    downlink: c.direction === "uplink" ? clean : lossy,
  };
}
