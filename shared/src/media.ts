/**
 * Media negotiation over signalling (client ⇄ Room DO). The Room DO relays these to the room's
 * media node through the control API (control.ts) after checking the member owns what it names.
 */
import * as z from "zod";
import {
  DtlsParameters,
  type IceCandidate,
  type IceParameters,
  MediaId,
  MediaKind,
  RtpCapabilities,
  RtpParameters,
  TrackSource,
} from "./control.js";
import { RequestId } from "./ids.js";

const base = { id: RequestId };

export const MediaCapabilitiesRequest = z.object({ ...base, type: z.literal("media.capabilities") }).strict();
export const TransportCreateRequest = z
  .object({ ...base, type: z.literal("transport.create"), direction: z.enum(["send", "recv"]) })
  .strict();
export const TransportConnectRequest = z
  .object({ ...base, type: z.literal("transport.connect"), transportId: MediaId, dtlsParameters: DtlsParameters })
  .strict();
export const TransportRestartIceRequest = z.object({ ...base, type: z.literal("transport.restartIce"), transportId: MediaId }).strict();
export const ProduceSignalRequest = z
  .object({
    ...base,
    type: z.literal("produce"),
    transportId: MediaId,
    kind: MediaKind,
    rtpParameters: RtpParameters,
    source: TrackSource,
    paused: z.boolean().optional(),
  })
  .strict();
export const ConsumeSignalRequest = z
  .object({ ...base, type: z.literal("consume"), transportId: MediaId, producerId: MediaId, rtpCapabilities: RtpCapabilities })
  .strict();
export const ConsumerResumeRequest = z.object({ ...base, type: z.literal("consumer.resume"), consumerId: MediaId }).strict();
export const ConsumerPauseRequest = z.object({ ...base, type: z.literal("consumer.pause"), consumerId: MediaId }).strict();
export const ConsumerLayersRequest = z
  .object({
    ...base,
    type: z.literal("consumer.layers"),
    consumerId: MediaId,
    spatialLayer: z.number().int().min(0).max(7),
    temporalLayer: z.number().int().min(0).max(7).optional(),
  })
  .strict();
export const ProducerPauseRequest = z.object({ ...base, type: z.literal("producer.pause"), producerId: MediaId }).strict();
export const ProducerResumeRequest = z.object({ ...base, type: z.literal("producer.resume"), producerId: MediaId }).strict();
export const ProducerCloseRequest = z.object({ ...base, type: z.literal("producer.close"), producerId: MediaId }).strict();

export const MEDIA_REQUESTS = [
  MediaCapabilitiesRequest,
  TransportCreateRequest,
  TransportConnectRequest,
  TransportRestartIceRequest,
  ProduceSignalRequest,
  ConsumeSignalRequest,
  ConsumerResumeRequest,
  ConsumerPauseRequest,
  ConsumerLayersRequest,
  ProducerPauseRequest,
  ProducerResumeRequest,
  ProducerCloseRequest,
] as const;

export type MediaRequest = z.infer<(typeof MEDIA_REQUESTS)[number]>;

/** A published track as members see it. `id` is the producer id: pass it to `consume`. */
export interface TrackInfo {
  id: string;
  member: string;
  kind: z.infer<typeof MediaKind>;
  source: z.infer<typeof TrackSource>;
  muted: boolean;
}

export interface MediaResults {
  "media.capabilities": { rtpCapabilities: z.infer<typeof RtpCapabilities> };
  "transport.create": {
    transportId: string;
    iceParameters: z.infer<typeof IceParameters>;
    iceCandidates: z.infer<typeof IceCandidate>[];
    dtlsParameters: z.infer<typeof DtlsParameters>;
  };
  "transport.connect": Record<string, never>;
  "transport.restartIce": { iceParameters: z.infer<typeof IceParameters> };
  produce: { producerId: string };
  consume: {
    consumerId: string;
    producerId: string;
    kind: z.infer<typeof MediaKind>;
    rtpParameters: z.infer<typeof RtpParameters>;
    type: "simple" | "simulcast" | "svc" | "pipe";
    producerPaused: boolean;
  };
  "consumer.resume": Record<string, never>;
  "consumer.pause": Record<string, never>;
  "consumer.layers": Record<string, never>;
  "producer.pause": Record<string, never>;
  "producer.resume": Record<string, never>;
  "producer.close": Record<string, never>;
}

export type MediaEvent =
  | { type: "track.published"; track: TrackInfo }
  | { type: "track.unpublished"; track: string; member: string }
  | { type: "track.muted"; track: string; member: string; muted: boolean }
  | { type: "layers.changed"; consumerId: string; spatialLayer: number | null; temporalLayer: number | null }
  | { type: "speaker.active"; member: string; track: string }
  | { type: "consumer.closed"; consumerId: string; track: string };
