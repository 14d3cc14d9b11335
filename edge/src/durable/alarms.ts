/**
 * A Durable Object has one alarm; its parts share it. Each part says when it next needs to run
 * (`add`), and `reschedule` arms the alarm for the earliest of those times, or clears it when no
 * part needs one.
 */
export class AlarmSchedule {
  readonly #storage: DurableObjectStorage;
  readonly #parts: (() => number | null)[] = [];

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  /** `next` answers when this part next needs the alarm (unix ms), or null when it needs none. */
  add(next: () => number | null): void {
    this.#parts.push(next);
  }

  async reschedule(): Promise<void> {
    const times = this.#parts.map((next) => next()).filter((t): t is number => t !== null);
    if (times.length === 0) await this.#storage.deleteAlarm();
    else await this.#storage.setAlarm(Math.min(...times));
  }
}
