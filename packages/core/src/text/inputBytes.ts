/**
 * The byte-level facts every reader of an input agrees on, in one place: what gzip's
 * magic is, what a byte-order mark is and where it may be, and which bytes are blank.
 * The main thread's reader, the parallel planner and the JSON array splitter all ask
 * here, so a file is never read as one format by one of them and another by another.
 */

/** `true` when the input starts with gzip's magic bytes (1F 8B). */
export function isGzipMagic(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** The UTF-8 byte-order mark (EF BB BF). */
export const BOM = Uint8Array.of(0xef, 0xbb, 0xbf);

/**
 * Bytes of a byte-order mark at `bytes[0…]` (3), or 0. Only the very start of an input
 * may hold one (editors on Windows write it); it is dropped there, whatever the format,
 * and anywhere else its bytes are just bytes (invalid JSON).
 *
 * @example
 * bomLength(Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b)) // 3
 */
export function bomLength(bytes: Uint8Array): number {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

/** JSON white space (RFC 8259): space, tab, line feed, carriage return. */
export function isJsonBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * The first byte of `bytes[from…]` that is not JSON white space, or -1. With
 * `atInputStart`, a byte-order mark at `from` is skipped first. `[` there means a JSON
 * array, anything else NDJSON.
 *
 * @example
 * firstNonBlank(Buffer.from('\ufeff  [{"id":1}]'), 0, true) // 0x5b
 */
export function firstNonBlank(bytes: Uint8Array, from = 0, atInputStart = false): number {
  let p = from;
  if (atInputStart && from === 0) p += bomLength(bytes);
  for (; p < bytes.length; p++) {
    const byte = bytes[p] as number;
    if (!isJsonBlank(byte)) return byte;
  }
  return -1;
}

/**
 * The first `limit` bytes of `parts` joined (all of them when they are fewer): a line that
 * arrived in pieces, cut at the bound its reader keeps.
 *
 * @example
 * concatPrefix([Uint8Array.of(1, 2), Uint8Array.of(3)], 2); // Uint8Array [1, 2]
 */
export function concatPrefix(parts: readonly Uint8Array[], limit: number): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(Math.min(total, limit));
  let at = 0;
  for (const p of parts) {
    if (at >= out.length) break;
    const take = Math.min(p.length, out.length - at);
    out.set(p.subarray(0, take), at);
    at += take;
  }
  return out;
}
