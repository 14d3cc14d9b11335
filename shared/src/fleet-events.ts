/**
 * Everything a media node reports to the edge in one batch: media events (control.ts), recording
 * events (recording.ts) and RTMP push state changes (recording-rtmp.ts). Kept apart from them so
 * none of those contracts imports another.
 */
import * as z from "zod";
import { CONTROL_LIMITS, NodeEvent, NodeId } from "./control.js";
import { RecordingEvent } from "./recording.js";
import { RtmpEvent } from "./recording-rtmp.js";

export const FleetEvent = z.discriminatedUnion("type", [...NodeEvent.options, ...RecordingEvent.options, RtmpEvent]);
export type FleetEvent = z.infer<typeof FleetEvent>;

export const FleetEventBatch = z.object({ node: NodeId, events: z.array(FleetEvent).min(1).max(CONTROL_LIMITS.eventsPerBatch) }).strict();
export type FleetEventBatch = z.infer<typeof FleetEventBatch>;

export function isRecordingEvent(event: FleetEvent): event is RecordingEvent {
  return event.type.startsWith("recording.");
}

export function isRtmpEvent(event: FleetEvent): event is RtmpEvent {
  return event.type === "rtmp.state";
}
