import type { Env } from "../env.js";
import type { CallRecorder } from "./call-recorder.js";
import type { D1Outbox } from "./d1-outbox.js";
import type { MediaRelay } from "./media-relay.js";
import type { MemberStore } from "./member-store.js";
import type { RoomRecordings } from "./room-recordings.js";
import type { RoomRtmp } from "./room-rtmp.js";
import type { RoomWebhooks } from "./room-webhooks.js";
import type { SocketRegistry } from "./socket-registry.js";

/** The Room DO's parts, handed once to the modules that move members in and out (joins, departures). */
export interface RoomParts {
  env: Env;
  store: MemberStore;
  sockets: SocketRegistry;
  media: MediaRelay;
  calls: CallRecorder;
  events: RoomWebhooks;
  outbox: D1Outbox;
  recordings: RoomRecordings;
  rtmp: RoomRtmp;
  /** Flush the outbox after this request (the Room DO retries failures from its alarm). */
  flush: () => void;
  /** Re-arm the Room DO's alarm for the earliest resume deadline. */
  scheduleAlarm: () => Promise<void>;
}
