/**
 * The few JSON keys an object of the fast path reads, matched against a key's bytes
 * without a loop over the keys and without a loop over the bytes: one slot lookup by
 * the key's length and second byte, then one or a few 32-bit word compares.
 *
 * Why: matching every key of every object by length and byte loops was a tenth of the
 * scanner's time; keys are short (2–14 bytes) and a set has at most 13 of them.
 */

/** Keys of one object kind, in index order, with what `findKey` needs to match them. */
export interface KeySet {
  readonly keys: readonly Uint8Array[];
  /** slotOf(key) → key index + 1; 0 where no key lands. */
  readonly slots: Int8Array;
  /** Each key of ≥ 4 bytes as little-endian 32-bit words at bytes 0, 4, 8, … and its last 4 bytes. */
  readonly words: readonly Int32Array[];
}

const SLOTS = 64;

/** The slot of a key of `len` ≥ 2 bytes whose second byte is `second`. */
const slotOf = (len: number, second: number): number => (len + second * 7) & (SLOTS - 1);

/**
 * Builds the set; throws when two keys share a slot (a programming error, caught at load).
 *
 * @example
 * const set = keySet('id', 'name');
 * findKey(view, bytes, keyStart, keyEnd, set); // 0, 1 or -1
 */
export function keySet(...names: string[]): KeySet {
  const keys = names.map((n) => new TextEncoder().encode(n));
  const slots = new Int8Array(SLOTS);
  const words: Int32Array[] = [];
  keys.forEach((key, k) => {
    if (key.length < 2) throw new Error(`key set: key ${names[k]} is shorter than 2 bytes`);
    const slot = slotOf(key.length, key[1] as number);
    if (slots[slot] !== 0) throw new Error(`key set: ${names[k]} shares a slot`);
    slots[slot] = k + 1;
    const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
    const w = new Int32Array(key.length >= 4 ? Math.ceil(key.length / 4) : 0);
    for (let i = 0; i < w.length; i++) w[i] = view.getInt32(Math.min(4 * i, key.length - 4), true);
    words.push(w);
  });
  return { keys, slots, words };
}

/**
 * Index in `set` of the key `b[s, e)` (`v` views the same bytes as `b`), or -1.
 *
 * @example
 * const i = findKey(new DataView(bytes.buffer, bytes.byteOffset), bytes, 1, 3, keySet('id')); // bytes `"id"` → 0
 */
export function findKey(v: DataView, b: Uint8Array, s: number, e: number, set: KeySet): number {
  const len = e - s;
  if (len < 2) return -1;
  const k = (set.slots[slotOf(len, b[s + 1] as number)] as number) - 1;
  if (k < 0) return -1;
  const key = set.keys[k] as Uint8Array;
  if (key.length !== len) return -1;
  if (len < 4) {
    for (let i = 0; i < len; i++) if (b[s + i] !== key[i]) return -1;
    return k;
  }
  // Words at 0, 4, …, and the last (overlapping) one: every byte of the key, read inside [s, e).
  const w = set.words[k] as Int32Array;
  const last = w.length - 1;
  for (let i = 0; i < last; i++) if (v.getInt32(s + 4 * i, true) !== w[i]) return -1;
  return v.getInt32(e - 4, true) === w[last] ? k : -1;
}

/**
 * Whether `b` at s holds key `k` of `set` and its closing quote: returns the quote's index,
 * or -1. A key's bytes are plain ASCII (no quote, backslash or control byte), so a match
 * is exactly the string the scanner would have found there, without scanning it.
 *
 * @example
 * keyAt(view, bytes, keyStart, lineEnd, keySet('id', 'name'), 1); // bytes `name"…` → keyStart + 4
 */
export function keyAt(v: DataView, b: Uint8Array, s: number, end: number, set: KeySet, k: number): number {
  const key = set.keys[k] as Uint8Array;
  const len = key.length;
  const e = s + len;
  if (e >= end || b[e] !== 0x22) return -1;
  if (len < 4) {
    for (let i = 0; i < len; i++) if (b[s + i] !== key[i]) return -1;
    return e;
  }
  const w = set.words[k] as Int32Array;
  const last = w.length - 1;
  for (let i = 0; i < last; i++) if (v.getInt32(s + 4 * i, true) !== w[i]) return -1;
  return v.getInt32(e - 4, true) === w[last] ? e : -1;
}
