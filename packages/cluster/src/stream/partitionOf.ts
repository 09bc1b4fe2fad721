/**
 * Which partition an endpoint's records go to: FNV-1a (32 bit) over the decimal digits of the
 * endpoint id, modulo the partition count. Stable across processes, machines and releases
 * (never `Math.random`, never a seeded hash): a re-published file lands where it landed before,
 * and every worker agrees on it.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * The partition of an endpoint id.
 *
 * @example
 * partitionOf(11089066, 16) // always the same number in 0..15
 */
export function partitionOf(endpointId: number, partitions: number): number {
  const digits = String(endpointId);
  let hash = FNV_OFFSET;
  for (let i = 0; i < digits.length; i += 1) {
    hash ^= digits.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash % partitions;
}
