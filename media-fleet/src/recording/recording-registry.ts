/**
 * The recordings this node holds, by id: what the control API, recovery and the disk watch find
 * recordings through. Each room's producers, active speaker and closing reach its recordings from
 * here, and every recording's events go out through the registry's `event`.
 */
import { EventEmitter } from "node:events";
import { ParleyError, type RecordingEvent } from "@parley/shared";
import { tellSpeaker } from "../composite/speaker-follower.js";
import type { ProducerRegistry } from "../producer-registry.js";
import type { Recording } from "./recording.js";

export interface RecordingRegistryEvents {
  event: [event: RecordingEvent];
}

export class RecordingRegistry extends EventEmitter<RecordingRegistryEvents> {
  readonly #recordings = new Map<string, Recording>();

  constructor(producers: ProducerRegistry) {
    super();
    producers.on("newproducer", (room, producer) => {
      for (const recording of this.#inRoom(room)) void recording.addProducer(producer);
    });
    producers.on("activespeaker", (room, producer) => {
      for (const recording of this.#inRoom(room)) tellSpeaker(recording, producer);
    });
    producers.on("roomclose", (room) => {
      for (const recording of this.#inRoom(room)) void recording.stop();
    });
  }

  /** Holds `recording` from now on and passes its events on. */
  add(recording: Recording): void {
    this.#recordings.set(recording.id, recording);
    recording.on("event", (event) => this.emit("event", event));
  }

  has(id: string): boolean {
    return this.#recordings.has(id);
  }

  /** The recording `id` of `room`, if this node holds it. */
  find(room: string, id: string): Recording | undefined {
    const recording = this.#recordings.get(id);
    return recording?.room === room ? recording : undefined;
  }

  /** A retried start gets the one already made; the same id in another room is refused (RECORDING_EXISTS). */
  existing(room: string, id: string): Recording | undefined {
    const existing = this.#recordings.get(id);
    if (existing && existing.room !== room) throw new ParleyError("RECORDING_EXISTS", "a recording with this id exists in another room");
    return existing;
  }

  /** The recording `id` of `room`; RECORDING_NOT_FOUND when this node does not hold it. */
  get(room: string, id: string): Recording {
    const recording = this.find(room, id);
    if (!recording) throw new ParleyError("RECORDING_NOT_FOUND", "no such recording in this room on this node");
    return recording;
  }

  /** The recordings still capturing (the disk watch stops them when the spool runs out). */
  capturing(): Recording[] {
    return [...this.#recordings.values()].filter((r) => r.state === "recording");
  }

  all(): Recording[] {
    return [...this.#recordings.values()];
  }

  #inRoom(room: string): Recording[] {
    return this.all().filter((r) => r.room === room);
  }
}
