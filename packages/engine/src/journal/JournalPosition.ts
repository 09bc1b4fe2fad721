/**
 * Where a record sits in a journal: its segment's number and the byte offset of its frame
 * in that segment. Positions order the journal: `(segment, offset)` compared as a pair.
 */
export interface JournalPosition {
  /** The segment's number (its file is `segmentFileName(segment)`), from 1. */
  readonly segment: number;
  /** Byte offset of the frame inside the segment file. */
  readonly offset: number;
}

/**
 * Orders two positions: negative when `a` is before `b`, 0 when equal, positive after.
 *
 * @example
 * comparePositions({ segment: 1, offset: 16 }, { segment: 2, offset: 16 }) // < 0
 */
export function comparePositions(a: JournalPosition, b: JournalPosition): number {
  return a.segment !== b.segment ? a.segment - b.segment : a.offset - b.offset;
}

/**
 * A position as text, for messages: `segment 3 offset 4096`.
 *
 * @example
 * formatPosition({ segment: 3, offset: 4096 }) // 'segment 3 offset 4096'
 */
export function formatPosition(position: JournalPosition): string {
  return `segment ${position.segment} offset ${position.offset}`;
}
