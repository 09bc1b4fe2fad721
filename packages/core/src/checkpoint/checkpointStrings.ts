/**
 * Writing the string pool sections of a checkpoint: the UTF-8 byte length of every
 * string, the strings back to back, and a hash index over them, so that a reader can use
 * them in place (CheckpointStringPool.ts) instead of rebuilding a map of millions of
 * strings.
 *
 * Strings are encoded ~16 M code units at a time with one `TextEncoder` call; when a
 * group is all ASCII (the usual case: ICCIDs, IMSIs, IPs) each string's byte length is
 * its length. UTF-8 cannot hold a lone UTF-16 surrogate (JSON text can: `"\ud800"`);
 * those strings, rare, are also kept as JSON text in the header (`escaped`) so they
 * round-trip exactly.
 */
import type { StringPool } from '../reducer/StringPool.js';
import { indexSlots, stringHash } from './CheckpointStringPool.js';

const CHUNK_UNITS = 1 << 24;
const ANY_SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The pool's strings (references 1…size), encoded. */
export interface EncodedStrings {
  readonly byteLengths: Uint32Array;
  readonly parts: readonly Uint8Array[];
  readonly totalBytes: number;
  /** [reference, JSON text] of the strings UTF-8 cannot hold. */
  readonly escaped: readonly (readonly [number, string])[];
  /** Open-addressing index: slot → reference (0 = empty), `indexSlots(count)` long. */
  readonly index: Uint32Array;
}

/** Encodes every string of the pool, in reference order. */
export function encodeStrings(pool: StringPool): EncodedStrings {
  const n = pool.size;
  const byteLengths = new Uint32Array(n);
  const parts: Uint8Array[] = [];
  const escaped: [number, string][] = [];
  const encoder = new TextEncoder();
  const index = new Uint32Array(indexSlots(n));
  const mask = index.length - 1;
  let totalBytes = 0;
  for (let i = 0; i < n; ) {
    const start = i;
    const group: string[] = [];
    let units = 0;
    while (i < n && units < CHUNK_UNITS) {
      const s = pool.get(i + 1) ?? '';
      group.push(s);
      units += s.length;
      i++;
      let slot = stringHash(s) & mask;
      while (index[slot] !== 0) slot = (slot + 1) & mask;
      index[slot] = i;
    }
    const text = group.join('');
    if (ANY_SURROGATE.test(text)) {
      // Rare: encode string by string, since two lone halves may pair up across a join.
      for (let k = 0; k < group.length; k++) {
        const s = group[k]!;
        if (LONE_SURROGATE.test(s)) escaped.push([start + k + 1, JSON.stringify(s)]);
        const bytes = encoder.encode(s);
        byteLengths[start + k] = bytes.length;
        parts.push(bytes);
        totalBytes += bytes.length;
      }
      continue;
    }
    const bytes = encoder.encode(text);
    const ascii = bytes.length === text.length;
    for (let k = 0; k < group.length; k++) byteLengths[start + k] = ascii ? group[k]!.length : utf8Length(group[k]!);
    parts.push(bytes);
    totalBytes += bytes.length;
  }
  return { byteLengths, parts, totalBytes, escaped, index };
}

/** UTF-8 length of a string without surrogates (those are encoded one by one above). */
function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return bytes;
}
