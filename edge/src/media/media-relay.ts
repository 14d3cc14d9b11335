import {
  assertNever,
  MEDIA_REQUESTS,
  type MediaRequest,
  type MediaResults,
  type MuteUserRequest,
  type NodeEvent,
  ParleyError,
  type SignalEvent,
  type TrackQualitySample,
} from "@parley/shared";
import { log } from "../log/index.js";
import { requireGrant, type SocketState } from "../rooms/socket-state.js";
import { MediaStore, type ProducerRow } from "./media-store.js";
import type { RoomNode } from "./room-node.js";

const MEDIA_TYPES = new Set<string>(MEDIA_REQUESTS.map((r) => r.shape.type.value));

export function isMediaRequest(request: { type: string }): request is MediaRequest {
  return MEDIA_TYPES.has(request.type);
}

/** How the relay reaches members; the Room DO owns the sockets. */
export interface MemberChannel {
  broadcast(event: SignalEvent, except?: string): void;
  sendTo(member: string, event: SignalEvent): void;
}

/**
 * The Room DO's media half: checks that members only touch their own transports, producers and
 * consumers, relays negotiation to the room's node (room-node.ts), and turns node events into
 * member events.
 */
export class MediaRelay {
  #store: MediaStore;
  #node: RoomNode;
  #channel: MemberChannel;

  constructor(sql: SqlStorage, node: RoomNode, channel: MemberChannel) {
    this.#store = new MediaStore(sql);
    this.#node = node;
    this.#channel = channel;
  }

  tracks() {
    return this.#store.tracks();
  }

  /** The node carrying the room's media, if one was placed. */
  nodeId(): string | null {
    return this.#node.id();
  }

  async handle(member: string, state: SocketState, req: MediaRequest): Promise<MediaResults[MediaRequest["type"]]> {
    switch (req.type) {
      case "media.capabilities": {
        const { rtpCapabilities } = await (await this.#node.placed()).call("getOrCreateRouter", {});
        return { rtpCapabilities };
      }
      case "transport.create": {
        requireGrant(state, req.direction === "send" ? "publish" : "subscribe");
        const created = await (await this.#node.placed()).call("createTransport", { direction: req.direction, member });
        this.#store.addTransport({ id: created.transportId, member, direction: req.direction });
        return created;
      }
      case "transport.connect":
        this.#ownTransport(member, req.transportId);
        await (await this.#node.placed()).call("connectTransport", { dtlsParameters: req.dtlsParameters }, req.transportId);
        return {};
      case "transport.restartIce": {
        this.#ownTransport(member, req.transportId);
        const { iceParameters } = await (await this.#node.placed()).call("restartIce", {}, req.transportId);
        return { iceParameters };
      }
      case "produce": {
        requireGrant(state, "publish");
        const transport = this.#ownTransport(member, req.transportId);
        if (transport.direction !== "send") throw new ParleyError("INVALID_REQUEST", "produce on a send transport");
        const { producerId } = await (await this.#node.placed()).call(
          "produce",
          { kind: req.kind, rtpParameters: req.rtpParameters, appData: { source: req.source, member }, paused: req.paused },
          req.transportId,
        );
        const row: ProducerRow = {
          id: producerId,
          member,
          transport: req.transportId,
          kind: req.kind,
          source: req.source,
          paused: req.paused ? 1 : 0,
        };
        this.#store.addProducer(row);
        if (!state.grants.hidden) {
          this.#channel.broadcast(
            { type: "track.published", track: { id: producerId, member, kind: req.kind, source: req.source, muted: !!req.paused } },
            member,
          );
        }
        return { producerId };
      }
      case "consume": {
        requireGrant(state, "subscribe");
        const transport = this.#ownTransport(member, req.transportId);
        if (transport.direction !== "recv") throw new ParleyError("INVALID_REQUEST", "consume on a recv transport");
        if (!this.#store.producer(req.producerId)) throw new ParleyError("PRODUCER_NOT_FOUND", `no track ${req.producerId} in this room`);
        const consumed = await (await this.#node.placed()).call(
          "consume",
          { producerId: req.producerId, rtpCapabilities: req.rtpCapabilities },
          req.transportId,
        );
        this.#store.addConsumer({ id: consumed.consumerId, member, producer: req.producerId, transport: req.transportId });
        return {
          consumerId: consumed.consumerId,
          producerId: consumed.producerId,
          kind: consumed.kind,
          rtpParameters: consumed.rtpParameters,
          type: consumed.type,
          producerPaused: consumed.producerPaused,
        };
      }
      case "consumer.resume":
      case "consumer.pause": {
        this.#ownConsumer(member, req.consumerId);
        await (await this.#node.placed()).call(req.type === "consumer.resume" ? "resumeConsumer" : "pauseConsumer", {}, req.consumerId);
        return {};
      }
      case "consumer.layers":
        this.#ownConsumer(member, req.consumerId);
        await (await this.#node.placed()).call(
          "setPreferredLayers",
          { spatialLayer: req.spatialLayer, temporalLayer: req.temporalLayer },
          req.consumerId,
        );
        return {};
      case "producer.pause":
      case "producer.resume": {
        this.#ownProducer(member, req.producerId);
        const paused = req.type === "producer.pause";
        await (await this.#node.placed()).call(paused ? "pauseProducer" : "resumeProducer", {}, req.producerId);
        this.#store.setPaused(req.producerId, paused);
        this.#channel.broadcast({ type: "track.muted", track: req.producerId, member, muted: paused }, member);
        return {};
      }
      case "producer.close":
        this.#ownProducer(member, req.producerId);
        await (await this.#node.placed()).call("closeProducer", undefined, req.producerId);
        this.#unpublished(this.#store.removeProducer(req.producerId));
        return {};
      default:
        return assertNever(req);
    }
  }

  /**
   * The app mutes members (`POST /v1/rooms/:room/members/:user/mute`): pauses their tracks that
   * match on the node, and tells everyone, the muted member included. Answers how many it paused
   * (tracks already paused are left alone and not counted).
   */
  async mute(members: string[], filter: MuteUserRequest): Promise<number> {
    const matching = members
      .flatMap((m) => this.#store.producersOf(m))
      .filter((p) => p.paused === 0 && (!filter.kind || p.kind === filter.kind) && (!filter.source || p.source === filter.source));
    for (const p of matching) {
      await (await this.#node.placed()).call("pauseProducer", {}, p.id);
      this.#store.setPaused(p.id, true);
      this.#channel.broadcast({ type: "track.muted", track: p.id, member: p.member, muted: true });
    }
    return matching.length;
  }

  /** Members are gone from the room: close what they had open on the node. */
  async membersGone(members: string[], roomEmpty: boolean): Promise<void> {
    if (roomEmpty) {
      for (const p of this.#store.clear()) this.#unpublished(p);
      const control = this.#node.existing();
      this.#node.forget();
      if (control)
        await control
          .call("closeRoom")
          .catch((error) => log({ event: "media.cleanup_failed", node: control.node, step: "closeRoom", error }));
      return;
    }
    for (const member of members) {
      for (const transport of this.#store.transportsOf(member)) {
        for (const p of this.#store.removeTransport(transport.id)) this.#unpublished(p);
        const control = this.#node.existing();
        await control
          ?.call("closeTransport", undefined, transport.id)
          .catch((error) => log({ event: "media.cleanup_failed", node: control.node, step: "closeTransport", error }));
      }
    }
  }

  /**
   * Events the room's node reports; events from a node that is not the room's are ignored.
   * Returns the stream scores among them, per member, for the call's quality timeline.
   */
  nodeEvents(node: string, events: NodeEvent[]): Map<string, TrackQualitySample[]> {
    const scores = new Map<string, TrackQualitySample[]>();
    if (this.#node.id() !== node) return scores;
    const score = (member: string, sample: TrackQualitySample) => scores.set(member, [...(scores.get(member) ?? []), sample]);
    for (const event of events) {
      switch (event.type) {
        case "producer.closed":
          this.#unpublished(this.#store.removeProducer(event.producerId));
          break;
        case "consumer.closed": {
          const row = this.#store.removeConsumer(event.consumerId);
          if (row) this.#channel.sendTo(row.member, { type: "consumer.closed", consumerId: row.id, track: row.producer });
          break;
        }
        case "consumer.layers": {
          const row = this.#store.consumer(event.consumerId);
          if (row) {
            this.#channel.sendTo(row.member, {
              type: "layers.changed",
              consumerId: row.id,
              spatialLayer: event.layers?.spatialLayer ?? null,
              temporalLayer: event.layers?.temporalLayer ?? null,
            });
          }
          break;
        }
        case "room.activeSpeaker": {
          const producer = this.#store.producer(event.producerId);
          if (producer) this.#channel.broadcast({ type: "speaker.active", member: producer.member, track: producer.id });
          break;
        }
        case "room.closed":
          for (const p of this.#store.clear()) this.#unpublished(p);
          this.#node.forget();
          break;
        case "producer.score": {
          const p = this.#store.producer(event.producerId);
          const best = Math.max(0, ...event.scores.map((s) => s.score));
          if (p) score(p.member, scoreSample(p.id, "send", p.kind, best));
          break;
        }
        case "consumer.score": {
          const c = this.#store.consumer(event.consumerId);
          const p = c ? this.#store.producer(c.producer) : null;
          if (c && p) score(c.member, scoreSample(p.id, "recv", p.kind, event.score));
          break;
        }
        case "transport.state":
          break;
        default:
          assertNever(event);
      }
    }
    return scores;
  }

  #unpublished(p: ProducerRow | null): void {
    if (p) this.#channel.broadcast({ type: "track.unpublished", track: p.id, member: p.member }, p.member);
  }

  #ownTransport(member: string, id: string) {
    const row = this.#store.transport(id);
    if (!row || row.member !== member) throw new ParleyError("TRANSPORT_NOT_FOUND", `you have no transport ${id}`);
    return row;
  }
  #ownProducer(member: string, id: string) {
    const row = this.#store.producer(id);
    if (!row || row.member !== member) throw new ParleyError("PRODUCER_NOT_FOUND", `you have no track ${id}`);
    return row;
  }
  #ownConsumer(member: string, id: string) {
    const row = this.#store.consumer(id);
    if (!row || row.member !== member) throw new ParleyError("CONSUMER_NOT_FOUND", `you have no consumer ${id}`);
    return row;
  }
}

/** A quality-timeline sample from a node score: only the score is known. */
function scoreSample(trackId: string, direction: "send" | "recv", kind: "audio" | "video", score: number): TrackQualitySample {
  return {
    trackId,
    direction,
    kind,
    bitrate: 0,
    packets: 0,
    packetsLost: 0,
    loss: 0,
    jitterMs: null,
    rttMs: null,
    fps: null,
    width: null,
    height: null,
    framesDecoded: null,
    audioLevel: null,
    mos: null,
    score,
  };
}
