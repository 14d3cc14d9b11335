/** Which packets a link loses: Bernoulli (random) or a Gilbert–Elliott chain (bursty). */
import type { GilbertElliott, LinkConditions } from "./conditions.js";
import type { Random } from "./random.js";

export interface LossModel {
  /** Decides one packet: true = lost. */
  lose(): boolean;
}

export class BernoulliLoss implements LossModel {
  readonly #probability: number;
  readonly #random: Random;

  constructor(probability: number, random: Random) {
    this.#probability = probability;
    this.#random = random;
  }

  lose(): boolean {
    return this.#probability > 0 && this.#random() < this.#probability;
  }
}

export type GilbertElliottState = "good" | "bad";

/**
 * Two states; each packet is lost with its state's loss probability, then the chain moves
 * (good → bad with p, bad → good with r). Stationary share of bad: p / (p + r).
 */
export class GilbertElliottLoss implements LossModel {
  readonly #chain: GilbertElliott;
  readonly #random: Random;
  #state: GilbertElliottState;

  constructor(chain: GilbertElliott, random: Random, initial?: GilbertElliottState) {
    this.#chain = chain;
    this.#random = random;
    // start in the stationary distribution so a short run is not biased towards "good"
    this.#state = initial ?? (random() < chain.p / (chain.p + chain.r) ? "bad" : "good");
  }

  get state(): GilbertElliottState {
    return this.#state;
  }

  lose(): boolean {
    const { p, r, lossGood, lossBad } = this.#chain;
    const lost = this.#random() < (this.#state === "good" ? lossGood : lossBad);
    if (this.#state === "good") {
      if (this.#random() < p) this.#state = "bad";
    } else if (this.#random() < r) this.#state = "good";
    return lost;
  }
}

/**
 * The simple Gilbert chain (no loss in good, all lost in bad) with mean loss `lossPercent` and
 * burst ratio `burstRatio`: mean burst 1/r = burstRatio / (1 − loss), p = loss · r / (1 − loss).
 */
export function gilbertFromBurstRatio(lossPercent: number, burstRatio: number): GilbertElliott {
  const loss = lossPercent / 100;
  if (loss >= 1) return { p: 1, r: 1e-9, lossGood: 0, lossBad: 1 };
  const r = Math.min(1, (1 - loss) / burstRatio);
  return { p: Math.min(1, (loss * r) / (1 - loss)), r, lossGood: 0, lossBad: 1 };
}

export function lossModelFor(conditions: LinkConditions, random: Random): LossModel {
  if (conditions.gilbertElliott) return new GilbertElliottLoss(conditions.gilbertElliott, random);
  if (conditions.burst > 1 && conditions.loss > 0)
    return new GilbertElliottLoss(gilbertFromBurstRatio(conditions.loss, conditions.burst), random);
  return new BernoulliLoss(conditions.loss / 100, random);
}
