/**
 * The node's RTMP pushes (rtmp-push.ts does one): started and stopped for the control API, told when
 * their room's producers or active speaker change, stopped when the room closes and when the node
 * shuts down. Each state change goes out as an `rtmp.state` event (the edge turns them into webhooks).
 */
import { EventEmitter } from "node:events";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ParleyError, type RtmpEvent, type RtmpStatus, StartRtmpRequest } from "@parley/shared";
import { tellSpeaker } from "../composite/speaker-follower.js";
import type { FfmpegLauncher } from "../ffmpeg/ffmpeg-process.js";
import type { PortPairs } from "../ffmpeg/ports.js";
import type { Logger } from "../logger.js";
import type { ProducerRegistry } from "../producer-registry.js";
import { RtmpPush } from "./rtmp-push.js";

export interface RtmpPushesEvents {
  event: [event: RtmpEvent];
}

export class RtmpPushes extends EventEmitter<RtmpPushesEvents> {
  readonly #registry: ProducerRegistry;
  readonly #deps: { ports: PortPairs; ffmpeg: FfmpegLauncher; logger: Logger };
  readonly #pushes = new Map<string, RtmpPush>();
  #closed = false;

  constructor(registry: ProducerRegistry, deps: { ports: PortPairs; ffmpeg: FfmpegLauncher; logger: Logger }) {
    super();
    this.#registry = registry;
    this.#deps = deps;
    registry.on("newproducer", (room, producer) => {
      this.#producersChanged(room);
      producer.observer.once("close", () => this.#producersChanged(room));
    });
    registry.on("activespeaker", (room, producer) => {
      for (const push of this.#inRoom(room)) tellSpeaker(push, producer);
    });
    registry.on("roomclose", (room) => {
      for (const push of this.#inRoom(room)) void push.stop("the room closed");
    });
  }

  /** Idempotent for the same id in the same room; answers at once in "starting" ("live" once frames reach the server). */
  async start(room: string, body: StartRtmpRequest): Promise<RtmpStatus> {
    if (this.#closed) throw new ParleyError("NODE_DRAINING", "this node is shutting down");
    const request = StartRtmpRequest.parse(body);
    const existing = this.#pushes.get(request.pushId);
    if (existing && existing.room !== room) throw new ParleyError("RECORDING_EXISTS", "an RTMP push with this id exists in another room");
    if (existing && !existing.ended) return existing.status();
    const router = this.#registry.router(room);
    if (!router) throw new ParleyError("ROOM_NOT_ON_NODE", "this node has no router for that room");
    const { source } = request;
    if (source.kind === "member" && !this.#registry.producers(room).some((p) => p.appData.member === source.member && !p.closed))
      throw new ParleyError("MEMBER_NOT_FOUND", `member ${source.member} publishes nothing in this room`);
    const push = await RtmpPush.start(room, request, {
      router,
      producers: () => this.#registry.producers(room),
      ports: this.#deps.ports,
      ffmpeg: this.#deps.ffmpeg,
      dir: await mkdtemp(join(tmpdir(), "parley-rtmp-")),
      logger: this.#deps.logger,
    });
    const report = (status: RtmpStatus) =>
      this.emit("event", {
        type: "rtmp.state",
        room,
        at: Date.now(),
        pushId: status.pushId,
        state: status.state,
        ...(status.error === undefined ? {} : { error: status.error }),
      });
    push.on("state", report);
    // Going live takes I/O, so nothing is missed by listening now, except an end during the start
    // itself (the member stopped publishing meanwhile): that one is reported here.
    if (push.ended) report(push.status());
    this.#pushes.set(push.id, push);
    tellSpeaker(push, this.#registry.speaker(room));
    return push.status();
  }

  async stop(room: string, id: string): Promise<RtmpStatus> {
    const push = this.#get(room, id);
    await push.stop();
    return push.status();
  }

  get(room: string, id: string): RtmpStatus {
    return this.#get(room, id).status();
  }

  /** Node shutdown: every push ends ("stopped", with `reason`) and new ones are refused (NODE_DRAINING). */
  async close(reason = "the node is shutting down"): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#pushes.values()].map((p) => p.stop(reason)));
  }

  #get(room: string, id: string): RtmpPush {
    const push = this.#pushes.get(id);
    if (!push || push.room !== room) throw new ParleyError("NOT_FOUND", "no such RTMP push in this room on this node");
    return push;
  }

  #inRoom(room: string): RtmpPush[] {
    return [...this.#pushes.values()].filter((p) => p.room === room);
  }

  #producersChanged(room: string): void {
    for (const push of this.#inRoom(room)) push.producersChanged();
  }
}
