/**
 * Parley's side of the anchored benchmarks: a room as the media node runs it — its WorkerPool (one
 * worker with its WebRtcServer), MediaNode placement and Room (router with Parley's codecs and
 * active-speaker observer, WebRTC transports, paused consumers, keyframe-request delay, the events
 * the node reports). Only the control server's HTTP in front of Room is left out: the edge's
 * requests would call these same methods.
 */
import type { types } from "mediasoup";
import { createLogger } from "../../../media-fleet/src/logger.js";
import { MediaNode } from "../../../media-fleet/src/media-node.js";
import type { Room } from "../../../media-fleet/src/room.js";
import { WorkerPool } from "../../../media-fleet/src/worker-pool.js";
import { freePort } from "../../../media-fleet/test/free-port.js";
import type { ConsumerOptions, MediaRoom, WebRtcTransportOptions } from "./media-room.js";

export class ParleyRoom implements MediaRoom {
  readonly side = "parley" as const;
  readonly worker: types.Worker;
  readonly router: types.Router;
  readonly #node: MediaNode;
  readonly #room: Room;

  private constructor(node: MediaNode, room: Room, worker: types.Worker, router: types.Router) {
    this.#node = node;
    this.#room = room;
    this.worker = worker;
    this.router = router;
  }

  static async open(name: string): Promise<ParleyRoom> {
    const logger = createLogger("warn", { node: "bench" });
    const pool = await WorkerPool.create({
      numWorkers: 1,
      listenIp: "127.0.0.1",
      announcedIp: "127.0.0.1",
      basePort: await freePort(),
      logger,
    });
    const node = new MediaNode(pool, logger);
    try {
      const worker = pool.slots[0]!.worker;
      // Room keeps its router private; mediasoup's observer API shows it (as the recorder finds it).
      const routerCreated = new Promise<types.Router>((resolve) => worker.observer.once("newrouter", resolve));
      const room = await node.getOrCreateRoom(name);
      return new ParleyRoom(node, room, worker, await routerCreated);
    } catch (error) {
      node.close();
      throw error;
    }
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.#room.routerInfo().rtpCapabilities as types.RtpCapabilities;
  }

  async createTransport(direction: "send" | "recv"): Promise<WebRtcTransportOptions> {
    const t = await this.#room.createTransport({ direction, member: `bench-${direction}` });
    return {
      id: t.transportId,
      iceParameters: t.iceParameters as types.IceParameters,
      iceCandidates: t.iceCandidates as types.IceCandidate[],
      dtlsParameters: t.dtlsParameters as types.DtlsParameters,
    };
  }

  async connectTransport(transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    await this.#room.connectTransport(transportId, { dtlsParameters: dtlsParameters as never });
  }

  async produce(transportId: string, kind: types.MediaKind, rtpParameters: types.RtpParameters): Promise<string> {
    const { producerId } = await this.#room.produce(transportId, {
      kind,
      rtpParameters: rtpParameters as never,
      appData: { source: kind === "audio" ? "microphone" : "camera" },
    });
    return producerId;
  }

  async consume(transportId: string, producerId: string, rtpCapabilities: types.RtpCapabilities): Promise<ConsumerOptions> {
    const c = await this.#room.consume(transportId, { producerId, rtpCapabilities: rtpCapabilities as never });
    return { id: c.consumerId, producerId, kind: c.kind, rtpParameters: c.rtpParameters as types.RtpParameters };
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    await this.#room.setConsumerPaused(consumerId, false);
  }

  closeTransport(transportId: string): void {
    this.#room.closeTransport(transportId);
  }

  async close(): Promise<void> {
    const worker = this.worker;
    const exited = new Promise<void>((resolve) => worker.once("subprocessclose", resolve));
    this.#node.close();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
}
