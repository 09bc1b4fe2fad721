export { Journal, type JournalOptions, type JournalRecord, type JournalState, type TornTail } from './Journal.js';
export { JournalError, type JournalErrorCode } from './JournalError.js';
export { comparePositions, formatPosition, type JournalPosition } from './JournalPosition.js';
export { segmentFileName } from './segmentFiles.js';
