/**
 * What the anchored media benchmarks drive on the server side, in one shape for both sides: a room
 * on one mediasoup worker that creates WebRTC transports, produces and consumes. `bare-room.ts` is
 * mediasoup alone (what mediasoup-demo does); `parley-room.ts` is the media node's own code
 * (WorkerPool, MediaNode, Room). The clients and the RTP are the same for both, so their ratio is
 * what Parley's orchestration costs.
 */
import type { types } from "mediasoup";

export type RoomSide = "bare" | "parley";

export interface WebRtcTransportOptions {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

export interface ConsumerOptions {
  id: string;
  producerId: string;
  kind: types.MediaKind;
  rtpParameters: types.RtpParameters;
}

export interface MediaRoom {
  readonly side: RoomSide;
  /** The room's worker, for CPU sampling. */
  readonly worker: types.Worker;
  /** The room's router, for the PlainTransport shape (which no Parley API creates). */
  readonly router: types.Router;
  readonly rtpCapabilities: types.RtpCapabilities;
  createTransport(direction: "send" | "recv"): Promise<WebRtcTransportOptions>;
  connectTransport(transportId: string, dtlsParameters: types.DtlsParameters): Promise<void>;
  produce(transportId: string, kind: types.MediaKind, rtpParameters: types.RtpParameters): Promise<string>;
  /** Consumers start paused (both sides do it, so the first keyframe reaches a ready receiver). */
  consume(transportId: string, producerId: string, rtpCapabilities: types.RtpCapabilities): Promise<ConsumerOptions>;
  resumeConsumer(consumerId: string): Promise<void>;
  closeTransport(transportId: string): void;
  close(): Promise<void>;
}

/** Closes a worker and waits for its process to go (slow with a thousand transports), so none outlives the run. */
export async function closeWorker(worker: types.Worker): Promise<void> {
  if (worker.closed) return;
  const exited = new Promise<void>((resolve) => worker.once("subprocessclose", resolve));
  worker.close();
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
}
