/**
 * @simfleet/engine — the one path from emnify event records to fleet state.
 *
 * - Replay: files, directories or streams to a snapshot (`replaySources`, `ReplaySession`):
 *   decoded, deduplicated by event id, applied in (timestamp, event id) order, spilled to disk
 *   beyond a row budget, on worker threads for big files, checkpointed and resumable.
 * - Live: `LiveFleet` ingests batches in any order and holds, after every batch, exactly the
 *   state a replay of the same records gives (within each device's reorder horizon).
 *
 * `@simfleet/core` stays pure (no I/O); this package reads files and runs threads.
 */
export { InputError } from './InputError.js';
export { type IoAction, ioErrorCode, ioErrorText } from './io/ioErrorText.js';
export { removeOnExit } from './io/tempPaths.js';
export { expandPaths, type InputSource } from './input/expandPaths.js';
export { type InputFormat, type RawRecord, readRecords } from './input/readRecords.js';
export {
  DEFAULT_MAX_ROWS_IN_MEMORY,
  eventTypeName,
  type Rejection,
  type ReplayAccount,
  type ReplayOptions,
  ReplaySession,
  type WatchedEvents,
} from './replay/ReplaySession.js';
export { accountingLine, type ReplayProgress, type ReplayRun, type ReplaySourcesOptions, replaySources } from './replay/replaySources.js';
export { MAX_RANGE_BYTES } from './replay/ParallelReplay.js';
export { SNAPSHOT_SCHEMA, snapshotChunks } from './snapshot/snapshot.js';
export type { CheckpointStore } from './checkpoint/CheckpointStore.js';
export { DirectoryCheckpointStore } from './checkpoint/DirectoryCheckpointStore.js';
export { type CheckpointLocation, type ReplayCheckpointOptions, ReplayCheckpoints } from './checkpoint/ReplayCheckpoints.js';
export { checkpointHasher } from './checkpoint/checkpointHasher.js';
export {
  DEFAULT_MAX_CLOCK_SKEW_MS,
  DEFAULT_REORDER_HORIZON_MS,
  LIVE_ACCEPTED,
  LIVE_DUPLICATE,
  LIVE_REJECTED,
  LIVE_TOO_LATE,
  type LiveBatchResult,
  type LiveColumnsBatch,
  type LiveColumnsMisfit,
  LiveFleet,
  type LiveFleetOptions,
  type LiveRejection,
  type LiveTransition,
  type TooLateEvent,
} from './live/LiveFleet.js';
export { liveFromCheckpoint } from './live/liveFromCheckpoint.js';
export {
  comparePositions,
  formatPosition,
  Journal,
  JournalError,
  type JournalErrorCode,
  type JournalOptions,
  type JournalPosition,
  type JournalRecord,
  type JournalState,
  segmentFileName,
  type TornTail,
} from './journal/index.js';
