/**
 * Orders a batch by (time, event id) without touching the columns: the result is a
 * permutation of row indices.
 *
 * A stable bottom-up merge sort over a `Uint32Array`, with insertion-sorted runs of 32 and
 * the columns' own scratch buffers, so sorting allocates nothing per event (a comparator
 * passed to `Array#sort` would box every comparison through a closure call). Logs and
 * streams are mostly in order already: an in-order batch is detected in one pass and not
 * sorted at all.
 */
import type { EventColumns } from './EventColumns.js';

const RUN = 32;

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
  const at = columns.at;
  const hi = columns.idHi;
  const lo = columns.idLo;
  let src = columns.order;
  let dst = columns.orderScratch;
  for (let i = 0; i < n; i++) src[i] = i;

  // x strictly before y?
  const before = (x: number, y: number): boolean => {
    const ax = at[x] as number;
    const ay = at[y] as number;
    if (ax !== ay) return ax < ay;
    const hx = hi[x] as number;
    const hy = hi[y] as number;
    if (hx !== hy) return hx < hy;
    return (lo[x] as number) < (lo[y] as number);
  };

  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (before(i, i - 1)) {
      sorted = false;
      break;
    }
  }
  if (sorted) return src.subarray(0, n);

  for (let start = 0; start < n; start += RUN) {
    const end = Math.min(start + RUN, n);
    for (let i = start + 1; i < end; i++) {
      const row = src[i] as number;
      let j = i - 1;
      while (j >= start && before(row, src[j] as number)) {
        src[j + 1] = src[j] as number;
        j--;
      }
      src[j + 1] = row;
    }
  }

  for (let width = RUN; width < n; width *= 2) {
    for (let left = 0; left < n; left += 2 * width) {
      const mid = Math.min(left + width, n);
      const right = Math.min(left + 2 * width, n);
      let i = left;
      let j = mid;
      let k = left;
      while (i < mid && j < right) {
        // Take the right row only when strictly before the left one: stable.
        if (before(src[j] as number, src[i] as number)) dst[k++] = src[j++] as number;
        else dst[k++] = src[i++] as number;
      }
      while (i < mid) dst[k++] = src[i++] as number;
      while (j < right) dst[k++] = src[j++] as number;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src.subarray(0, n);
}
