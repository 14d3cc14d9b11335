/** A small typed event emitter that runs in browsers and Node alike (no node:events). */
export class TypedEmitter<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
  #listeners = new Map<keyof Events, Set<(...args: never[]) => void>>();

  on<K extends keyof Events>(event: K, listener: Events[K]): this {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off<K extends keyof Events>(event: K, listener: Events[K]): this {
    this.#listeners.get(event)?.delete(listener);
    return this;
  }

  once<K extends keyof Events>(event: K, listener: Events[K]): this {
    const wrapper = ((...args: Parameters<Events[K]>) => {
      this.off(event, wrapper);
      (listener as (...a: Parameters<Events[K]>) => void)(...args);
    }) as unknown as Events[K];
    return this.on(event, wrapper);
  }

  /** Resolves with the arguments of the next `event` that satisfies `where`. */
  waitFor<K extends keyof Events>(
    event: K,
    where: (...args: Parameters<Events[K]>) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<Parameters<Events[K]>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off(event, handler);
        reject(new Error(`timed out waiting for ${String(event)}`));
      }, timeoutMs);
      const handler = ((...args: Parameters<Events[K]>) => {
        if (!where(...args)) return;
        clearTimeout(timer);
        this.off(event, handler);
        resolve(args);
      }) as unknown as Events[K];
      this.on(event, handler);
    });
  }

  protected emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (listener as (...a: Parameters<Events[K]>) => void)(...args);
      } catch (err) {
        console.error(`listener for ${String(event)} threw`, err);
      }
    }
  }
}
