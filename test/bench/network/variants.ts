/**
 * What the benchmark compares. "baseline" is Parley as it is (resilience off); each cell runs every
 * selected variant in the same run, so every other variant's figures are also ratios against it.
 *
 * Adding a resilience lever: add an entry here that switches it on — through the demo page's URL
 * (`pageParams`, read by console/src/demo.ts), a script run in each page before the demo's own
 * (`pageInit`: e.g. an encoded transform), the bots' Room options, or the media node's side through
 * `prepare` — and run `npm run bench:network -- --variants baseline,<name>`.
 */
import type { BotOptions, Stack } from "../../e2e/stack.js";

export interface Variant {
  name: string;
  description: string;
  /** Extra query parameters for the demo page. */
  pageParams?: Record<string, string>;
  /** Script source run in every page before the demo page's scripts (playwright addInitScript). */
  pageInit?: string;
  /** Options the bots join with. */
  botOptions?: BotOptions;
  /** Runs before each of this variant's calls (and `restore` after), e.g. to switch a node setting. */
  prepare?(stack: Stack): Promise<void>;
  restore?(stack: Stack): Promise<void>;
}

export const BASELINE = "baseline";

export const VARIANTS: Record<string, Variant> = {
  [BASELINE]: { name: BASELINE, description: "resilience off: Parley as it is today" },
};

export function selectVariants(names: string): Variant[] {
  const list = names
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  if (!list.includes(BASELINE)) list.unshift(BASELINE); // every figure needs its baseline from the same run
  return list.map((name) => {
    const v = VARIANTS[name];
    if (!v) throw new Error(`--variants: unknown variant "${name}" (known: ${Object.keys(VARIANTS).join(", ")})`);
    return v;
  });
}
