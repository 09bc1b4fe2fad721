/**
 * The string pool of a loaded checkpoint, read in place.
 *
 * Why not intern the strings one by one. A fleet of a million devices has four million
 * distinct strings or so (ICCID, IMSI, IMEI, IP address each); interning them costs
 * seconds, and loading must take well under one. A `StringPool` is already UTF-8 bytes,
 * lengths and an FNV-1a index over the bytes, which is exactly what a checkpoint stores
 * (checkpointStrings.ts): so the loaded pool is a `StringPool` over the stored sections,
 * used as they are (the bytes and the index are copied only when a string is added).
 * Strings interned after loading get references after the loaded ones.
 */
import { StringPool, type StoredStrings } from '../reducer/StringPool.js';

/** @internal */
export { indexSlots } from '../reducer/StringPool.js';
export type { StoredStrings } from '../reducer/StringPool.js';

/**
 * A string pool over a checkpoint's stored strings.
 *
 * @example
 * const { pool } = decoded; // from decodeCheckpoint
 * pool.get(1)               // decoded on use
 * pool.intern('new-iccid')  // pool.size, a new reference
 */
export class CheckpointStringPool extends StringPool {
  readonly #loaded: number;

  constructor(stored: StoredStrings) {
    super(stored);
    this.#loaded = stored.byteLengths.length;
  }

  /** Number of strings loaded from the checkpoint (references 1…loaded). */
  get loaded(): number {
    return this.#loaded;
  }
}
