// Interned strings in WASM memory: bytes in one growable arena, a start and a length per
// reference (1, 2, …; 0 is "none"), an open-addressing index of references keyed by a
// 64-bit word hash, and `remap`, the reference each string has in the fleet's pool once
// the boundary adopted it (the boundary reads the strings added since its last look, interns
// them into the fleet's pool in one call, and writes their fleet references here; the module
// then rewrites a chunk's rows with them).

const MIN_SLOTS: u32 = 1 << 12;
const MIN_REFS: u32 = 1 << 10;

@inline function mix(h: u64, w: u64): u64 {
  h = (h ^ w) * 0xbf58476d1ce4e5b9;
  return h ^ (h >> 29);
}

/** Hash of bytes [p, p + len): 8-byte words, the last one masked (reads up to 7 bytes past the end). */
export function hashBytes(p: usize, len: u32): u32 {
  let h: u64 = (<u64>len) * 0x9e3779b97f4a7c15;
  let i: u32 = 0;
  while (i + 8 <= len) {
    h = mix(h, load<u64>(p + i));
    i += 8;
  }
  if (i < len) h = mix(h, load<u64>(p + i) & (u64.MAX_VALUE >> (<u64>(8 - (len - i)) << 3)));
  h *= 0x94d049bb133111eb;
  return <u32>(h ^ (h >> 32));
}

/**
 * Whether bytes [a, a + len) equal [b, b + len): 8-byte words, the last one masked (reads up
 * to 7 bytes past both ends, as `hashBytes` does), so a string of 15 or 19 bytes is two or three
 * compares instead of a byte loop whose exit a varying length mispredicts.
 */
@inline export function sameBytes(a: usize, b: usize, len: u32): bool {
  let i: u32 = 0;
  while (i + 8 <= len) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
    i += 8;
  }
  if (i == len) return true;
  return ((load<u64>(a + i) ^ load<u64>(b + i)) & (u64.MAX_VALUE >> (<u64>(8 - (len - i)) << 3))) == 0;
}

/** Bytes per table slot: the hash, the reference, the string's arena offset and length. */
const SLOT: u32 = 16;

export class Pool {
  /**
   * Slots of 16 bytes (u32 hash, reference (0: empty), arena offset, byte length): a probe
   * finds everything it needs to compare in its slot and then reads the string's bytes, two
   * cache misses a lookup on a table of millions of strings instead of four.
   */
  table: usize = 0;
  slots: u32 = 0;
  /**
   * Slots the table's block has room for (`reserve`): the table doubles in place up to there,
   * so no outgrown copy is left behind (the stub runtime never frees a block that is not the
   * last one), and only the pages of the slots in use are ever touched. 0: none set aside
   * (the table doubles into a new block).
   */
  tableRoom: u32 = 0;
  /** Next reference to give (references 1 … count - 1 exist). */
  count: u32 = 1;
  /** Counts the times the pool was emptied (from 1): a reference noted under another generation may name another string. */
  generation: u32 = 1;
  refCapacity: u32 = 0;
  /** u32 per reference: arena offset, byte length, fleet reference. */
  starts: usize = 0;
  lengths: usize = 0;
  remap: usize = 0;
  bytes: usize = 0;
  used: u32 = 0;
  byteCapacity: u32 = 0;

  constructor() {
    this.slots = MIN_SLOTS;
    this.table = heap.alloc(<usize>MIN_SLOTS * SLOT);
    memory.fill(this.table, 0, <usize>MIN_SLOTS * SLOT);
    this.refCapacity = MIN_REFS;
    this.starts = heap.alloc(<usize>MIN_REFS << 2);
    this.lengths = heap.alloc(<usize>MIN_REFS << 2);
    this.remap = heap.alloc(<usize>MIN_REFS << 2);
    store<u32>(this.remap, 0);
    store<u32>(this.lengths, 0);
    store<u32>(this.starts, 0);
    this.byteCapacity = 1 << 16;
    this.bytes = heap.alloc(this.byteCapacity + 8);
  }

  /**
   * Sets aside, once and before the first string, blocks for `strings` references and
   * `byteCount` bytes of strings, and a table that holds that many at most three quarters
   * full: a pool emptied before it passes them never grows a block again (a growth under the
   * stub runtime leaves the outgrown block behind for good). Memory set aside and not yet
   * used is never touched, so it costs address space, not resident memory.
   */
  reserve(strings: u32, byteCount: u32): void {
    let room = MIN_SLOTS;
    while (<u64>strings * 4 > <u64>room * 3) room <<= 1;
    this.tableRoom = room;
    const table = heap.alloc(<usize>room * SLOT);
    memory.fill(table, 0, <usize>this.slots * SLOT);
    this.table = table;
    this.refCapacity = strings + 1;
    this.starts = heap.alloc(<usize>this.refCapacity << 2);
    this.lengths = heap.alloc(<usize>this.refCapacity << 2);
    this.remap = heap.alloc(<usize>this.refCapacity << 2);
    store<u32>(this.remap, 0);
    store<u32>(this.lengths, 0);
    store<u32>(this.starts, 0);
    this.byteCapacity = byteCount;
    this.bytes = heap.alloc(<usize>byteCount + 8);
  }

  /**
   * Forgets every string, keeping the allocations (the table keeps its size): the pool is a
   * cache in front of the fleet's pool (which keeps them all).
   */
  clear(): void {
    memory.fill(this.table, 0, <usize>this.slots * SLOT);
    this.count = 1;
    this.used = 0;
    this.generation++;
  }

  /** The reference of bytes [p, p + len), added on first sight. */
  intern(p: usize, len: u32): u32 {
    return this.internHashed(p, len, hashBytes(p, len));
  }

  /** A word of the table slot where a lookup of hash h starts (loaded ahead, so the lookup finds it in the cache). */
  @inline touchSlot(h: u32): u32 {
    return load<u32>(this.table + <usize>(h & (this.slots - 1)) * SLOT);
  }

  /** A word of the stored bytes that slot's string has (0 for an empty slot), loaded ahead for the same reason. */
  @inline touchBytes(h: u32): u32 {
    const at = this.table + <usize>(h & (this.slots - 1)) * SLOT;
    return load<u32>(at, 4) == 0 ? 0 : load<u8>(this.bytes + load<u32>(at, 8));
  }

  /** `intern` with the hash (`hashBytes(p, len)`) known. */
  internHashed(p: usize, len: u32, h: u32): u32 {
    const mask = this.slots - 1;
    let slot = h & mask;
    const table = this.table;
    while (true) {
      const at = table + <usize>slot * SLOT;
      const ref = load<u32>(at, 4);
      if (ref == 0) break;
      if (load<u32>(at) == h && load<u32>(at, 12) == len && sameBytes(this.bytes + load<u32>(at, 8), p, len)) return ref;
      slot = (slot + 1) & mask;
    }
    const ref = this.count;
    if (ref >= this.refCapacity) this.growRefs();
    if (this.used + len > this.byteCapacity) this.growBytes(len);
    memory.copy(this.bytes + this.used, p, len);
    const r = <usize>ref << 2;
    store<u32>(this.starts + r, this.used);
    store<u32>(this.lengths + r, len);
    store<u32>(this.remap + r, 0);
    this.put(table + <usize>slot * SLOT, h, ref, this.used, len);
    this.used += len;
    this.count = ref + 1;
    // At most half full, or three quarters once it fills the room set aside for it.
    if (this.count * 2 > this.slots && (this.slots != this.tableRoom || this.count * 4 > this.slots * 3)) this.growTable();
    return ref;
  }

  @inline private put(at: usize, h: u32, ref: u32, start: u32, len: u32): void {
    store<u32>(at, h);
    store<u32>(at, ref, 4);
    store<u32>(at, start, 8);
    store<u32>(at, len, 12);
  }

  private growRefs(): void {
    const n = this.refCapacity * 2;
    this.starts = heap.realloc(this.starts, <usize>n << 2);
    this.lengths = heap.realloc(this.lengths, <usize>n << 2);
    this.remap = heap.realloc(this.remap, <usize>n << 2);
    this.refCapacity = n;
  }

  private growBytes(len: u32): void {
    let n = this.byteCapacity * 2;
    while (this.used + len > n) n *= 2;
    this.bytes = heap.realloc(this.bytes, n + 8);
    this.byteCapacity = n;
  }

  /**
   * Grows the table and puts every reference back (hashed again from its bytes): fourfold
   * while its block has room for that, else twofold (in place while the block has room).
   * Putting a reference back is a store to a random slot, a cache miss each: growing fourfold
   * puts back a third as many on the way to the full size (a fleet's pool of half a million
   * strings: 170k instead of 520k), for a table that is an eighth to a half full instead of a
   * quarter to a half on the way (pages of the block set aside, no memory beyond it).
   */
  private growTable(): void {
    const slots = this.slots * 4 <= this.tableRoom ? this.slots * 4 : this.slots * 2;
    let table = this.table;
    if (slots > this.tableRoom) {
      heap.free(table);
      table = heap.alloc(<usize>slots * SLOT);
      this.tableRoom = 0;
    }
    memory.fill(table, 0, <usize>slots * SLOT);
    const mask = slots - 1;
    for (let ref: u32 = 1; ref < this.count; ref++) {
      const r = <usize>ref << 2;
      const start = load<u32>(this.starts + r);
      const len = load<u32>(this.lengths + r);
      const h = hashBytes(this.bytes + start, len);
      let slot = h & mask;
      while (load<u32>(table + <usize>slot * SLOT, 4) != 0) slot = (slot + 1) & mask;
      this.put(table + <usize>slot * SLOT, h, ref, start, len);
    }
    this.table = table;
    this.slots = slots;
  }
}

/**
 * Operators: the four part references (name, mcc, mnc, country; 0 = none) of the parts
 * pool → a dense operator number (1, 2, …), with the parts of each number (for the boundary,
 * which builds the operator's key once) and its fleet reference (`remap`).
 */
export class Operators {
  /** 5 u32 a slot: operator number (0 = empty), then the four parts. */
  table: usize = 0;
  slots: u32 = 0;
  count: u32 = 1;
  capacity: u32 = 0;
  /** 4 u32 per operator number. */
  parts: usize = 0;
  remap: usize = 0;

  constructor() {
    this.slots = 256;
    this.table = heap.alloc(<usize>this.slots * 20);
    memory.fill(this.table, 0, <usize>this.slots * 20);
    this.capacity = 256;
    this.parts = heap.alloc(<usize>this.capacity << 4);
    this.remap = heap.alloc(<usize>this.capacity << 2);
    store<u32>(this.remap, 0);
  }

  @inline private slotOf(name: u32, mcc: u32, mnc: u32, iso: u32, mask: u32): u32 {
    return ((name * 0x9e3779b1) ^ (mcc * 0x85ebca6b) ^ (mnc * 0xc2b2ae35) ^ (iso * 0x27d4eb2f)) & mask;
  }

  /** The number of an operator, added on first sight. */
  ref(name: u32, mcc: u32, mnc: u32, iso: u32): u32 {
    const mask = this.slots - 1;
    let slot = this.slotOf(name, mcc, mnc, iso, mask);
    while (true) {
      const at = this.table + <usize>slot * 20;
      const n = load<u32>(at);
      if (n == 0) break;
      if (load<u32>(at, 4) == name && load<u32>(at, 8) == mcc && load<u32>(at, 12) == mnc && load<u32>(at, 16) == iso) return n;
      slot = (slot + 1) & mask;
    }
    const n = this.count;
    if (n >= this.capacity) {
      this.capacity *= 2;
      this.parts = heap.realloc(this.parts, <usize>this.capacity << 4);
      this.remap = heap.realloc(this.remap, <usize>this.capacity << 2);
    }
    const p = this.parts + (<usize>n << 4);
    store<u32>(p, name);
    store<u32>(p, mcc, 4);
    store<u32>(p, mnc, 8);
    store<u32>(p, iso, 12);
    store<u32>(this.remap + (<usize>n << 2), 0);
    this.count = n + 1;
    this.put(slot, n, name, mcc, mnc, iso);
    if (this.count * 2 > this.slots) this.grow();
    return n;
  }

  @inline private put(slot: u32, n: u32, name: u32, mcc: u32, mnc: u32, iso: u32): void {
    const at = this.table + <usize>slot * 20;
    store<u32>(at, n);
    store<u32>(at, name, 4);
    store<u32>(at, mcc, 8);
    store<u32>(at, mnc, 12);
    store<u32>(at, iso, 16);
  }

  private grow(): void {
    const slots = this.slots * 2;
    heap.free(this.table);
    this.table = heap.alloc(<usize>slots * 20);
    memory.fill(this.table, 0, <usize>slots * 20);
    this.slots = slots;
    const mask = slots - 1;
    for (let n: u32 = 1; n < this.count; n++) {
      const p = this.parts + (<usize>n << 4);
      const name = load<u32>(p);
      const mcc = load<u32>(p, 4);
      const mnc = load<u32>(p, 8);
      const iso = load<u32>(p, 12);
      let slot = this.slotOf(name, mcc, mnc, iso, mask);
      while (load<u32>(this.table + <usize>slot * 20) != 0) slot = (slot + 1) & mask;
      this.put(slot, n, name, mcc, mnc, iso);
    }
  }
}
