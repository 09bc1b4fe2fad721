import type { FleetTransition } from '@simfleet/stream';

/**
 * The most recent transitions, in arrival order, in a fixed-size ring: serve keeps no
 * transition history of its own, and the dashboard's chart, its "recent transitions" list
 * and a device's timeline need one. The oldest entry is overwritten once `capacity` is
 * reached, so memory stays bounded however long the server runs.
 *
 * @example
 * const ring = new TransitionRing(10_000); pipeline.transitions$.subscribe((t) => ring.push(t));
 * ring.latest(20) // newest first
 */
export class TransitionRing {
  readonly #items: (FleetTransition | undefined)[];
  #next = 0;
  #size = 0;
  #total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#items = new Array<FleetTransition | undefined>(capacity);
  }

  /** Entries held now (at most `capacity`). */
  get size(): number {
    return this.#size;
  }

  /** Entries ever pushed (the ones overwritten included). */
  get total(): number {
    return this.#total;
  }

  push(t: FleetTransition): void {
    this.#items[this.#next] = t;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size += 1;
    this.#total += 1;
  }

  /** Every entry held, oldest first. */
  *[Symbol.iterator](): IterableIterator<FleetTransition> {
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let i = 0; i < this.#size; i++) yield this.#items[(start + i) % this.capacity] as FleetTransition;
  }

  /** Up to `n` entries matching `accept`, newest first. */
  latest(n: number, accept: (t: FleetTransition) => boolean = () => true): FleetTransition[] {
    const out: FleetTransition[] = [];
    for (let i = 1; i <= this.#size && out.length < n; i++) {
      const t = this.#items[(this.#next - i + this.capacity) % this.capacity] as FleetTransition;
      if (accept(t)) out.push(t);
    }
    return out;
  }
}
