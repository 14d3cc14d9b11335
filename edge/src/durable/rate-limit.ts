import { ParleyError } from "@parley/shared";

/** A token bucket: `burst` tokens, refilled at `perSecond`. Pure, so the clock is passed in. */
export class TokenBucket {
  #tokens: number;
  #last: number;
  readonly perSecond: number;
  readonly burst: number;

  constructor(perSecond: number, burst: number, now: number) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.#tokens = burst;
    this.#last = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#last) / 1000;
    this.#tokens = Math.min(this.burst, this.#tokens + elapsed * this.perSecond);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** A per-socket limit: `perSecond` of `what` with bursts of `burst`. */
export interface RateLimit {
  what: string;
  perSecond: number;
  burst: number;
}

export function rateLimited(limit: RateLimit): ParleyError {
  return new ParleyError("RATE_LIMITED", `more than ${limit.perSecond} ${limit.what} a second; slow down`);
}
