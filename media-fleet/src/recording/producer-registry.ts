/**
 * Which producers each room's router has, learnt from mediasoup's observer API (worker → router →
 * transport → producer) so recordings can find a room's tracks, and hear of new ones, without the
 * Room class having to expose its internals. Rooms are named by the router's `appData.room`.
 */
import { EventEmitter } from "node:events";
import type { types } from "mediasoup";
import type { WorkerPool } from "../worker-pool.js";

export interface ProducerRegistryEvents {
  newproducer: [room: string, producer: types.Producer];
  roomclose: [room: string];
}

interface RoomEntry {
  router: types.Router;
  producers: Map<string, types.Producer>;
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
