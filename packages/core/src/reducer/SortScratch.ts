/** Reusable scratch of `sortBatch`, kept on the columns: keys and rows, twice (merge ping-pong). */
export interface SortScratch {
  at: Float64Array;
  hi: Uint32Array;
  lo: Uint32Array;
  row: Uint32Array;
  at2: Float64Array;
  hi2: Uint32Array;
  lo2: Uint32Array;
  row2: Uint32Array;
}
