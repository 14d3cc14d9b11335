import type { CallRecorder } from "../calls/call-recorder.js";
import type { SocketRegistry } from "../durable/socket-registry.js";
import type { Env } from "../env.js";
import type { MediaRelay } from "../media/media-relay.js";
import type { MemberStore } from "../members/member-store.js";
import type { RoomRecordings } from "../recordings/room-recordings.js";
import type { RoomRtmp } from "../rtmp/room-rtmp.js";
import type { RoomWebhooks } from "../webhooks/room-webhooks.js";
import type { D1Outbox } from "./d1-outbox.js";

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
