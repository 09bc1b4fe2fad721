/**
 * Every event id live ingest has accepted, exactly (64-bit ids as two uint32 halves), each
 * with a small integer value: where the event is kept, or a marker. Open addressing in
 * typed arrays: 12 bytes a slot, at most half the slots used, no object per id. Exact (not
 * a Bloom filter), because a duplicate must be told from a new event to count like replay.
 */
export class EventIdIndex {
  #hi: Uint32Array;
  #lo: Uint32Array;
  /** Value + 1 per slot; 0 = empty. */
  #value: Int32Array;
  #mask: number;
  #size = 0;

  constructor(capacity = 1 << 12) {
    const slots = 2 ** Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.#hi = new Uint32Array(slots);
    this.#lo = new Uint32Array(slots);
    this.#value = new Int32Array(slots);
    this.#mask = slots - 1;
  }

  /** Ids held. */
  get size(): number {
    return this.#size;
  }

  #slotOf(hi: number, lo: number): number {
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0xc2b2ae35);
    let slot = (h ^ (h >>> 13)) & this.#mask;
    for (;;) {
      if (this.#value[slot] === 0 || (this.#hi[slot] === hi && this.#lo[slot] === lo)) return slot;
      slot = (slot + 1) & this.#mask;
    }
  }

  /** The value of an id, or `undefined` when it was never set. */
  get(hi: number, lo: number): number | undefined {
    const slot = this.#slotOf(hi, lo);
    const v = this.#value[slot] as number;
    return v === 0 ? undefined : v > 0 ? v - 1 : v;
  }

  /** Sets an id's value (a non-negative integer below 2^31 − 1, or a negative marker ≥ −2^30). */
  set(hi: number, lo: number, value: number): void {
    const slot = this.#slotOf(hi, lo);
    if (this.#value[slot] === 0) {
      if ((this.#size + 1) * 2 > this.#value.length) {
        this.#grow();
        this.set(hi, lo, value);
        return;
      }
      this.#size++;
      this.#hi[slot] = hi;
      this.#lo[slot] = lo;
    }
    // Stored as value + 1 so that 0 means empty; negative markers stay negative.
    this.#value[slot] = value >= 0 ? value + 1 : value;
  }

  #grow(): void {
    const hi = this.#hi;
    const lo = this.#lo;
    const value = this.#value;
    const slots = value.length * 2;
    this.#hi = new Uint32Array(slots);
    this.#lo = new Uint32Array(slots);
    this.#value = new Int32Array(slots);
    this.#mask = slots - 1;
    for (let i = 0; i < value.length; i++) {
      const v = value[i] as number;
      if (v === 0) continue;
      const slot = this.#slotOf(hi[i] as number, lo[i] as number);
      this.#hi[slot] = hi[i] as number;
      this.#lo[slot] = lo[i] as number;
      this.#value[slot] = v;
    }
  }
}
