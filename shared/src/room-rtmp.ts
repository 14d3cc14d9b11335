/**
 * RTMP push as customers see it (issue 4): `POST /v1/rooms/:room/rtmp` publishes a member or the
 * room's composite live to an RTMP(S) URL. The URL carries the stream key, so it is never stored or
 * answered: a push shows only its `target` (scheme, host and application, the rest replaced by "…").
 */
import * as z from "zod";
import { MemberId } from "./ids.js";
import { RTMP_STATES, RtmpUrl, rtmpSourceSchema } from "./recording-rtmp.js";

export const ROOM_RTMP_LIMITS = {
  /** Pushes starting or live at once in one room: each is a live H.264 encoder on the node. */
  maxActivePerRoom: 5,
  /** Ended pushes a room keeps listing; older ones are forgotten. */
  keptEnded: 50,
} as const;

/** A member (`m_…`: camera and microphone, black video or silence for a missing one) or the composite. */
export const RoomRtmpSource = rtmpSourceSchema(MemberId);
export type RoomRtmpSource = z.input<typeof RoomRtmpSource>;

export const StartRoomRtmpRequest = z.object({ url: RtmpUrl, source: RoomRtmpSource }).strict();
export type StartRoomRtmpRequest = z.input<typeof StartRoomRtmpRequest>;

export const RtmpPushId = z.string().regex(/^rtmp_[A-Za-z0-9]{8,32}$/, "push ids look like rtmp_ followed by letters and digits");

export const RtmpPushSchema = z.object({
  id: z.string(),
  room: z.string(),
  state: z.enum(RTMP_STATES).meta({ description: "starting until frames reach the server, then live; stopped or failed at the end" }),
  /** `rtmp://host[:port]/app/…`: where it goes, without the stream key. */
  target: z.string(),
  source: z.object({ kind: z.enum(["member", "composite"]), member: z.string().nullable() }),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** Why it failed, or the last reconnect's reason (the node scrubs the stream key out). */
  error: z.string().nullable(),
});
export type RtmpPush = z.infer<typeof RtmpPushSchema>;

export const RtmpPushListSchema = z.object({ pushes: z.array(RtmpPushSchema) });
export type RtmpPushList = z.infer<typeof RtmpPushListSchema>;

/**
 * What may be shown of an RTMP URL: scheme, host and the application (the first path segment) when
 * a stream name follows it; everything else (stream key, query) becomes "…".
 */
export function rtmpTarget(url: string): string {
  try {
    const u = new URL(url);
    const segments = u.pathname.split("/").filter(Boolean);
    const app = segments.length >= 2 ? `${segments[0]}/` : "";
    return `${u.protocol}//${u.host}/${app}…`;
  } catch {
    return "rtmp://?/…";
  }
}
