/**
 * UTF-8 validation on bytes, as RFC 3629 defines it (the rules of
 * `new TextDecoder('utf-8', { fatal: true })`): no overlong forms, no surrogates
 * (U+D800–U+DFFF), nothing above U+10FFFF, no stray continuation bytes. A record is JSON
 * text, and JSON text is UTF-8: bytes that are not must be rejected, never replaced by
 * U+FFFD (which would alter an ICCID silently).
 */

/**
 * Length (2–4) of the valid multi-byte sequence starting at `p` (whose byte is ≥ 0x80),
 * or 0 when the bytes there are not valid UTF-8 (or the sequence passes `end`).
 *
 * @example
 * utf8SequenceLength(new Uint8Array([0xc3, 0xa9]), 0, 2) // 2 ("é")
 * utf8SequenceLength(new Uint8Array([0xc0, 0xaf]), 0, 2) // 0 (overlong)
 */
export function utf8SequenceLength(b: Uint8Array, p: number, end: number): number {
  const c = b[p] as number;
  if (c < 0xc2 || c > 0xf4) return 0;
  if (c < 0xe0) return p + 1 < end && ((b[p + 1] as number) & 0xc0) === 0x80 ? 2 : 0;
  if (p + 2 >= end && c < 0xf0) return 0;
  const c1 = b[p + 1] as number;
  if (c < 0xf0) {
    // E0: no overlong (second byte ≥ A0); ED: no surrogates (second byte ≤ 9F).
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return c1 >= lo && c1 <= hi && ((b[p + 2] as number) & 0xc0) === 0x80 ? 3 : 0;
  }
  if (p + 3 >= end) return 0;
  // F0: no overlong (second byte ≥ 90); F4: nothing above U+10FFFF (second byte ≤ 8F).
  const lo = c === 0xf0 ? 0x90 : 0x80;
  const hi = c === 0xf4 ? 0x8f : 0xbf;
  return c1 >= lo && c1 <= hi && ((b[p + 2] as number) & 0xc0) === 0x80 && ((b[p + 3] as number) & 0xc0) === 0x80 ? 4 : 0;
}

/**
 * Offset (from `start`) of the first byte of `bytes[start, end)` that does not begin a
 * valid UTF-8 sequence, or -1 when the range is valid UTF-8.
 *
 * @example
 * invalidUtf8Offset(new Uint8Array([0x41, 0xff, 0x42]), 0, 3) // 1
 * invalidUtf8Offset(new TextEncoder().encode('Grüße'), 0, 7)  // -1
 */
export function invalidUtf8Offset(bytes: Uint8Array, start: number, end: number): number {
  let p = start;
  while (p < end) {
    if ((bytes[p] as number) < 0x80) {
      p++;
      continue;
    }
    const n = utf8SequenceLength(bytes, p, end);
    if (n === 0) return p - start;
    p += n;
  }
  return -1;
}
