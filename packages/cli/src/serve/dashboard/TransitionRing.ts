import type { FleetTransition } from '@simfleet/stream';

/**
 * The most recent transitions, in arrival order, in a fixed-size ring: serve keeps no
 * transition history of its own, and the dashboard's chart, its "recent transitions" list
 * and a device's timeline need one. The oldest entry is overwritten once `capacity` is
 * reached, so memory stays bounded however long the server runs.
 *
 * The transition stream carries the event id, not the event's type; `push` takes the type
 * when the caller knows it (the batch being ingested), and `eventTypeOf` answers it for any
 * event the ring still holds a transition of: what the timelines name each change by.
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
  /** Event id → [catalog type id, transitions held that name it]; bounded by `capacity`. */
  readonly #types = new Map<bigint, [number, number]>();
  /** Per slot: 1 when its entry counts in `#types`. */
  readonly #named: Uint8Array;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#items = new Array<FleetTransition | undefined>(capacity);
    this.#named = new Uint8Array(capacity);
  }

  /** Entries held now (at most `capacity`). */
  get size(): number {
    return this.#size;
  }

  /** Entries ever pushed (the ones overwritten included). */
  get total(): number {
    return this.#total;
  }

  /** Keeps `t`, overwriting the oldest entry when full; `typeId` is its event's catalog type when known. */
  push(t: FleetTransition, typeId?: number): void {
    const old = this.#items[this.#next];
    if (old !== undefined && this.#named[this.#next] === 1) {
      const entry = this.#types.get(old.eventId);
      if (entry !== undefined && --entry[1] === 0) this.#types.delete(old.eventId);
    }
    if (typeId !== undefined) {
      const entry = this.#types.get(t.eventId);
      if (entry === undefined) this.#types.set(t.eventId, [typeId, 1]);
      else entry[1]++;
    }
    this.#named[this.#next] = typeId === undefined ? 0 : 1;
    this.#items[this.#next] = t;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size += 1;
    this.#total += 1;
  }

  /**
   * The catalog type id of an event a held transition came from, or undefined when the ring
   * does not know it (never told, or every transition of it overwritten).
   */
  eventTypeOf(eventId: bigint): number | undefined {
    return this.#types.get(eventId)?.[0];
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
