/**
 * Which producers each room's router has, learnt from mediasoup's observer API (worker → router →
 * transport → producer) so recordings can find a room's tracks, and hear of new ones, without the
 * Room class having to expose its internals. Rooms are named by the router's `appData.room`.
 */
import { EventEmitter } from "node:events";
import type { types } from "mediasoup";
import type { WorkerPool } from "./worker-pool.js";

export interface ProducerRegistryEvents {
  newproducer: [room: string, producer: types.Producer];
  roomclose: [room: string];
  /** The room's ActiveSpeakerObserver (room.ts) named a new dominant speaker (an audio producer). */
  activespeaker: [room: string, producer: types.Producer];
}

interface RoomEntry {
  router: types.Router;
  producers: Map<string, types.Producer>;
  /** The last dominant speaker the room's observer named, so a recording started later begins with them. */
  speaker?: types.Producer;
}

export class ProducerRegistry extends EventEmitter<ProducerRegistryEvents> {
  readonly #rooms = new Map<string, RoomEntry>();

  constructor(pool: WorkerPool) {
    super();
    for (const slot of pool.slots) this.#watch(slot.worker);
    // A replacement worker starts empty; watch it before it gets its first router.
    pool.on("workerreplaced", (index) => {
      const slot = pool.slots.find((s) => s.index === index);
      if (slot) this.#watch(slot.worker);
    });
  }

  router(room: string): types.Router | undefined {
    return this.#rooms.get(room)?.router;
  }

  /** The room's current dominant speaker (an audio producer), if it has named one that is still live. */
  speaker(room: string): types.Producer | undefined {
    const speaker = this.#rooms.get(room)?.speaker;
    return speaker && !speaker.closed ? speaker : undefined;
  }

  producers(room: string): types.Producer[] {
    return [...(this.#rooms.get(room)?.producers.values() ?? [])];
  }

  #watch(worker: types.Worker): void {
    worker.observer.on("newrouter", (router) => {
      const room = router.appData.room;
      if (typeof room !== "string") return;
      const entry: RoomEntry = { router, producers: new Map() };
      this.#rooms.set(room, entry);
      router.observer.once("close", () => {
        if (this.#rooms.get(room) === entry) this.#rooms.delete(room);
        this.emit("roomclose", room);
      });
      router.observer.on("newrtpobserver", (observer) => {
        if (observer.type !== "activespeaker") return;
        (observer as types.ActiveSpeakerObserver).on("dominantspeaker", ({ producer }) => {
          entry.speaker = producer;
          this.emit("activespeaker", room, producer);
        });
      });
      router.observer.on("newtransport", (transport) => {
        transport.observer.on("newproducer", (producer) => {
          entry.producers.set(producer.id, producer);
          producer.observer.once("close", () => entry.producers.delete(producer.id));
          this.emit("newproducer", room, producer);
        });
      });
    });
  }
}
