/**
 * Orders a batch by (time, event id) without touching the columns: the result is a
 * permutation of row indices. Rows that tie on (time, id) keep their batch order.
 *
 * Three paths, fastest first, all allocation-free per event (the scratch arrays belong to
 * the columns and are reused):
 * 1. In order already (logs and streams mostly are): detected in one pass, not sorted.
 * 2. Integer times (epoch ms) whose span × batch size stays below 2^53: each row becomes
 *    one exact double key `(at − min) × n + row`, sorted by the engine's native numeric
 *    `Float64Array#sort` (no comparator calls at all); rows that tie on time (records
 *    often have whole-second timestamps) are then put in id order run by run.
 * 3. Otherwise (fractional times, huge spans): a stable bottom-up merge sort whose keys
 *    travel with the row numbers in parallel scratch arrays, so every pass reads and
 *    writes memory sequentially instead of jumping through the columns by permutation.
 */
import type { EventColumns } from './EventColumns.js';
import type { SortScratch } from './SortScratch.js';

/** Runs up to this length are insertion-sorted. */
const RUN = 32;
/** Below this size the merge sort is as fast as the key sort. */
const KEY_SORT_MIN = 1024;
const MAX_EXACT = 2 ** 53;

function scratchFor(columns: EventColumns, n: number): SortScratch {
  const s = columns.sortScratch;
  if (s !== undefined && s.row.length >= n) return s;
  const size = Math.max(n, columns.capacity);
  const fresh: SortScratch = {
    at: new Float64Array(size),
    hi: new Uint32Array(size),
    lo: new Uint32Array(size),
    row: new Uint32Array(size),
    at2: new Float64Array(size),
    hi2: new Uint32Array(size),
    lo2: new Uint32Array(size),
    row2: new Uint32Array(size),
  };
  columns.sortScratch = fresh;
  return fresh;
}

/**
 * The rows of `columns` in (at, idHi, idLo) order; rows that tie keep their batch order.
 * The returned view lives in the columns' scratch space: use it before the next sort.
 *
 * @example
 * const order = sortBatch(columns);
 * for (const row of order) console.log(columns.at[row]);
 */
export function sortBatch(columns: EventColumns): Uint32Array {
  const n = columns.length;
  const cAt = columns.at;
  const cHi = columns.idHi;
  const cLo = columns.idLo;

  if (isInOrder(cAt, cHi, cLo, n)) return identity(columns.order, n);

  const s = scratchFor(columns, n);
  if (n < KEY_SORT_MIN || !keySort(columns, n, s)) {
    s.at.set(cAt.subarray(0, n));
    s.hi.set(cHi.subarray(0, n));
    s.lo.set(cLo.subarray(0, n));
    for (let i = 0; i < n; i++) s.row[i] = i;
    mergeSortSegment(s, 0, n);
  }
  return s.row.subarray(0, n);
}

/** Whether rows [0, n) are in (at, hi, lo) order. (Loops live in small functions: see applyBatch.ts.) */
function isInOrder(cAt: Float64Array, cHi: Uint32Array, cLo: Uint32Array, n: number): boolean {
  let b = cAt[0] as number;
  for (let i = 1; i < n; i++) {
    const a = cAt[i] as number;
    if (a < b || (a === b && ((cHi[i] as number) < (cHi[i - 1] as number) || (cHi[i] === cHi[i - 1] && (cLo[i] as number) < (cLo[i - 1] as number))))) {
      return false;
    }
    b = a;
  }
  return true;
}

/** `order[0, n)` set to 0 … n − 1. */
function identity(order: Uint32Array, n: number): Uint32Array {
  for (let i = 0; i < n; i++) order[i] = i;
  return order.subarray(0, n);
}

/** Path 2: leaves the order in `s.row`; false (nothing usable) when the batch does not fit. */
function keySort(columns: EventColumns, n: number, s: SortScratch): boolean {
  const cAt = columns.at;
  const cHi = columns.idHi;
  const cLo = columns.idLo;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const a = cAt[i] as number;
    if (!Number.isInteger(a)) return false;
    if (a < min) min = a;
    if (a > max) max = a;
  }
  if ((max - min + 1) * n >= MAX_EXACT) return false;

  const keys = s.at;
  for (let i = 0; i < n; i++) keys[i] = ((cAt[i] as number) - min) * n + i;
  keys.subarray(0, n).sort();
  // Split each key back into (time offset, row); the offsets stay in `keys`, so tie runs
  // are found reading memory sequentially. Exact: key / n = t + row/n with
  // row/n ≤ 1 − 1/n, and as key < 2^53 the division's rounding error is below 1/n.
  const row = s.row;
  for (let k = 0; k < n; k++) {
    const key = keys[k] as number;
    const t = Math.floor(key / n);
    row[k] = key - t * n;
    keys[k] = t;
  }

  // Rows of equal time are in row order; put each tie run in (idHi, idLo) order, stably.
  let start = 0;
  while (start < n) {
    const t = keys[start] as number;
    let end = start + 1;
    while (end < n && keys[end] === t) end++;
    if (end - start > 1) {
      for (let k = start; k < end; k++) {
        const r = row[k] as number;
        s.hi[k] = cHi[r] as number;
        s.lo[k] = cLo[r] as number;
      }
      mergeSortSegment(s, start, end);
    }
    start = end;
  }
  return true;
}

/** a strictly before b, comparing (at, hi, lo). */
const before = (aAt: number, aHi: number, aLo: number, bAt: number, bHi: number, bLo: number): boolean =>
  aAt < bAt || (aAt === bAt && (aHi < bHi || (aHi === bHi && aLo < bLo)));

/**
 * Stable sort of positions [start, end) of the parallel arrays (at, hi, lo, row) of `s`,
 * by (at, hi, lo); the result is left in the primary arrays.
 */
function mergeSortSegment(s: SortScratch, start: number, end: number): void {
  let at = s.at;
  let hi = s.hi;
  let lo = s.lo;
  let row = s.row;

  // Insertion sort of each run of RUN.
  for (let runStart = start; runStart < end; runStart += RUN) {
    const runEnd = Math.min(runStart + RUN, end);
    for (let i = runStart + 1; i < runEnd; i++) {
      const kAt = at[i] as number;
      const kHi = hi[i] as number;
      const kLo = lo[i] as number;
      const kRow = row[i] as number;
      let j = i - 1;
      while (j >= runStart && before(kAt, kHi, kLo, at[j] as number, hi[j] as number, lo[j] as number)) {
        at[j + 1] = at[j] as number;
        hi[j + 1] = hi[j] as number;
        lo[j + 1] = lo[j] as number;
        row[j + 1] = row[j] as number;
        j--;
      }
      at[j + 1] = kAt;
      hi[j + 1] = kHi;
      lo[j + 1] = kLo;
      row[j + 1] = kRow;
    }
  }
  if (end - start <= RUN) return;

  // Bottom-up merges, ping-ponging between the primary and the secondary arrays.
  let at2 = s.at2;
  let hi2 = s.hi2;
  let lo2 = s.lo2;
  let row2 = s.row2;
  let swapped = false;
  for (let width = RUN; width < end - start; width *= 2) {
    for (let left = start; left < end; left += 2 * width) {
      const mid = Math.min(left + width, end);
      const right = Math.min(left + 2 * width, end);
      let i = left;
      let j = mid;
      let k = left;
      while (i < mid && j < right) {
        // Take the right element only when strictly before the left one: stable.
        const from = before(at[j] as number, hi[j] as number, lo[j] as number, at[i] as number, hi[i] as number, lo[i] as number) ? j++ : i++;
        at2[k] = at[from] as number;
        hi2[k] = hi[from] as number;
        lo2[k] = lo[from] as number;
        row2[k] = row[from] as number;
        k++;
      }
      for (; i < mid; i++, k++) {
        at2[k] = at[i] as number;
        hi2[k] = hi[i] as number;
        lo2[k] = lo[i] as number;
        row2[k] = row[i] as number;
      }
      for (; j < right; j++, k++) {
        at2[k] = at[j] as number;
        hi2[k] = hi[j] as number;
        lo2[k] = lo[j] as number;
        row2[k] = row[j] as number;
      }
    }
    [at, at2] = [at2, at];
    [hi, hi2] = [hi2, hi];
    [lo, lo2] = [lo2, lo];
    [row, row2] = [row2, row];
    swapped = !swapped;
  }
  if (swapped) {
    // The sorted segment sits in the secondary arrays: copy it back.
    s.at.set(at.subarray(start, end), start);
    s.hi.set(hi.subarray(start, end), start);
    s.lo.set(lo.subarray(start, end), start);
    s.row.set(row.subarray(start, end), start);
  }
}
