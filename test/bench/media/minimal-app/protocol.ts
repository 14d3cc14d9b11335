/**
 * The minimal app's WebSocket protocol: a request carries an id and a method, the answer the same id
 * and a result or an error — the shape of mediasoup-demo's protoo requests, without protoo. The
 * server checks every request with these schemas; mediasoup checks the RTP objects themselves.
 */
import { z } from "zod";

/** A frame larger than this is refused (RTP capabilities and parameters are a few KiB). */
export const MAX_FRAME_BYTES = 64 * 1024;

const Id = z.string().min(1).max(64);
/** mediasoup validates these in full; the app only passes them through. */
const MediasoupObject = z.record(z.string(), z.unknown());

export const Request = z.discriminatedUnion("method", [
  z.object({ id: z.number().int(), method: z.literal("join") }).strict(),
  z.object({ id: z.number().int(), method: z.literal("createTransport"), direction: z.enum(["send", "recv"]) }).strict(),
  z.object({ id: z.number().int(), method: z.literal("connectTransport"), transportId: Id, dtlsParameters: MediasoupObject }).strict(),
  z
    .object({
      id: z.number().int(),
      method: z.literal("produce"),
      transportId: Id,
      kind: z.enum(["audio", "video"]),
      rtpParameters: MediasoupObject,
    })
    .strict(),
  z
    .object({ id: z.number().int(), method: z.literal("consume"), transportId: Id, producerId: Id, rtpCapabilities: MediasoupObject })
    .strict(),
  z.object({ id: z.number().int(), method: z.literal("resumeConsumer"), consumerId: Id }).strict(),
]);
export type Request = z.infer<typeof Request>;
export type Method = Request["method"];

export interface Response {
  id: number;
  result?: unknown;
  error?: string;
}
