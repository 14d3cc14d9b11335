/**
 * Remembers the jti of every control token until it expires, so a captured token cannot be replayed
 * within its minute of life. Memory is bounded: expired entries are swept as new ones arrive.
 */
const MAX_ENTRIES = 200_000;

export class ReplayGuard {
  readonly #seen = new Map<string, number>();
  #nextSweep = 0;

  /** True the first time a jti is seen (until its expiry, unix seconds); false on reuse. */
  accept(jti: string, exp: number, nowMs = Date.now()): boolean {
    if (nowMs >= this.#nextSweep || this.#seen.size >= MAX_ENTRIES) this.#sweep(nowMs);
    if (this.#seen.has(jti)) return false;
    // Still full of live tokens: refuse rather than forget one that could then be replayed.
    if (this.#seen.size >= MAX_ENTRIES) return false;
    this.#seen.set(jti, exp * 1000);
    return true;
  }

  #sweep(nowMs: number): void {
    // Keep entries a little past exp: verification tolerates clock skew.
    for (const [jti, expMs] of this.#seen) if (expMs + 15_000 < nowMs) this.#seen.delete(jti);
    this.#nextSweep = nowMs + 5_000;
  }
}
