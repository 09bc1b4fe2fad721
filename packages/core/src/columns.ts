/**
 * @simfleet/core/columns — the reducer's internals, for code that builds, moves or
 * re-folds event rows itself (the engine's spill files, worker threads and live ingest,
 * the WebAssembly decoder): row and pool columns, the row-block byte layout (spill files
 * and checkpoints), the string pool's keys, the batch sort and the row comparisons, the
 * byte-level input path (the line splitter, the byte helpers, the fast path and its
 * per-type tables) and the per-device change report. `EventColumns` and `applyBatch`
 * (main entry) are all most programs need.
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
export { compareRowContent, compareRowsContent } from './reducer/compareRowContent.js';
export { dropDuplicateIds } from './reducer/dropDuplicateIds.js';
export { reportDeviceChange } from './reducer/applyBatch.js';
export { civilFromDays } from './decode/civilFromDays.js';
export { FAST_BLANK, FAST_FALLBACK, FastLineDecoder } from './fastpath/FastLineDecoder.js';
export {
  MAX_PLANNED_TYPE_ID,
  PLAN_OPERATOR_DETAIL,
  PLAN_RULE,
  PLAN_WHEN_FALSE,
  PLAN_WHEN_TRUE,
  SESSION_CREATED_CODE,
  SESSION_REJECTED_CODE,
  SESSION_UPDATED_CODE,
} from './fastpath/fastTypePlan.js';
export { timestampBytes } from './fastpath/timestampBytes.js';
export { invalidUtf8Offset, utf8SequenceLength } from './text/utf8.js';
export { BOM, bomLength, concatPrefix, firstNonBlank, isGzipMagic, isJsonBlank } from './text/inputBytes.js';
export {
  DEFAULT_MAX_LINE_BYTES,
  NdjsonLines,
  type NdjsonLinesOptions,
  type OnLine,
  type OnTooLong,
  TOO_LONG_HEAD_BYTES,
} from './text/NdjsonLines.js';
