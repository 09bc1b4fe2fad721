/**
 * FNV-1a, 64-bit, over the UTF-16 code units of a text: a small pure hash for short
 * texts (the machine fingerprint), not for checksumming megabytes — a checkpoint's
 * checksum comes from a `CheckpointHasher` the caller passes in (sha256 in the CLI).
 */

const OFFSET_BASIS = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;

/**
 * The 64-bit FNV-1a hash of `text`'s code units (each fed as two bytes, low first), as 16 hex digits.
 *
 * @example
 * fnv1a64('') // 'cbf29ce484222325'
 */
export function fnv1a64(text: string): string {
  let h = OFFSET_BASIS;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    h = ((h ^ BigInt(unit & 0xff)) * PRIME) & MASK;
    h = ((h ^ BigInt(unit >>> 8)) * PRIME) & MASK;
  }
  return h.toString(16).padStart(16, '0');
}
