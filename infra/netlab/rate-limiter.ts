/**
 * A bottleneck link: packets leave one after another at `rateKbps`, waiting in a drop-tail queue
 * that holds at most `queueMs` of backlog at that rate (what a home router's buffer does).
 */
export class RateLimiter {
  #bytesPerMs: number;
  #queueMs: number;
  /** When the link finishes sending what is already queued. */
  #freeAt = 0;

  constructor(rateKbps: number, queueMs: number) {
    this.#bytesPerMs = rateKbps / 8;
    this.#queueMs = queueMs;
  }

  reconfigure(rateKbps: number, queueMs: number): void {
    this.#bytesPerMs = rateKbps / 8;
    this.#queueMs = queueMs;
  }

  /** Backlog in ms at `now`: how long a packet arriving now waits before its first bit leaves. */
  backlogMs(now: number): number {
    return Math.max(0, this.#freeAt - now);
  }

  /** When a packet of `bytes` arriving at `now` has left the bottleneck, or null if the queue is full. */
  admit(now: number, bytes: number): number | null {
    if (this.#bytesPerMs <= 0) return now;
    const backlog = this.backlogMs(now);
    if (backlog > this.#queueMs) return null;
    this.#freeAt = now + backlog + bytes / this.#bytesPerMs;
    return this.#freeAt;
  }
}
