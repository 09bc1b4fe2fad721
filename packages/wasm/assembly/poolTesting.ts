// The strings pool's interning on its own, for test/poolIntern.test.ts (which compiles this file
// as its own module): a test writes bytes at `alloc`'s address and interns them with their
// hash or with one it forces, so probes, compares and table growth are checked without the walk.
import { hashBytes, Pool, sameBytes } from './pool';

let pool: Pool = new Pool();

/** A block of n bytes (plus the 8 past the end the pool's word loads read). */
export function alloc(n: u32): usize {
  return heap.alloc(<usize>n + 8);
}

/** A new, empty pool; with `strings` > 0 its memory set aside as the decoder's is (`Pool.reserve`). */
export function newPool(strings: u32, byteCount: u32): void {
  pool = new Pool();
  if (strings > 0) pool.reserve(strings, byteCount);
}

export function intern(p: usize, len: u32): u32 {
  return pool.intern(p, len);
}

/** `intern` with a hash chosen by the test (the same for many strings: every probe collides). */
export function internWithHash(p: usize, len: u32, h: u32): u32 {
  return pool.internHashed(p, len, h);
}

export function hash(p: usize, len: u32): u32 {
  return hashBytes(p, len);
}

export function same(a: usize, b: usize, len: u32): bool {
  return sameBytes(a, b, len);
}

export function poolSlots(): u32 {
  return pool.slots;
}

export function poolCount(): u32 {
  return pool.count;
}

export function poolStarts(): usize {
  return pool.starts;
}

export function poolLengths(): usize {
  return pool.lengths;
}

export function poolBytes(): usize {
  return pool.bytes;
}
