/**
 * RTMP push (issue 4): one member's camera + microphone, or the room's composite, re-encoded live
 * (H.264 + AAC in FLV) and published to an RTMP(S) URL the customer gives — a streaming service's
 * ingest, typically `rtmp://host/app/<stream key>`. The node runs one ffmpeg per push; the push is
 * not stored and is not a recording: it has its own ids, routes and status.
 */
import * as z from "zod";
import { EmptyBody, MemberTag, NodeRoomId } from "./control.js";
import { RecordingId } from "./recording.js";
import { CompositeOptions } from "./recording-composite.js";

export const RTMP_LIMITS = {
  /** The whole URL, stream key included. */
  maxUrlChars: 1024,
} as const;

/** `rtmp://` or `rtmps://`, a host, a path (app/stream); no credentials in the authority, no spaces. */
export const RtmpUrl = z
  .string()
  .max(RTMP_LIMITS.maxUrlChars, `url is longer than ${RTMP_LIMITS.maxUrlChars} characters`)
  .superRefine((s, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: "custom", message });
    if (!/^rtmps?:\/\//i.test(s)) return fail("url must be rtmp:// or rtmps://");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (/[\s\u0000-\u001f\u007f]/.test(s)) return fail("url must not contain spaces or control characters");
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      return fail("url is not a valid URL");
    }
    if (!u.hostname) return fail("url has no host");
    if (u.username || u.password) return fail("url must not carry user:password@; put credentials in the stream key");
    if (u.pathname.replace(/^\/+/, "") === "") return fail("url needs an application path, e.g. rtmp://host/live/<stream key>");
  });

/** A push's source; `member` is how the side naming it spells members (node tag, public member id). */
export function rtmpSourceSchema<M extends z.ZodString>(member: M) {
  return z.discriminatedUnion(
    "kind",
    [
      /** One member's first video and first audio producer (either may be missing, not both). */
      z.object({ kind: z.literal("member"), member }).strict(),
      /** The room's composite (same options as a composite recording; all defaults when omitted). */
      z.object({ kind: z.literal("composite"), composite: CompositeOptions.optional() }).strict(),
    ],
    { error: 'source kind must be "member" or "composite"' },
  );
}

export const RtmpSource = rtmpSourceSchema(MemberTag);
export type RtmpSource = z.input<typeof RtmpSource>;

/** `POST /rooms/:room/rtmp`. */
export const StartRtmpRequest = z
  .object({
    /** Chosen by the edge (a retried request is idempotent); same rules as recording ids. */
    pushId: RecordingId,
    url: RtmpUrl,
    source: RtmpSource,
  })
  .strict();
export type StartRtmpRequest = z.input<typeof StartRtmpRequest>;

export const RTMP_STATES = ["starting", "live", "stopped", "failed"] as const;
export type RtmpState = (typeof RTMP_STATES)[number];

/** Never carries the URL (it holds the stream key). */
export const RtmpStatus = z
  .object({
    pushId: RecordingId,
    room: NodeRoomId,
    state: z.enum(RTMP_STATES),
    /** ms since the epoch, when the node accepted the push. */
    startedAt: z.number().int().nonnegative(),
    /** Set when the push ended (stopped or failed). */
    endedAt: z.number().int().nonnegative().optional(),
    /** Why it failed (state "failed"), or the last reconnect's reason. */
    error: z.string().max(500).optional(),
  })
  .strict();
export type RtmpStatus = z.infer<typeof RtmpStatus>;

/** Node → edge, in the fleet event batch: a push changed state (never carries the URL). */
export const RtmpEvent = z
  .object({
    type: z.literal("rtmp.state"),
    room: NodeRoomId,
    at: z.number().int().nonnegative(),
    pushId: RecordingId,
    state: z.enum(RTMP_STATES),
    error: z.string().max(500).optional(),
  })
  .strict();
export type RtmpEvent = z.infer<typeof RtmpEvent>;

/** Signed and served like RECORDING_ROUTES; `:id` is the pushId. */
export const RTMP_ROUTES = {
  startRtmp: { method: "POST", path: "/rooms/:room/rtmp", request: StartRtmpRequest, response: RtmpStatus },
  stopRtmp: { method: "POST", path: "/rooms/:room/rtmp/:id/stop", request: EmptyBody, response: RtmpStatus },
  getRtmp: { method: "GET", path: "/rooms/:room/rtmp/:id", request: null, response: RtmpStatus },
} as const;
export type RtmpRouteName = keyof typeof RTMP_ROUTES;
