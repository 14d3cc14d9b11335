/**
 * One direction of one client's path: given a packet arriving at `now`, when (if ever) it comes
 * out the other end. Pure: time is passed in, randomness comes from seeded streams, so the unit
 * tests check it without sockets and a seeded run is reproducible.
 *
 * The stages, in netem's order: cut → loss → duplication → bottleneck queue (rate) → delay with
 * jitter (order kept) → reordering (a few packets held back so later ones overtake).
 */
import type { LinkConditions } from "./conditions.js";
import { type LossModel, lossModelFor } from "./loss-model.js";
import { deriveRandom, type Random } from "./random.js";
import { RateLimiter } from "./rate-limiter.js";

export interface LinkCounters {
  /** Packets offered to the link. */
  packets: number;
  bytes: number;
  /** Copies scheduled for delivery (duplicates count twice). */
  delivered: number;
  lost: number;
  queueDropped: number;
  cutDropped: number;
  duplicated: number;
  reordered: number;
}

export type LinkVerdict = { delivered: true; at: number[] } | { delivered: false; reason: "cut" | "loss" | "queue" };

export class Link {
  #conditions: LinkConditions;
  #loss: LossModel;
  readonly #rate: RateLimiter;
  readonly #random: { loss: Random; jitter: Random; reorder: Random; duplicate: Random };
  /** The last in-order delivery time: jitter never lets a packet pass the one before it. */
  #lastInOrder = Number.NEGATIVE_INFINITY;
  readonly counters: LinkCounters = {
    packets: 0,
    bytes: 0,
    delivered: 0,
    lost: 0,
    queueDropped: 0,
    cutDropped: 0,
    duplicated: 0,
    reordered: 0,
  };

  constructor(conditions: LinkConditions, seed: number | string) {
    this.#conditions = conditions;
    this.#random = {
      loss: deriveRandom(seed, "loss"),
      jitter: deriveRandom(seed, "jitter"),
      reorder: deriveRandom(seed, "reorder"),
      duplicate: deriveRandom(seed, "duplicate"),
    };
    this.#loss = lossModelFor(conditions, this.#random.loss);
    this.#rate = new RateLimiter(conditions.rateKbps, conditions.queueMs);
  }

  get conditions(): LinkConditions {
    return this.#conditions;
  }

  /** New conditions from the next packet on; packets already scheduled keep their times. */
  reconfigure(conditions: LinkConditions): void {
    const lossChanged =
      conditions.loss !== this.#conditions.loss ||
      conditions.burst !== this.#conditions.burst ||
      JSON.stringify(conditions.gilbertElliott) !== JSON.stringify(this.#conditions.gilbertElliott);
    this.#conditions = conditions;
    if (lossChanged) this.#loss = lossModelFor(conditions, this.#random.loss);
    this.#rate.reconfigure(conditions.rateKbps, conditions.queueMs);
  }

  offer(now: number, bytes: number): LinkVerdict {
    const c = this.#conditions;
    this.counters.packets++;
    this.counters.bytes += bytes;
    if (c.cut) {
      this.counters.cutDropped++;
      return { delivered: false, reason: "cut" };
    }
    if (this.#loss.lose()) {
      this.counters.lost++;
      return { delivered: false, reason: "loss" };
    }
    const copies = c.duplicate > 0 && this.#random.duplicate() < c.duplicate / 100 ? 2 : 1;
    const at: number[] = [];
    for (let i = 0; i < copies; i++) {
      const left = this.#rate.admit(now, bytes);
      if (left === null) {
        if (at.length === 0) {
          this.counters.queueDropped++;
          return { delivered: false, reason: "queue" };
        }
        break; // the duplicate did not fit; the original did
      }
      at.push(this.#propagate(left));
    }
    if (at.length === 2) this.counters.duplicated++;
    this.counters.delivered += at.length;
    return { delivered: true, at };
  }

  #propagate(leftBottleneck: number): number {
    const c = this.#conditions;
    const jitter = c.jitterMs > 0 ? (this.#random.jitter() * 2 - 1) * c.jitterMs : 0;
    const arrives = Math.max(leftBottleneck + c.delayMs + jitter, this.#lastInOrder);
    if (c.reorder > 0 && this.#random.reorder() < c.reorder / 100) {
      this.counters.reordered++;
      return arrives + c.reorderDelayMs; // held back; #lastInOrder not advanced, so the next may pass it
    }
    this.#lastInOrder = arrives;
    return arrives;
  }
}
