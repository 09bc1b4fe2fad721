/**
 * Writing the string pool sections of a checkpoint: the UTF-8 byte length of every
 * string, the strings back to back, and the hash index over them. A `StringPool` holds
 * exactly these (StringPool.ts), so writing is a copy of its arrays and reading uses
 * them in place (CheckpointStringPool.ts), with no string made either way.
 *
 * UTF-8 cannot hold a lone UTF-16 surrogate (JSON text can: `"\ud800"`); those strings,
 * rare, have no bytes (length 0, not in the index) and are kept as JSON text in the
 * header (`escaped`), so they round-trip exactly. The empty string is kept the same way.
 */
import type { StringPool } from '../reducer/StringPool.js';

/** The pool's strings (references 1…size), encoded. */
export interface EncodedStrings {
  readonly byteLengths: Uint32Array;
  readonly parts: readonly Uint8Array[];
  readonly totalBytes: number;
  /** [reference, JSON text] of the strings without bytes (lone surrogates, ''). */
  readonly escaped: readonly (readonly [number, string])[];
  /** Open-addressing index: slot → reference (0 = empty), `indexSlots(count)` long. */
  readonly index: Uint32Array;
}

/** Encodes every string of the pool, in reference order (views on the pool: write them before interning more). */
export function encodeStrings(pool: StringPool): EncodedStrings {
  const stored = pool.stored();
  const escaped: [number, string][] = [];
  for (const [ref, value] of stored.escaped) escaped.push([ref, JSON.stringify(value)]);
  escaped.sort((a, b) => a[0] - b[0]);
  return { byteLengths: stored.byteLengths, parts: [stored.bytes], totalBytes: stored.bytes.length, escaped, index: stored.index };
}
