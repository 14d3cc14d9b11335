/**
 * The node's upload queue: every closed segment of every recording, uploaded a few at a time, each
 * retried with exponential backoff (with jitter) until it is in storage and verified — never given
 * up, so a storage outage only delays recordings. The queue itself is not persisted: each
 * recording's journal on disk lists its pending files, and the manager re-enqueues them on start.
 */
import type { Logger } from "../logger.js";

export interface UploadJob {
  /** Unique per file, e.g. `<recordingId>/<file>`. */
  readonly id: string;
  /** Uploads and verifies; throws to be retried. */
  run(): Promise<void>;
  /** Called after each failed attempt (the job stays queued). */
  failed(error: Error, attempt: number, retryInMs: number): void;
}

interface Entry {
  job: UploadJob;
  attempts: number;
  readyAt: number;
}

const BASE_BACKOFF_MS = 250;

export class UploadQueue {
  readonly #concurrency: number;
  readonly #maxBackoffMs: number;
  readonly #logger: Logger;
  readonly #waiting = new Map<string, Entry>();
  readonly #running = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: { concurrency: number; maxBackoffMs: number; logger: Logger }) {
    this.#concurrency = options.concurrency;
    this.#maxBackoffMs = options.maxBackoffMs;
    this.#logger = options.logger;
  }

  get size(): number {
    return this.#waiting.size + this.#running.size;
  }

  enqueue(job: UploadJob): void {
    if (this.#closed || this.#waiting.has(job.id) || this.#running.has(job.id)) return;
    this.#waiting.set(job.id, { job, attempts: 0, readyAt: 0 });
    this.#pump();
  }

  /** Retry everything waiting now (e.g. storage is known to be back). */
  retryNow(): void {
    for (const entry of this.#waiting.values()) entry.readyAt = 0;
    this.#pump();
  }

  /** Stops starting uploads and waits for those in flight; what is left stays in the journals. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await Promise.allSettled([...this.#running.values()]);
  }

  #pump(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = Date.now();
    let nextAt = Number.POSITIVE_INFINITY;
    for (const [id, entry] of this.#waiting) {
      if (this.#running.size >= this.#concurrency) break;
      if (entry.readyAt > now) {
        nextAt = Math.min(nextAt, entry.readyAt);
        continue;
      }
      this.#waiting.delete(id);
      this.#running.set(id, this.#run(entry));
    }
    if (Number.isFinite(nextAt) && this.#running.size < this.#concurrency) {
      this.#timer = setTimeout(() => this.#pump(), Math.max(0, nextAt - now));
      this.#timer.unref();
    }
  }

  async #run(entry: Entry): Promise<void> {
    entry.attempts++;
    try {
      await entry.job.run();
      // Storage answers again: files backed off by an outage need not wait out their timers.
      for (const waiting of this.#waiting.values()) waiting.readyAt = 0;
    } catch (error) {
      const delay = Math.min(this.#maxBackoffMs, BASE_BACKOFF_MS * 2 ** Math.min(entry.attempts - 1, 20)) * (0.75 + Math.random() / 4);
      entry.readyAt = Date.now() + delay;
      this.#logger.warn(
        { upload: entry.job.id, attempt: entry.attempts, retryInMs: Math.round(delay), err: (error as Error).message },
        "upload failed; will retry",
      );
      try {
        entry.job.failed(error as Error, entry.attempts, delay);
      } catch {
        // Bookkeeping must not lose the job.
      }
      if (!this.#closed) this.#waiting.set(entry.job.id, entry);
    } finally {
      this.#running.delete(entry.job.id);
      this.#pump();
    }
  }
}
