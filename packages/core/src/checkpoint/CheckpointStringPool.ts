/**
 * The string pool of a loaded checkpoint, read in place.
 *
 * Why not intern the strings into a plain `StringPool`. A fleet of a million devices has
 * four million distinct strings or so (ICCID, IMSI, IMEI, IP address each); putting them
 * into a `Map` costs seconds, and loading must take well under one. So this pool keeps
 * the checkpoint's UTF-8 bytes and the hash index stored beside them (open addressing
 * over FNV-1a of the UTF-16 code units, see `stringHash`), decodes a string the first
 * time someone asks for it, and looks strings up through the stored index. Strings
 * interned after loading go to an ordinary map, with references after the loaded ones.
 *
 * It is a `StringPool` (same references, same answers), so the fleet, the batch columns
 * and the byte-level decoder use it unchanged.
 */
import { NULL_REF, StringPool } from '../reducer/StringPool.js';

/**
 * The index hash of a string: FNV-1a (32-bit) over its UTF-16 code units.
 *
 * @example
 * stringHash('') // 2166136261
 */
export function stringHash(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The slots of an index over `count` strings: a power of two, at least twice the count
 * (so probes stay short and an empty slot always ends them).
 */
export function indexSlots(count: number): number {
  let slots = 16;
  while (slots < count * 2) slots *= 2;
  return slots;
}

/** The parts of a checkpoint's string section a pool reads in place. */
export interface StoredStrings {
  /** UTF-8 byte length of each string (reference i + 1). */
  readonly byteLengths: Uint32Array;
  /** The strings' UTF-8 bytes, back to back. */
  readonly bytes: Uint8Array;
  /** Open-addressing index: slot → reference (0 = empty), `indexSlots(count)` long. */
  readonly index: Uint32Array;
  /** Strings UTF-8 cannot hold (lone surrogates), by reference. */
  readonly escaped: ReadonlyMap<number, string>;
}

/**
 * A string pool over a checkpoint's stored strings.
 *
 * @example
 * const { pool } = decoded; // from decodeCheckpoint
 * pool.get(1)               // decoded on first use
 * pool.intern('new-iccid')  // pool.size, a new reference
 */
export class CheckpointStringPool extends StringPool {
  readonly #bytes: Uint8Array;
  readonly #starts: Float64Array;
  readonly #index: Uint32Array;
  readonly #mask: number;
  readonly #loaded: number;
  readonly #cache: (string | undefined)[];
  readonly #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  readonly #added = new Map<string, number>();
  readonly #addedValues: string[] = [];

  constructor(stored: StoredStrings) {
    super();
    const n = stored.byteLengths.length;
    this.#bytes = stored.bytes;
    this.#loaded = n;
    this.#index = stored.index;
    this.#mask = stored.index.length - 1;
    const starts = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) starts[i + 1] = starts[i]! + stored.byteLengths[i]!;
    this.#starts = starts;
    this.#cache = new Array<string | undefined>(n + 1);
    for (const [ref, value] of stored.escaped) this.#cache[ref] = value;
  }

  /** Number of strings loaded from the checkpoint (references 1…loaded). */
  get loaded(): number {
    return this.#loaded;
  }

  override get size(): number {
    return this.#loaded + this.#addedValues.length;
  }

  override intern(value: string | null): number {
    if (value === null) return NULL_REF;
    const found = this.#find(value);
    if (found !== NULL_REF) return found;
    let ref = this.#added.get(value);
    if (ref === undefined) {
      ref = this.#loaded + this.#addedValues.length + 1;
      if (ref > 0xffffffff) throw new RangeError('string pool is full (2^32 strings)');
      this.#addedValues.push(value);
      this.#added.set(value, ref);
    }
    return ref;
  }

  override get(ref: number): string | null {
    if (ref === NULL_REF) return null;
    if (ref <= this.#loaded && ref > 0) {
      const cached = this.#cache[ref];
      if (cached !== undefined) return cached;
      const value = this.#decode(ref);
      this.#cache[ref] = value;
      return value;
    }
    const value = this.#addedValues[ref - this.#loaded - 1];
    if (value === undefined) throw new RangeError(`unknown string pool reference ${ref}`);
    return value;
  }

  /** The loaded reference of `value`, or 0 when the checkpoint does not hold it. */
  #find(value: string): number {
    if (this.#loaded === 0) return NULL_REF;
    const index = this.#index;
    const mask = this.#mask;
    for (let slot = stringHash(value) & mask; ; slot = (slot + 1) & mask) {
      const ref = index[slot]!;
      if (ref === NULL_REF) return NULL_REF;
      if (this.#byteLength(ref) >= value.length && this.get(ref) === value) return ref;
    }
  }

  #byteLength(ref: number): number {
    return this.#starts[ref]! - this.#starts[ref - 1]!;
  }

  #decode(ref: number): string {
    const start = this.#starts[ref - 1]!;
    const end = this.#starts[ref]!;
    const bytes = this.#bytes;
    let ascii = end - start <= 4096;
    for (let i = start; ascii && i < end; i++) if (bytes[i]! >= 0x80) ascii = false;
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
    return this.#decoder.decode(bytes.subarray(start, end));
  }
}
