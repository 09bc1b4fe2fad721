import type { StringPool } from '@simfleet/core';
import { compareRowsContent, type RowArrays } from '@simfleet/core/columns';

const DIGITS = 1 << 16;

/**
 * The rows [0, length) of `c` as a permutation in (event id, time, content) order: the
 * order of a spilled run, in which the copies of an id are adjacent and the one a replay
 * keeps (earliest time, then smallest content: `compareRowsContent`) comes first.
 *
 * Why a radix sort: a comparator sort of millions of rows costs seconds; four stable
 * 16-bit counting passes over the id (passes whose digit is the same for every row are
 * skipped) cost a few scans. Only the rows that share an id — rare in logs — are then
 * put in order by comparison.
 *
 * @example
 * const order = orderById(columns, columns.pool); // columns.idLo[order[0]] is the smallest id's
 */
export function orderById(c: RowArrays, pool: StringPool): Uint32Array {
  const n = c.length;
  let order = new Uint32Array(n);
  let other = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const counts = new Uint32Array(DIGITS);
  for (let pass = 0; pass < 4; pass++) {
    const column = pass < 2 ? c.idLo : c.idHi;
    const shift = pass % 2 === 0 ? 0 : 16;
    if (!countDigits(column, shift, order, n, counts)) continue;
    scatter(column, shift, order, other, n, counts);
    const swap = order;
    order = other;
    other = swap;
  }
  sortTies(c, pool, order);
  return order;
}

/** Counts of each digit, turned into start positions; false when one digit holds every row. */
function countDigits(column: Uint32Array, shift: number, order: Uint32Array, n: number, counts: Uint32Array): boolean {
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[(column[order[i]!]! >>> shift) & 0xffff]!++;
  let start = 0;
  for (let d = 0; d < DIGITS; d++) {
    const k = counts[d]!;
    if (k === n) return false;
    counts[d] = start;
    start += k;
  }
  return true;
}

function scatter(column: Uint32Array, shift: number, from: Uint32Array, to: Uint32Array, n: number, starts: Uint32Array): void {
  for (let i = 0; i < n; i++) {
    const row = from[i]!;
    to[starts[(column[row]! >>> shift) & 0xffff]!++] = row;
  }
}

/** Puts each run of equal ids in (time, content) order. */
function sortTies(c: RowArrays, pool: StringPool, order: Uint32Array): void {
  const n = order.length;
  const hi = c.idHi;
  const lo = c.idLo;
  let start = 0;
  while (start < n) {
    const r = order[start]!;
    let end = start + 1;
    while (end < n && hi[order[end]!] === hi[r] && lo[order[end]!] === lo[r]) end++;
    if (end - start > 1) {
      const group = Array.from(order.subarray(start, end));
      group.sort((a, b) => c.at[a]! - c.at[b]! || compareRowsContent(pool, c, a, c, b) || a - b);
      order.set(group, start);
    }
    start = end;
  }
}
