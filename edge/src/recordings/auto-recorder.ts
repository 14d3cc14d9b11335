import { type ErrorCode, ParleyError, randomId } from "@parley/shared";
import { log } from "../log/index.js";
import type { MemberStore } from "../members/member-store.js";
import type { RoomWebhooks } from "../webhooks/room-webhooks.js";
import type { RoomOptions } from "./room-options.js";
import type { RoomRecordings } from "./room-recordings.js";

/**
 * Auto-record: when a producer appears in a room that is not recording and the room's option (or
 * else the app's setting) asks for it, the room starts a recording by itself; the room emptying
 * stops it (RoomRecordings.stopAll), so the next call gets a new one. A chat-only call never
 * produces, so it is never recorded. A failed start is logged and reported as `recording.failed`:
 * it never fails the produce request that caused it. A failure retrying cannot fix (a bad
 * watermark, storage refused) is reported once per call: later producers of that call do not retry.
 */

/** Failures of the moment: the call's next producer tries again. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set([
  "NODE_UNAVAILABLE",
  "NODE_DRAINING",
  "RECORDING_QUEUE_UNAVAILABLE",
  "RECORDER_UNAVAILABLE",
  "STORAGE_UNAVAILABLE",
]);
export class AutoRecorder {
  #members: MemberStore;
  #options: RoomOptions;
  #recordings: RoomRecordings;
  #events: RoomWebhooks;
  /** Producers of one call arrive together: one start at a time, the others see it running. */
  #starting: Promise<void> | null = null;
  /** The call whose auto-start failed for good (in memory: an evicted room tries once more). */
  #gaveUpOn: string | null = null;

  constructor(deps: { members: MemberStore; options: RoomOptions; recordings: RoomRecordings; events: RoomWebhooks }) {
    this.#members = deps.members;
    this.#options = deps.options;
    this.#recordings = deps.recordings;
    this.#events = deps.events;
  }

  /** Called after a producer is created. Never throws. */
  producerAdded(): Promise<void> {
    if (this.#starting) return this.#starting;
    this.#starting = this.#startIfAsked().finally(() => {
      this.#starting = null;
    });
    return this.#starting;
  }

  async #startIfAsked(): Promise<void> {
    if (this.#recordings.capturing() || this.#members.count() === 0) return;
    const appKey = this.#members.getMeta("appKey");
    const room = this.#members.getMeta("room");
    if (!appKey || !room) return;
    const callId = this.#members.getMeta("callId") || null;
    if (callId !== null && callId === this.#gaveUpOn) return;
    const recordingId = `rec_${randomId(16)}`;
    try {
      const { autoRecord } = await this.#options.effective(appKey, room);
      if (!autoRecord) return;
      await this.#recordings.start(autoRecord, recordingId);
    } catch (err) {
      const error =
        err instanceof ParleyError ? err : new ParleyError("INTERNAL", "auto-record could not start; it has been logged", { cause: err });
      log({ event: "recording.auto_start_failed", room, recordingId, code: error.code, error });
      if (!TRANSIENT.has(error.code)) this.#gaveUpOn = callId;
      this.#events.recordingFailed(recordingId, { code: error.code, message: error.message }, Date.now());
    }
  }
}
