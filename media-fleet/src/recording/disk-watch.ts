/**
 * The spool's free space. A start is refused with SPOOL_FULL when the spool has less than
 * SPOOL_MIN_FREE_BYTES free, and while anything captures the space is checked every second: below
 * the minimum, `full` tells the recordings to stop capture (SPOOL_FULL) before the disk is full,
 * rather than when ffmpeg dies on it.
 */
import { EventEmitter } from "node:events";
import { statfs } from "node:fs/promises";
import { ParleyError } from "@parley/shared";

export interface DiskWatchEvents {
  /** Checked while capturing: the spool has less than the minimum free (message names both). */
  full: [message: string, free: number];
}

const CHECK_MS = 1000;

export class DiskWatch extends EventEmitter<DiskWatchEvents> {
  readonly #dir: string;
  readonly #minFreeBytes: number;
  readonly #timer: NodeJS.Timeout;

  /** `capturing`: whether a check is needed now (statfs is not free). */
  constructor(o: { dir: string; minFreeBytes: number; capturing: () => boolean }) {
    super();
    this.#dir = o.dir;
    this.#minFreeBytes = o.minFreeBytes;
    this.#timer = setInterval(() => {
      if (o.capturing()) void this.#check();
    }, CHECK_MS);
    this.#timer.unref();
  }

  /** Free bytes on the spool's file system; undefined where it cannot be read (no limit is applied then). */
  async freeBytes(): Promise<number | undefined> {
    try {
      const s = await statfs(this.#dir);
      return s.bavail * s.bsize;
    } catch {
      return undefined; // e.g. the spool's file system does not support statfs: nothing to enforce
    }
  }

  /** Refuses with SPOOL_FULL when the spool has less than the minimum free. */
  async ensureRoom(): Promise<void> {
    const free = await this.freeBytes();
    if (free !== undefined && free < this.#minFreeBytes)
      throw new ParleyError("SPOOL_FULL", `the recording spool has ${free} bytes free, less than the ${this.#minFreeBytes} needed`);
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #check(): Promise<void> {
    const free = await this.freeBytes();
    if (free === undefined || free >= this.#minFreeBytes) return;
    this.emit("full", `the recording spool has ${free} bytes free, less than SPOOL_MIN_FREE_BYTES=${this.#minFreeBytes}`, free);
  }
}
