/**
 * The lab's words, for people: command-line flags (`--loss 30 --delay 150`, `--down-loss 30`) and
 * the same as typed commands while it runs (`loss 50`, `down cut`, `up delay 80`, `clear`).
 * Pure parsing into a patch of the conditions; NetLab.update applies it.
 */
import { ParleyError } from "@parley/shared";
import type { LinkConditionsInput } from "./conditions.js";
import type { LabConditionsPatch } from "./netlab.js";

/** Word → condition field; numbers unless noted. */
const FIELDS = {
  loss: "loss",
  burst: "burst",
  delay: "delayMs",
  jitter: "jitterMs",
  reorder: "reorder",
  "reorder-delay": "reorderDelayMs",
  duplicate: "duplicate",
  rate: "rateKbps",
  queue: "queueMs",
} as const satisfies Record<string, keyof LinkConditionsInput>;
type FieldWord = keyof typeof FIELDS;

export const FIELD_HELP = `loss PERCENT, burst RATIO (1 = random, 3 = bursty), delay MS, jitter MS, reorder PERCENT,
reorder-delay MS, duplicate PERCENT, rate KBPS (0 = unlimited), queue MS, cut, uncut`;

type Side = "up" | "down" | "both";

export type Command =
  | { type: "update"; patch: LabConditionsPatch }
  | { type: "clear" }
  | { type: "show" }
  | { type: "stats" }
  | { type: "help" }
  | { type: "quit" };

function sidePatch(side: Side, link: LinkConditionsInput): LabConditionsPatch {
  return {
    ...(side !== "down" ? { uplink: link } : {}),
    ...(side !== "up" ? { downlink: link } : {}),
  };
}

function mergePatch(a: LabConditionsPatch, b: LabConditionsPatch): LabConditionsPatch {
  return { uplink: { ...a.uplink, ...b.uplink }, downlink: { ...a.downlink, ...b.downlink } };
}

function number(word: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === "" || !Number.isFinite(n))
    throw new ParleyError("INVALID_REQUEST", `${word} needs a number (got "${value ?? ""}")`);
  return n;
}

/** `[up|down] (FIELD VALUE | cut | uncut)…`, or clear, show, stats, help, quit. */
export function parseCommand(line: string): Command | null {
  const words = line.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  const [first] = words as [string];
  if (words.length === 1 && ["clear", "show", "stats", "help", "quit", "exit"].includes(first)) {
    return first === "exit" ? { type: "quit" } : ({ type: first } as Command);
  }
  let side: Side = "both";
  if (first === "up" || first === "down" || first === "both") {
    side = first;
    words.shift();
  }
  const link: LinkConditionsInput = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === "cut" || word === "uncut") {
      link.cut = word === "cut";
      continue;
    }
    const field = FIELDS[word as FieldWord];
    if (!field) throw new ParleyError("INVALID_REQUEST", `unknown word "${word}"; say ${FIELD_HELP}, or clear, show, stats, quit`);
    link[field] = number(word, words[++i]);
  }
  if (Object.keys(link).length === 0) throw new ParleyError("INVALID_REQUEST", `say what to change: ${FIELD_HELP}`);
  return { type: "update", patch: sidePatch(side, link) };
}

/**
 * Flags → the starting conditions: `--loss 30` for both ways, `--up-loss 10` / `--down-loss 30`
 * for one (per-direction flags win), `--cut`, `--up-cut`, `--down-cut`.
 */
export function patchFromFlags(flags: Record<string, string | boolean | undefined>): LabConditionsPatch {
  let patch: LabConditionsPatch = {};
  for (const prefix of ["", "up-", "down-"] as const) {
    const side: Side = prefix === "" ? "both" : prefix === "up-" ? "up" : "down";
    const link: LinkConditionsInput = {};
    for (const [word, field] of Object.entries(FIELDS)) {
      const value = flags[`${prefix}${word}`];
      if (value !== undefined) link[field] = number(`--${prefix}${word}`, String(value));
    }
    if (flags[`${prefix}cut`] === true) link.cut = true;
    if (Object.keys(link).length > 0) patch = mergePatch(patch, sidePatch(side, link));
  }
  return patch;
}

/** parseArgs options for every flag patchFromFlags reads. */
export function conditionFlagOptions(): Record<string, { type: "string" | "boolean" }> {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const prefix of ["", "up-", "down-"]) {
    for (const word of Object.keys(FIELDS)) options[`${prefix}${word}`] = { type: "string" };
    options[`${prefix}cut`] = { type: "boolean" };
  }
  return options;
}
