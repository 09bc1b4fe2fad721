/**
 * Interned strings for the fleet store and the batch columns, kept as UTF-8 bytes.
 *
 * Devices repeat the same few thousand strings (operators, APNs) millions of times, and
 * each device adds four of its own (ICCID, IMSI, IMEI, IP address); the reducer stores
 * and compares them as `Uint32` references instead. Reference 0 is `null`, so a
 * zero-filled column means "not said". The pool belongs to a `FleetStore`; batch columns
 * and the byte-level decoder intern into the same pool, so a reference means the same
 * string on both sides.
 *
 * Why bytes and not a `Map<string, number>`. Most strings are seen once or twice (one per
 * device), so what matters is the cost of a first sight and of keeping the string. A JS
 * string plus a Map entry costs ~80-100 bytes and an allocation or three; here a string is
 * its UTF-8 bytes in one growable arena, a start (a `Uint32Array`; its length is where the
 * next string starts), and a slot in an open-addressing `Int32Array` index keyed by FNV-1a
 * over the bytes, at most three quarters full: ~8 bytes a string besides its bytes. On a
 * fleet of a million devices (five million strings) that bookkeeping is most of the pool, so
 * it has no per-string length and no half-empty index, and the arrays grow by half, not double. The fast path
 * interns straight from the line's bytes (`internBytes`, no string made at all), worker
 * pools travel as bytes (transferable), and a checkpoint's pool is its stored bytes and
 * index, used in place. A JS string is made only when someone asks (`get`).
 *
 * Both routes give one reference per text: `intern(string)` encodes into a scratch buffer
 * and looks the bytes up in the same table. The only strings UTF-8 cannot hold are those
 * with lone UTF-16 surrogates (JSON allows `"\ud800"`); those, rare, live in a small side
 * map, with references from the same dense sequence.
 *
 * An operator is interned as one key (its four fields, JSON-encoded), so the reducer
 * copies one number per event instead of four.
 *
 * An append-only pool (`StringPool.appendOnly()`) keeps no index and looks nothing up: every
 * string it is handed gets a new reference. It is the pool of a decoder that has a cache of
 * its own in front (the WebAssembly module's, which hands over only strings new to it) and
 * whose strings another pool adopts (`internStored` dedupes them there): a replay worker's.
 * Looking its strings up again would cost the worker a hash and a probe each, ~a quarter of
 * its time on a 100k-device fleet, to save the adopting pool lookups it makes anyway.
 */
import type { Operator } from '../machine/deviceEvent.js';

/**
 * Reference of `null` in every pool column.
 * @internal
 */
export const NULL_REF = 0;

const EMPTY = 0;
const MIN_SLOTS = 16;
const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const encoder = new TextEncoder();
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A pool's strings as stored bytes (a checkpoint section, a worker's result). */
export interface StoredStrings {
  /** UTF-8 byte length of each string (reference i + 1); 0 for an escaped one. */
  readonly byteLengths: Uint32Array;
  /** The strings' UTF-8 bytes, back to back, in reference order. */
  readonly bytes: Uint8Array;
  /**
   * Open-addressing index over the strings that are not escaped: slot → reference
   * (0 = empty), `indexSlots(count)` long, slot = `hashBytes(bytes) & (slots - 1)`,
   * linear probing. Optional: rebuilt from the bytes when absent.
   */
  readonly index?: Uint32Array | undefined;
  /** Strings UTF-8 cannot hold (lone surrogates), by reference. */
  readonly escaped: ReadonlyMap<number, string>;
}

/**
 * A string → `Uint32` interning table over UTF-8 bytes; reference 0 is `null`.
 *
 * @example
 * const pool = new StringPool();
 * const ref = pool.intern('8988303000005733850');
 * pool.get(ref) // '8988303000005733850'
 * pool.internBytes(new TextEncoder().encode('8988303000005733850'), 0, 19) === ref // true
 * pool.intern(null) // 0
 */
export class StringPool {
  #table: Int32Array;
  #mask: number;
  /** The table is a checkpoint's stored index: copy it before the first write. */
  #tableShared: boolean;
  /** The table was given back (`releaseIndex`): rebuild it before the next lookup. */
  #tableReleased = false;
  #bytes: Uint8Array;
  #bytesShared: boolean;
  #used: number;
  /** Where each reference's bytes start; `#start[count]` is `#used`, so a length is a difference. */
  #start: Uint32Array;
  /** Next reference to give. */
  #count: number;
  #escapedRefs: Map<string, number> | undefined;
  #escapedValues: Map<number, string> | undefined;
  #scratch = new Uint8Array(256);
  readonly #operators: (Operator | undefined)[] = [];
  /** No index, no lookup: every string gets a new reference (see `appendOnly`). */
  #appendOnly = false;
  /** References up to this one have no bytes any more (`forgetThrough`). */
  #forgotten = 0;

  /**
   * An empty pool that gives every string a new reference, without looking it up (it keeps
   * no index): equal strings may get different references. For a pool whose strings are
   * adopted by another (`other.internStored(pool.storedSince(n))` gives one reference per
   * text there) and that is never asked whether it holds a string.
   *
   * @example
   * const pool = StringPool.appendOnly();
   * pool.intern('a') // 1
   * pool.intern('a') // 2
   * new StringPool().internStored(pool.storedSince(0)) // Uint32Array [0, 1, 1]
   */
  static appendOnly(): StringPool {
    const pool = new StringPool();
    pool.#appendOnly = true;
    return pool;
  }

  /** An empty pool, or one over stored strings (used in place, see `StoredStrings`). */
  constructor(stored?: StoredStrings) {
    if (stored === undefined) {
      this.#table = new Int32Array(MIN_SLOTS);
      this.#tableShared = false;
      this.#bytes = new Uint8Array(1 << 12);
      this.#bytesShared = false;
      this.#used = 0;
      this.#start = new Uint32Array(1 << 8);
      this.#count = 1;
      this.#mask = MIN_SLOTS - 1;
      return;
    }
    const n = stored.byteLengths.length;
    const start = new Uint32Array(n + 2);
    let at = 0;
    for (let i = 0; i < n; i++) {
      start[i + 1] = at;
      at += stored.byteLengths[i] as number;
    }
    start[n + 1] = at;
    if (at !== stored.bytes.length) throw new RangeError('stored string lengths do not match their bytes');
    this.#start = start;
    this.#count = n + 1;
    this.#bytes = stored.bytes;
    this.#bytesShared = true;
    this.#used = at;
    for (const [ref, value] of stored.escaped) this.#escape(value, ref);
    for (let ref = 1; ref <= n; ref++) if (start[ref + 1] === start[ref] && !stored.escaped.has(ref)) this.#escape('', ref);
    if (stored.index !== undefined && stored.index.length === indexSlots(n)) {
      const index = stored.index;
      this.#table = new Int32Array(index.buffer, index.byteOffset, index.length);
      this.#tableShared = true;
    } else {
      this.#table = new Int32Array(indexSlots(n));
      this.#tableShared = false;
      this.#reindex();
    }
    this.#mask = this.#table.length - 1;
  }

  /** Number of distinct strings held. */
  get size(): number {
    return this.#count - 1;
  }

  /** The reference of a string (interned on first sight); 0 for `null`. */
  intern(value: string | null): number {
    if (value === null) return NULL_REF;
    const n = value.length;
    if (this.#scratch.length < n * 3) this.#scratch = new Uint8Array(Math.max(n * 3, this.#scratch.length * 2));
    const scratch = this.#scratch;
    // ASCII (the usual case) is written and hashed in one JS pass: shorter than a call out.
    let i = 0;
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) break;
      scratch[i] = c;
    }
    if (i === n) return this.#intern(scratch, 0, n, false);
    if (LONE_SURROGATE.test(value)) return this.#internEscaped(value);
    const { written } = encoder.encodeInto(value, scratch);
    return this.#intern(scratch, 0, written, false);
  }

  /**
   * The reference of the text `bytes[start, end)` decodes to as UTF-8 (what
   * `Buffer#toString('utf8')` gives), interned on first sight; -1 when the bytes are not
   * valid UTF-8 (checked once, on first sight; ASCII needs no check).
   */
  internBytes(bytes: Uint8Array, start: number, end: number): number {
    return this.#intern(bytes, start, end, true);
  }

  /** The string of a reference; `null` for 0. Throws on a reference this pool never gave. */
  get(ref: number): string | null {
    if (ref === NULL_REF) return null;
    if (!(ref > this.#forgotten && ref < this.#count)) throw new RangeError(`unknown string pool reference ${ref}`);
    const s = this.#start[ref] as number;
    const len = (this.#start[ref + 1] as number) - s;
    if (len === 0) return this.#escapedValues?.get(ref) ?? '';
    const bytes = this.#bytes;
    const end = s + len;
    for (let i = s; i < end; i++) if ((bytes[i] as number) >= 0x80) return utf8.decode(bytes.subarray(s, end));
    if (len <= 4096) return String.fromCharCode.apply(null, bytes.subarray(s, end) as unknown as number[]);
    let out = '';
    for (let i = s; i < end; i += 4096) out += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(i + 4096, end)) as unknown as number[]);
    return out;
  }

  /**
   * Copies the stored UTF-8 bytes of `ref` into `out` at `at` when there are 1 to `max` of them;
   * returns how many, or 0 (nothing copied) for `null`, the empty string, a string UTF-8 cannot
   * hold (see `get`) or a longer one. What a byte-level writer uses instead of `get`.
   *
   * @example
   * pool.copyUtf8(pool.intern('abc'), out, 0, 64) // 3
   */
  copyUtf8(ref: number, out: Uint8Array, at: number, max: number): number {
    if (!(ref > this.#forgotten && ref < this.#count)) return 0;
    const s = this.#start[ref] as number;
    const len = (this.#start[ref + 1] as number) - s;
    if (len > max) return 0;
    const bytes = this.#bytes;
    // Most strings are ICCIDs and IMSIs (~20 bytes): a loop beats making a view to `set` from.
    if (len <= SHORT_COPY) for (let i = 0; i < len; i++) out[at + i] = bytes[s + i] as number;
    else out.set(bytes.subarray(s, s + len), at);
    return len;
  }

  /**
   * Gives the lookup index back (~5 bytes a string; 32 MB for a million devices' strings)
   * for a phase that reads strings but interns none — applying a replay's rows, writing its
   * snapshot. References and `get` are unchanged; the next `intern` or `stored()` rebuilds
   * the index from the bytes first.
   *
   * @example
   * pool.releaseIndex();
   * pool.get(ref); // as before
   * pool.intern('new') // rebuilds the index, then interns
   */
  releaseIndex(): void {
    this.#table = new Int32Array(MIN_SLOTS);
    this.#mask = MIN_SLOTS - 1;
    this.#tableShared = false;
    this.#tableReleased = true;
  }

  /** Rebuilds a released index. */
  #restoreIndex(): void {
    this.#tableReleased = false;
    this.#table = new Int32Array(indexSlots(this.#count - 1));
    this.#mask = this.#table.length - 1;
    this.#reindex();
  }

  /**
   * The pool's strings as stored bytes, references 1…size in order: `bytes` and `index`
   * are views on the pool's own arrays, valid until the next `intern` (copy them to keep or
   * transfer them); `byteLengths` is made for the call.
   */
  stored(): StoredStrings & { readonly index: Uint32Array } {
    if (this.#forgotten > 0) throw new RangeError(`the bytes of references up to ${this.#forgotten} were forgotten`);
    // An append-only pool has no index to give: one is built for the call.
    if (this.#tableReleased || this.#appendOnly) this.#restoreIndex();
    const table = this.#table;
    return {
      byteLengths: this.#lengths(1),
      bytes: this.#bytes.subarray(0, this.#used),
      index: new Uint32Array(table.buffer, table.byteOffset, table.length),
      escaped: this.#escapedValues ?? new Map<number, string>(),
    };
  }

  /**
   * The strings interned after reference `after` (references after + 1 … size) in the
   * stored form, counted from there (`escaped` keys too): what a worker that keeps its
   * pool across byte ranges sends, when the other side already holds the first `after`.
   * `bytes` is a view on the pool's own arena, like `stored()`.
   *
   * @example
   * const delta = pool.storedSince(sent); // then: remap[sent + r] = other.internStored(delta)[r]
   */
  storedSince(after: number): StoredStrings {
    if (!(after >= this.#forgotten && after < this.#count)) throw new RangeError(`not a reference of this pool: ${after}`);
    const from = after + 1;
    const firstByte = this.#start[from] as number;
    const escaped = new Map<number, string>();
    if (this.#escapedValues !== undefined) for (const [ref, value] of this.#escapedValues) if (ref > after) escaped.set(ref - after, value);
    return { byteLengths: this.#lengths(from), bytes: this.#bytes.subarray(firstByte, this.#used), escaped };
  }

  /**
   * An append-only pool forgets the bytes of references 1…`ref` (another pool adopted them:
   * `storedSince`): `get` and `copyUtf8` no longer answer for them, `storedSince(ref)` and
   * later still do, and the arena holds only the strings after them. A replay worker so keeps
   * the bytes of one range's new strings, not of every string its pool gave (~18 B each).
   *
   * @example
   * main.internStored(log.storedSince(sent));
   * log.forgetThrough(log.size);
   */
  forgetThrough(ref: number): void {
    if (!this.#appendOnly) throw new Error('only an append-only pool forgets strings (another pool may look them up)');
    if (!(ref >= this.#forgotten && ref < this.#count)) throw new RangeError(`not a reference of this pool: ${ref}`);
    const start = this.#start;
    const shift = start[ref + 1] as number;
    if (shift > 0) {
      this.#bytes.copyWithin(0, shift, this.#used);
      this.#used -= shift;
      for (let r = ref + 1; r <= this.#count; r++) start[r] = (start[r] as number) - shift;
    }
    for (let r = this.#forgotten + 1; r <= ref; r++) start[r] = 0;
    this.#forgotten = ref;
  }

  /** Byte lengths of references from … size (a new array). */
  #lengths(from: number): Uint32Array {
    const start = this.#start;
    const out = new Uint32Array(this.#count - from);
    for (let ref = from; ref < this.#count; ref++) out[ref - from] = (start[ref + 1] as number) - (start[ref] as number);
    return out;
  }

  /**
   * Interns every string of another pool's stored form (`stored()`, maybe from another
   * thread) from its bytes, no string made; returns their references here, by their
   * reference there (`remap[0]` is 0).
   *
   * @example
   * const remap = fleetPool.internStored(workerPool.stored());
   * fleetPool.get(remap[1]!) === workerPool.get(1) // true
   */
  internStored(stored: StoredStrings): Uint32Array {
    const n = stored.byteLengths.length;
    const remap = new Uint32Array(n + 1);
    const bytes = stored.bytes;
    const lengths = stored.byteLengths;
    if (this.#appendOnly) {
      this.#appendStored(stored, remap);
      return remap;
    }
    const hashes = groupHashes;
    if (this.#tableReleased) this.#restoreIndex();
    let at = 0;
    let acc = 0;
    // In groups (see GROUP): hash the group's strings, then load each one's first table slot,
    // then the start of the string that slot holds, then its first byte, then intern them in
    // order. The loads of one loop do not depend on each other, so their cache misses overlap
    // instead of queuing one lookup after the other; the interning order, and so every
    // reference, is the one a string-by-string loop gives.
    for (let g = 0; g < n; g += GROUP) {
      const end = Math.min(g + GROUP, n);
      let o = at;
      for (let i = g; i < end; i++) {
        const len = lengths[i] as number;
        hashes[i - g] = hashBytes(bytes, o, o + len);
        o += len;
      }
      const table = this.#table;
      const mask = this.#mask;
      const starts = this.#start;
      for (let i = g; i < end; i++) acc ^= table[(hashes[i - g] as number) & mask] as number;
      for (let i = g; i < end; i++) acc ^= starts[table[(hashes[i - g] as number) & mask] as number] as number;
      const store = this.#bytes;
      for (let i = g; i < end; i++) acc ^= store[starts[table[(hashes[i - g] as number) & mask] as number] as number] as number;
      for (let i = g; i < end; i++) {
        const len = lengths[i] as number;
        const ref = len === 0 ? this.#internEscaped(stored.escaped.get(i + 1) ?? '') : this.#internHashed(bytes, at, at + len, true, hashes[i - g] as number);
        if (ref < 0) throw new RangeError(`stored string ${i + 1} is not valid UTF-8`);
        remap[i + 1] = ref;
        at += len;
      }
    }
    loads.sink ^= acc;
    return remap;
  }

  /** `internStored` for an append-only pool: the bytes copied in one piece, a new reference each. */
  #appendStored(stored: StoredStrings, remap: Uint32Array): void {
    const n = stored.byteLengths.length;
    const bytes = stored.bytes;
    const lengths = stored.byteLengths;
    let total = 0;
    for (let i = 0; i < n; i++) total += lengths[i] as number;
    if (total > bytes.length) throw new RangeError('stored string lengths do not match their bytes');
    // Bytes that are all ASCII need no UTF-8 check, string by string.
    const ascii = isAscii(bytes, 0, total);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const len = lengths[i] as number;
      if (!ascii && !isAscii(bytes, at, at + len) && !isUtf8(bytes, at, at + len)) throw new RangeError(`stored string ${i + 1} is not valid UTF-8`);
      at += len;
    }
    this.#reserveBytes(total);
    this.#bytes.set(bytes.subarray(0, total), this.#used);
    at = this.#used;
    for (let i = 0; i < n; i++) {
      const len = lengths[i] as number;
      if (len === 0) {
        // An escaped string's bytes (none) start and end where the arena ends so far.
        this.#used = at;
        remap[i + 1] = this.#internEscaped(stored.escaped.get(i + 1) ?? '');
        continue;
      }
      const ref = this.#newRef();
      at += len;
      this.#start[ref + 1] = at;
      remap[i + 1] = ref;
    }
    this.#used = at;
  }

  /** Room in the arena for `len` more bytes (and an arena of its own, when it was a checkpoint's). */
  #reserveBytes(len: number): void {
    if (this.#used + len > this.#bytes.length || this.#bytesShared) {
      const next = new Uint8Array(Math.max(grown(this.#bytes.length), this.#used + len, 1 << 12));
      next.set(this.#bytes.subarray(0, this.#used));
      this.#bytes = next;
      this.#bytesShared = false;
    }
  }

  /** The reference of an operator (its four fields as one key); 0 for `null`. */
  internOperator(operator: Operator | null): number {
    if (operator === null) return NULL_REF;
    return this.intern(operatorKey(operator));
  }

  /** The operator of a reference made by `internOperator`; `null` for 0. */
  operator(ref: number): Operator | null {
    if (ref === NULL_REF) return null;
    const cached = this.#operators[ref];
    if (cached !== undefined) return cached;
    const key = this.get(ref);
    const parsed: unknown = key === null ? null : JSON.parse(key);
    if (!Array.isArray(parsed) || parsed.length !== 4) throw new RangeError(`reference ${ref} is not an operator`);
    const [name, mcc, mnc, country] = parsed as (string | null)[];
    const operator: Operator = Object.freeze({
      name: name ?? null,
      mcc: mcc ?? null,
      mnc: mnc ?? null,
      country: country ?? null,
    });
    this.#operators[ref] = operator;
    return operator;
  }

  #intern(bytes: Uint8Array, start: number, end: number, validate: boolean): number {
    if (this.#appendOnly) return this.#append(bytes, start, end, validate);
    if (this.#tableReleased) this.#restoreIndex();
    let h = 0x811c9dc5 | 0;
    let high = 0;
    for (let i = start; i < end; i++) {
      const b = bytes[i] as number;
      high |= b;
      h = Math.imul(h ^ b, 0x01000193);
    }
    return this.#internHashed(bytes, start, end, validate && high >= 0x80, h);
  }

  /**
   * `#intern` with the hash (`hashBytes`) known; `validate`: the bytes are to be checked as
   * UTF-8 on first sight when they are not ASCII (checked here when the caller did not look).
   */
  #internHashed(bytes: Uint8Array, start: number, end: number, validate: boolean, h: number): number {
    const len = end - start;
    const table = this.#table;
    const mask = this.#mask;
    const store = this.#bytes;
    const starts = this.#start;
    let slot = h & mask;
    for (;;) {
      const ref = table[slot] as number;
      if (ref === EMPTY) break;
      const at = starts[ref] as number;
      if ((starts[ref + 1] as number) - at === len) {
        const s = at - start;
        let i = start;
        while (i < end && store[s + i] === bytes[i]) i++;
        if (i === end) return ref;
      }
      slot = (slot + 1) & mask;
    }
    if (validate && !isAscii(bytes, start, end) && !isUtf8(bytes, start, end)) return -1;
    if (len === 0) {
      // The empty string: length 0 marks escaped strings too, so it is one of them ('' is in the side map).
      return this.#internEscaped('');
    }
    const ref = this.#store(bytes, start, end);
    if (this.#tableShared) this.#unshareTable();
    this.#table[slot] = ref;
    if (overloaded(this.#count - 1, this.#table.length)) this.#grow();
    return ref;
  }

  /** `#intern` for an append-only pool: a new reference, no lookup. */
  #append(bytes: Uint8Array, start: number, end: number, validate: boolean): number {
    if (validate && !isAscii(bytes, start, end) && !isUtf8(bytes, start, end)) return -1;
    if (end === start) return this.#internEscaped('');
    return this.#store(bytes, start, end);
  }

  /** Stores bytes[start, end) (not empty) under a new reference. */
  #store(bytes: Uint8Array, start: number, end: number): number {
    const len = end - start;
    const ref = this.#newRef();
    this.#reserveBytes(len);
    const into = this.#bytes;
    const used = this.#used;
    // A short string (an ICCID, an IP address: most of them) is copied byte by byte: a
    // subarray to `set` from is an object made for every new string.
    if (len <= SHORT_COPY) for (let i = 0; i < len; i++) into[used + i] = bytes[start + i] as number;
    else into.set(bytes.subarray(start, end), used);
    this.#used += len;
    this.#start[ref + 1] = this.#used;
    return ref;
  }

  #internEscaped(value: string): number {
    const known = this.#escapedRefs?.get(value);
    if (known !== undefined) return known;
    if (this.#tableReleased && !this.#appendOnly) this.#restoreIndex();
    const ref = this.#newRef();
    this.#start[ref + 1] = this.#used;
    this.#escape(value, ref);
    // Keep the table at `indexSlots(size)` for every pool (what a stored index promises).
    if (!this.#appendOnly && overloaded(this.#count - 1, this.#table.length)) this.#grow();
    return ref;
  }

  #escape(value: string, ref: number): void {
    this.#escapedRefs ??= new Map();
    this.#escapedValues ??= new Map();
    this.#escapedRefs.set(value, ref);
    this.#escapedValues.set(ref, value);
  }

  #newRef(): number {
    const ref = this.#count;
    if (ref > 0xfffffffe) throw new RangeError('string pool is full (2^32 strings)');
    if (ref + 1 >= this.#start.length) this.#start = growU32(this.#start);
    this.#count = ref + 1;
    return ref;
  }

  #unshareTable(): void {
    this.#table = this.#table.slice();
    this.#tableShared = false;
  }

  #grow(): void {
    this.#table = new Int32Array(this.#table.length * 2);
    this.#tableShared = false;
    this.#mask = this.#table.length - 1;
    this.#reindex();
  }

  /** Fills the (empty) table from the bytes. */
  #reindex(): void {
    const table = this.#table;
    const mask = table.length - 1;
    const bytes = this.#bytes;
    const starts = this.#start;
    // Not `groupHashes`: a growth in the middle of an `internStored` group reindexes.
    const hashes = reindexHashes;
    const count = this.#count;
    let acc = 0;
    // In groups, like `internStored`: the group's first slots are loaded together (their
    // misses overlap), then the references are put in order (the same table as one by one).
    for (let g = 1; g < count; g += GROUP) {
      const end = Math.min(g + GROUP, count);
      for (let ref = g; ref < end; ref++) hashes[ref - g] = hashBytes(bytes, starts[ref] as number, starts[ref + 1] as number);
      for (let ref = g; ref < end; ref++) acc ^= table[(hashes[ref - g] as number) & mask] as number;
      for (let ref = g; ref < end; ref++) {
        if (starts[ref + 1] === starts[ref]) continue;
        let slot = (hashes[ref - g] as number) & mask;
        while (table[slot] !== EMPTY) slot = (slot + 1) & mask;
        table[slot] = ref;
      }
    }
    loads.sink ^= acc;
  }
}

/** Bytes up to which a string is copied in a loop rather than with `set` (a view made for each). */
const SHORT_COPY = 32;

/** Strings whose lookups `internStored` issues together (their cache misses overlap). */
const GROUP = 32;
const groupHashes = new Int32Array(GROUP);
const reindexHashes = new Int32Array(GROUP);
/** Where the loads ahead go, so that no compiler drops them. */
const loads = { sink: 0 };

/** Whether bytes[start, end) are valid UTF-8. */
function isUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  try {
    utf8Fatal.decode(bytes.subarray(start, end));
    return true;
  } catch {
    return false;
  }
}

/** Whether bytes[start, end) are all ASCII. */
function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  let high = 0;
  for (let i = start; i < end; i++) high |= bytes[i] as number;
  return high < 0x80;
}

/**
 * FNV-1a (32-bit) over `bytes[start, end)`, as a signed 32-bit integer: the pool's index hash.
 *
 * @example
 * hashBytes(new Uint8Array(0), 0, 0) >>> 0 // 2166136261
 * @internal
 */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  return h;
}

/**
 * The slots of an index over `count` strings: a power of two, at most three quarters full
 * (probes stay short, an empty slot always ends them, and a million-device fleet's five
 * million strings take 32 MB of index, not 64). A pool's own table always has exactly this
 * many slots, so it can be stored as is.
 *
 * @example
 * indexSlots(12) // 16
 * indexSlots(13) // 32
 * @internal
 */
export function indexSlots(count: number): number {
  let slots = MIN_SLOTS;
  while (overloaded(count, slots)) slots *= 2;
  return slots;
}

/** Whether `count` strings overfill `slots` (more than three quarters). */
const overloaded = (count: number, slots: number): boolean => count * 4 > slots * 3;

/**
 * The next capacity of an arena or array: double while small, then half as much again, so
 * the last growth of a big pool neither leaves half of it empty nor holds three times its
 * size while it copies.
 */
const grown = (length: number): number => (length < 1 << 20 ? length * 2 : Math.ceil(length * 1.5));

function growU32(a: Uint32Array): Uint32Array {
  const next = new Uint32Array(grown(a.length));
  next.set(a);
  return next;
}

/**
 * The interning key of an operator: its four fields, JSON-encoded (unambiguous, `null`s kept).
 *
 * @example
 * operatorKey({ name: 'Vodafone', mcc: '262', mnc: '02', country: 'de' }) // '["Vodafone","262","02","de"]'
 */
export function operatorKey(operator: Operator): string {
  return JSON.stringify([operator.name, operator.mcc, operator.mnc, operator.country]);
}
