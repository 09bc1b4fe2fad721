/**
 * @simfleet/core/checkpoint — the binary checkpoint format (encode, decode, restore the
 * columns, the machine fingerprint). `@simfleet/engine` does the file I/O; most programs
 * use its replay and live APIs rather than this.
 */
export { CheckpointError, type CheckpointErrorCode } from './CheckpointError.js';
export type { CheckpointHasher } from './CheckpointHasher.js';
export type { CheckpointAccount, CheckpointHeader, CheckpointInput } from './CheckpointHeader.js';
export { CHECKPOINT_FORMAT_VERSION, CHECKPOINT_MAGIC, CHECKPOINT_COLUMNS } from './checkpointLayout.js';
export { encodeCheckpoint, type CheckpointContent, type EncodeCheckpointOptions } from './encodeCheckpoint.js';
export {
  decodeCheckpoint,
  type CheckpointRows,
  type DecodedCheckpoint,
  type DecodeCheckpointOptions,
  type DecodeCheckpointResult,
} from './decodeCheckpoint.js';
export { restoreColumns } from './restoreColumns.js';
export { machineFingerprint, machineFingerprintText } from './machineFingerprint.js';
export { CheckpointStringPool } from './CheckpointStringPool.js';
