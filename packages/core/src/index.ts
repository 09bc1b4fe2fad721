// @simfleet/core — the public surface. Pure: no Node I/O anywhere below.

// The event catalog (the one table of event type ids) and the other code tables.
export * from './catalog/eventTypes.js';
export * from './catalog/eventSources.js';
export * from './catalog/rejectionReasons.js';

// The typed event model and the decoder.
export type * from './model/event.js';
export { DecodeError, type DecodeErrorCode, type DecodeResult, type TextLocation } from './decode/DecodeError.js';
export { decodeEvent } from './decode/decodeEvent.js';
export { decodeEventText } from './decode/decodeEventText.js';
export { MAX_JSON_DEPTH, parseJsonText } from './decode/parseJsonText.js';
export { stringifyJson } from './decode/stringifyJson.js';
export { parseTimestamp, formatTimestamp } from './decode/timestamp.js';
export { civilFromDays } from './decode/civilFromDays.js';
export { classifyEvent, DEVICE_EVENT_RULES, type DeviceEventRule, type RecordFlag } from './decode/classifyEvent.js';
export { encodeEvent } from './decode/encodeEvent.js';

// The statecharts (the executable specification) and the views of a device.
export * from './machine/deviceEvent.js';
export * from './machine/deviceMachine.js';
export * from './machine/organisationMachine.js';
export * from './machine/endpointState.js';
export * from './machine/endpointStateFromSnapshot.js';
export * from './machine/ruleSources.js';

// The compiled reducer (the hot path) and the fleet store.
export * from './reducer/compileMachine.js';
export { operatorKey, type StoredStrings, StringPool } from './reducer/StringPool.js';
export * from './reducer/ReducerError.js';
export * from './reducer/EventColumns.js';
export { appendRow, COLUMN_KIND_BYTES, type ColumnKind, POOL_COLUMNS, ROW_COLUMNS, type RowArrays, type RowColumnName } from './reducer/rowColumns.js';
export * from './reducer/sortBatch.js';
export * from './reducer/applyBatch.js';
export * from './reducer/organisationFact.js';
export { compareRowContent, compareRowsContent } from './reducer/compareRowContent.js';
export { dropDuplicateIds } from './reducer/dropDuplicateIds.js';
export * from './fleet/FleetStore.js';
export * from './fleet/fleetSummary.js';
export * from './snapshot/endpointJson.js';

// The byte-level NDJSON fast path (proven equal to the decoder, or it falls back).
export { FastLineDecoder, FAST_BLANK, FAST_FALLBACK } from './fastpath/FastLineDecoder.js';
// The fast path's per-type tables (also the WebAssembly decoder's, which the boundary hands them to).
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
export { invalidUtf8Offset, utf8SequenceLength } from './text/utf8.js';
export { BOM, bomLength, firstNonBlank, isGzipMagic, isJsonBlank } from './text/inputBytes.js';
export {
  DEFAULT_MAX_LINE_BYTES,
  NdjsonLines,
  type NdjsonLinesOptions,
  type OnLine,
  type OnTooLong,
  TOO_LONG_HEAD_BYTES,
} from './text/NdjsonLines.js';
export { timestampBytes } from './fastpath/timestampBytes.js';

// Checkpoints: the binary format (the engine does the file I/O). Also, with the encoder's
// helpers, at @simfleet/core/checkpoint; the reducer's column internals are at
// @simfleet/core/columns, the generated docs at @simfleet/core/docs.
export { CheckpointError, type CheckpointErrorCode } from './checkpoint/CheckpointError.js';
export type { CheckpointHasher } from './checkpoint/CheckpointHasher.js';
export type { CheckpointAccount, CheckpointHeader, CheckpointInput } from './checkpoint/CheckpointHeader.js';
export { CHECKPOINT_FORMAT_VERSION, CHECKPOINT_MAGIC, CHECKPOINT_COLUMNS } from './checkpoint/checkpointLayout.js';
export { encodeCheckpoint, type CheckpointContent, type EncodeCheckpointOptions } from './checkpoint/encodeCheckpoint.js';
export {
  decodeCheckpoint,
  type CheckpointRows,
  type DecodedCheckpoint,
  type DecodeCheckpointOptions,
  type DecodeCheckpointResult,
} from './checkpoint/decodeCheckpoint.js';
export { restoreColumns } from './checkpoint/restoreColumns.js';
export { machineFingerprint, machineFingerprintText } from './checkpoint/machineFingerprint.js';

