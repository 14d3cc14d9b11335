/**
 * When a pipeline whose ffmpeg cannot change its inputs while running restarts ("rolls": a
 * composite recording when members come or go, an RTMP push when its producers change or its
 * server dropped it): rolls run one at a time, in order, each after a delay that a newer request
 * replaces (so a member publishing audio and video rolls once), and a roll that throws is reported
 * to `failed` (which may schedule the next).
 */
export class RollSchedule {
  readonly #roll: () => Promise<void>;
  readonly #failed: (message: string) => void;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  constructor(roll: () => Promise<void>, failed: (message: string) => void) {
    this.#roll = roll;
    this.#failed = failed;
  }

  /** Rolls after `ms`, in place of a roll scheduled earlier that has not begun. */
  after(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#chain = this.#chain.then(() => this.#roll()).catch((error: Error) => this.#failed(error.message));
    }, ms);
    this.#timer.unref();
  }

  /** Cancels a scheduled roll and resolves once the one under way, if any, is done (for stop). */
  async settle(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#chain;
  }
}
