/**
 * The segments one ffmpeg segment muxer writes as `<dir>/<stem>-00000.<ext>`, `…-00001.<ext>`, …:
 * ffmpeg appends a line to its CSV segment list (`<stem>.list`) as each segment closes, and each
 * new line becomes a `segment` event (the file is complete and may be uploaded). After ffmpeg
 * exits, `collect()` also announces segments it never listed (it was killed mid-segment): they hold
 * everything up to where it stopped.
 */
import { EventEmitter } from "node:events";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { readSegmentList } from "../ffmpeg/ffmpeg-process.js";

export interface SegmentListEvents {
  /** A segment is closed: `file` is relative to the recording's spool folder. */
  segment: [file: string, index: number];
}

const LIST_POLL_MS = 300;

/** The segment number in a file name (`…-00042.webm` is 42); 0 when it has none. */
export function segmentIndex(name: string): number {
  return Number(/-(\d+)\.[a-z0-9]+$/.exec(name)?.[1] ?? 0);
}

export class SegmentList extends EventEmitter<SegmentListEvents> {
  /** The segments' folder, relative to the recording's spool folder. */
  readonly #dir: string;
  readonly #absDir: string;
  readonly #stem: string;
  readonly #pattern: RegExp;
  readonly #seen = new Set<string>();
  readonly #timer: NodeJS.Timeout;

  constructor(o: { root: string; dir: string; stem: string; ext: string }) {
    super();
    this.#dir = o.dir;
    this.#absDir = join(o.root, o.dir);
    this.#stem = o.stem;
    this.#pattern = new RegExp(`^${o.stem}-\\d+\\.${o.ext}$`);
    this.#timer = setInterval(() => void this.poll(), LIST_POLL_MS);
    this.#timer.unref();
  }

  /** Announces the segments ffmpeg has listed since the last poll. */
  async poll(): Promise<void> {
    for (const name of await readSegmentList(join(this.#absDir, `${this.#stem}.list`))) if (!this.#seen.has(name)) this.#announce(name);
  }

  /** After an ffmpeg run ends: its list, plus any segment it never listed (killed), are announced. */
  async collect(): Promise<void> {
    await this.poll();
    for (const name of (await this.#files()).sort()) if (!this.#seen.has(name)) this.#announce(name);
  }

  /** The segment ffmpeg is writing now, if any (for statuses). */
  async openSegment(): Promise<string | undefined> {
    const open = (await this.#files()).filter((n) => !this.#seen.has(n)).sort();
    const last = open.at(-1);
    return last === undefined ? undefined : join(this.#dir, last);
  }

  /** The number after the highest segment on disk: where a new ffmpeg run goes on. */
  async nextNumber(): Promise<number> {
    return Math.max(-1, ...(await this.#files()).map(segmentIndex)) + 1;
  }

  /** Stops polling; `collect()` still works. */
  close(): void {
    clearInterval(this.#timer);
  }

  #announce(name: string): void {
    this.#seen.add(name);
    this.emit("segment", join(this.#dir, name), segmentIndex(name));
  }

  async #files(): Promise<string[]> {
    // Safe to read as empty: the folder is missing only before ffmpeg made it or after the recording
    // was forgotten, and a segment missed now is announced by the next poll or by recovery's scan.
    const names = await readdir(this.#absDir).catch(() => [] as string[]);
    return names.filter((n) => this.#pattern.test(n));
  }
}
