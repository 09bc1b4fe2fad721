/** @simfleet/engine: records to fleet state, for replay and live. */
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
