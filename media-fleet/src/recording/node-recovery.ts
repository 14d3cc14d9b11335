/**
 * What a starting node finishes of its predecessor's work on the same spool: the ffmpegs a killed
 * run left behind are stopped first (they hold UDP ports and write to segments about to be
 * recovered: ffmpeg-children.ts), then every journaled recording is restored in its mode and
 * recovered (segments on disk kept, pending uploads queued). When the journal store (Redis) does not
 * answer, recovery waits for it in the background; until then `ready` is false, new recordings are
 * refused and the node's health says why.
 */
import { mkdir } from "node:fs/promises";
import type { FfmpegChildren } from "../ffmpeg/ffmpeg-children.js";
import type { Logger } from "../logger.js";
import { CompositeRecording } from "./composite-recording.js";
import { ExportRecording } from "./export-recording.js";
import type { JournalData, JournalStore } from "./journal.js";
import type { Recording, RecordingDeps } from "./recording.js";
import type { RecordingRegistry } from "./recording-registry.js";
import { SnapshotRecording } from "./snapshot-recording.js";
import { TrackRecording } from "./track-recording.js";

/** How often an unreachable journal store is tried again. */
const RETRY_WAIT_MS = 5000;

/** A journaled recording as the object of its mode (capture is over: `recover()` finishes it). */
export function restoreRecording(deps: RecordingDeps, data: JournalData): Recording {
  switch (data.mode) {
    case "tracks":
      return new TrackRecording(deps, data);
    case "composite":
      return new CompositeRecording(deps, data);
    case "snapshot":
      return new SnapshotRecording(deps, data);
    case "export":
      return new ExportRecording(deps, data);
  }
}

export class NodeRecovery {
  readonly #spoolDir: string;
  readonly #children: FfmpegChildren;
  readonly #journals: JournalStore;
  readonly #registry: RecordingRegistry;
  readonly #deps: RecordingDeps;
  readonly #logger: Logger;
  /** Logged once recovery is done: where recordings go now. */
  readonly #describe: () => Record<string, unknown>;
  #resumed = false;
  #closed = false;

  constructor(o: {
    spoolDir: string;
    children: FfmpegChildren;
    journals: JournalStore;
    registry: RecordingRegistry;
    deps: RecordingDeps;
    logger: Logger;
    describe: () => Record<string, unknown>;
  }) {
    this.#spoolDir = o.spoolDir;
    this.#children = o.children;
    this.#journals = o.journals;
    this.#registry = o.registry;
    this.#deps = o.deps;
    this.#logger = o.logger;
    this.#describe = o.describe;
  }

  /** False until journaled recordings were resumed, and while the journal store is unreachable. */
  get ready(): boolean {
    return this.#resumed && this.#journals.ready;
  }

  /**
   * Reaps orphans and resumes every journaled recording (listen to the registry's events first:
   * recovery reports). Resolves false when the journal store did not answer within `waitMs`; it is
   * then resumed once the store answers.
   */
  async run(waitMs: number): Promise<boolean> {
    await this.#reapOrphans();
    if (await this.#journals.waitReady(waitMs)) {
      await this.#resumeJournaled();
      return true;
    }
    this.#logger.error(
      { journals: this.#journals.description },
      "recording journal store unreachable; recordings are refused and pending uploads wait until it answers",
    );
    void this.#retry();
    return false;
  }

  /** Stops waiting for the journal store (node shutdown). */
  close(): void {
    this.#closed = true;
  }

  async #retry(): Promise<void> {
    while (!this.#closed && !(await this.#journals.waitReady(RETRY_WAIT_MS)));
    if (this.#closed) return;
    await this.#resumeJournaled().catch((error: Error) => {
      this.#logger.error({ err: error.message }, "could not resume journaled recordings; retrying");
      return this.#retry();
    });
  }

  async #reapOrphans(): Promise<void> {
    await mkdir(this.#spoolDir, { recursive: true, mode: 0o700 });
    const { reaped, stale } = await this.#children.reapOrphans();
    if (reaped > 0 || stale > 0)
      this.#logger.warn({ reaped, stale }, "stopped the ffmpeg processes a previous run of this node left behind");
  }

  async #resumeJournaled(): Promise<void> {
    for (const found of await this.#journals.loadAll()) {
      if (!found.data) {
        this.#logger.error({ recording: found.id, err: found.error }, "unreadable recording journal left behind");
        continue;
      }
      if (this.#registry.has(found.id)) continue;
      const recording = restoreRecording(this.#deps, found.data);
      this.#registry.add(recording);
      await recording.recover();
      this.#logger.info({ recording: recording.id, state: recording.state }, "resumed a journaled recording");
    }
    this.#resumed = true;
    this.#logger.info({ spool: this.#spoolDir, journals: this.#journals.description, ...this.#describe() }, "recordings ready");
  }
}
