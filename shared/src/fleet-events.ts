/**
 * Everything a media node reports to the edge in one batch: media events (control.ts) and
 * recording events (recording.ts). Kept apart from both so neither contract imports the other.
 */
import { z } from "zod";
import { CONTROL_LIMITS, NodeEvent, NodeId } from "./control.js";
import { RecordingEvent } from "./recording.js";

export const FleetEvent = z.discriminatedUnion("type", [...NodeEvent.options, ...RecordingEvent.options]);
export type FleetEvent = z.infer<typeof FleetEvent>;

export const FleetEventBatch = z.object({ node: NodeId, events: z.array(FleetEvent).min(1).max(CONTROL_LIMITS.eventsPerBatch) }).strict();
export type FleetEventBatch = z.infer<typeof FleetEventBatch>;

export function isRecordingEvent(event: FleetEvent): event is RecordingEvent {
  return event.type.startsWith("recording.");
}
