/**
 * The string pool section of a checkpoint: the UTF-8 byte length of every string, then
 * the strings back to back.
 *
 * Why byte lengths and big chunks. Loading must be fast for millions of strings, so the
 * reader decodes ~16 MB at a time with one `TextDecoder` call; when a chunk is all ASCII
 * (the usual case: ICCIDs, IMSIs, IPs) its characters are its bytes and the strings are
 * cut out of it by their lengths; other chunks are decoded string by string.
 *
 * UTF-8 cannot hold a lone UTF-16 surrogate (JSON text can: `"\ud800"`); those strings,
 * rare, are also kept as JSON text in the header (`escaped`) so they round-trip exactly.
 */
import type { StringPool } from '../reducer/StringPool.js';

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
}

/** Encodes every string of the pool, in reference order. */
export function encodeStrings(pool: StringPool): EncodedStrings {
  const n = pool.size;
  const byteLengths = new Uint32Array(n);
  const parts: Uint8Array[] = [];
  const escaped: [number, string][] = [];
  const encoder = new TextEncoder();
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
  return { byteLengths, parts, totalBytes, escaped };
}

/**
 * Decodes the strings (index i = reference i + 1); undefined when the lengths do not add
 * up to the bytes.
 */
export function decodeStrings(
  byteLengths: Uint32Array,
  bytes: Uint8Array,
  escaped: readonly (readonly [number, string])[],
): string[] | undefined {
  const n = byteLengths.length;
  const out = new Array<string>(n);
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let offset = 0;
  for (let i = 0; i < n; ) {
    const start = i;
    let chunkBytes = 0;
    while (i < n && chunkBytes < CHUNK_UNITS) chunkBytes += byteLengths[i++]!;
    if (offset + chunkBytes > bytes.length) return undefined;
    const chunk = bytes.subarray(offset, offset + chunkBytes);
    const text = decoder.decode(chunk);
    if (text.length === chunkBytes) {
      let at = 0;
      for (let k = start; k < i; k++) {
        const len = byteLengths[k]!;
        out[k] = text.slice(at, at + len);
        at += len;
      }
    } else {
      let at = 0;
      for (let k = start; k < i; k++) {
        const len = byteLengths[k]!;
        out[k] = decoder.decode(chunk.subarray(at, at + len));
        at += len;
      }
    }
    offset += chunkBytes;
  }
  if (offset !== bytes.length) return undefined;
  for (const [ref, json] of escaped) {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'string' || ref < 1 || ref > n) return undefined;
    out[ref - 1] = value;
  }
  return out;
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
