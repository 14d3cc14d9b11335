/**
 * Runs callbacks at given times (performance.now() ms) with one timer for all of them: a relay
 * carrying video holds thousands of packets in flight at 150 ms, far too many for a timer each.
 */

interface Entry {
  at: number;
  seq: number;
  run: () => void;
}

export class Scheduler {
  readonly #heap: Entry[] = [];
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #closed = false;
  /** How late callbacks ran against their planned time (ms), for the relay's own health figures. */
  readonly lateness = new LatenessHistogram();

  get pending(): number {
    return this.#heap.length;
  }

  at(time: number, run: () => void): void {
    if (this.#closed) return;
    push(this.#heap, { at: time, seq: this.#seq++, run });
    this.#arm();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#heap.length = 0;
  }

  #arm(): void {
    const next = this.#heap[0];
    if (!next || next.at >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = next.at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, next.at - performance.now()));
  }

  #fire(): void {
    this.#timerAt = Number.POSITIVE_INFINITY;
    // setTimeout has 1 ms granularity: run what is due within half of it
    const now = performance.now() + 0.5;
    while (this.#heap.length > 0 && (this.#heap[0] as Entry).at <= now) {
      const entry = pop(this.#heap) as Entry;
      this.lateness.add(Math.max(0, performance.now() - entry.at));
      entry.run();
    }
    this.#arm();
  }
}

/** Counts in 1 ms buckets up to 100 ms (and one overflow bucket): cheap enough per packet. */
export class LatenessHistogram {
  readonly #buckets = new Array<number>(102).fill(0);
  #count = 0;
  #max = 0;

  add(ms: number): void {
    this.#buckets[Math.min(101, Math.floor(ms))]!++;
    this.#count++;
    if (ms > this.#max) this.#max = ms;
  }

  summary(): { count: number; p50Ms: number; p99Ms: number; maxMs: number } {
    return { count: this.#count, p50Ms: this.#quantile(0.5), p99Ms: this.#quantile(0.99), maxMs: Math.round(this.#max * 10) / 10 };
  }

  #quantile(q: number): number {
    const target = q * this.#count;
    let seen = 0;
    for (let i = 0; i < this.#buckets.length; i++) {
      seen += this.#buckets[i] as number;
      if (seen >= target && seen > 0) return i + 1; // upper edge of the bucket
    }
    return 0;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function push(heap: Entry[], entry: Entry): void {
  heap.push(entry);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i] as Entry, heap[parent] as Entry)) break;
    [heap[i], heap[parent]] = [heap[parent] as Entry, heap[i] as Entry];
    i = parent;
  }
}

function pop(heap: Entry[]): Entry | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0 && last) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && before(heap[l] as Entry, heap[smallest] as Entry)) smallest = l;
      if (r < heap.length && before(heap[r] as Entry, heap[smallest] as Entry)) smallest = r;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest] as Entry, heap[i] as Entry];
      i = smallest;
    }
  }
  return top;
}
