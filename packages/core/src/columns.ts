/**
 * @simfleet/core/columns — the reducer's column layout, for code that builds or moves event
 * rows itself (the engine's spill files and worker threads): row and pool columns, the
 * row-block byte layout (spill files and checkpoints), the byte fast path, the string pool
 * and the batch sort. `EventColumns` and `applyBatch` (main entry) are all most programs need.
 */
export { appendRow, COLUMN_KIND_BYTES, type ColumnKind, POOL_COLUMNS, ROW_COLUMNS, type RowArrays, type RowColumnName } from './reducer/rowColumns.js';
export {
  align8,
  allocateRowBlock,
  type ByteOrderOptions,
  type ColumnArray,
  decodeRowBlock,
  encodeRowBlock,
  HOST_LITTLE_ENDIAN,
  readColumnBytes,
  ROW_BLOCK_ROW_BYTES,
  type RowBlockColumn,
  type RowBlockLayout,
  rowBlockBytes,
  rowBlockLayout,
  writeColumnBytes,
} from './reducer/rowBlock.js';
export * from './reducer/EventColumns.js';
export { operatorKey, type StoredStrings, StringPool } from './reducer/StringPool.js';
export * from './reducer/sortBatch.js';
export { FAST_BLANK, FAST_FALLBACK, FastLineDecoder } from './fastpath/FastLineDecoder.js';
