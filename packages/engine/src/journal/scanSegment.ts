import { crc32 } from 'node:zlib';
import { FRAME_HEADER_BYTES, lastNonZeroFrom, MAX_RECORD_BYTES, nextNonZeroFrom, readFrame, SEGMENT_HEADER_BYTES } from './frame.js';

/** What a scan of one segment's bytes found. */
export type SegmentScan =
  /** Every byte is a whole, valid frame up to `end`. */
  | { readonly kind: 'clean'; readonly end: number; readonly records: number }
  /**
   * A torn tail: valid frames up to `end`, then bytes that hold no valid frame anywhere
   * (a write the crash interrupted). They can be cut without losing a record.
   */
  | {
      readonly kind: 'torn';
      readonly end: number;
      readonly records: number;
      readonly reason: string;
      /** Where the remains end: the file's end, or (`zeroTailIsFree`) just after their last non-zero byte. */
      readonly remainsEnd: number;
    }
  /** A damaged frame at `offset` with valid frames after it: cutting would lose records. */
  | { readonly kind: 'corrupt'; readonly offset: number; readonly reason: string };

/**
 * Walks the frames of a segment (header already checked) and classifies what follows the
 * last valid one. A bad frame is a torn tail only when no valid frame starts anywhere after
 * it: a crash interrupts the newest write, so everything after the damage is that write's
 * remains; a valid frame further on means the damage is in the middle.
 *
 * `zeroTailIsFree` (a preallocated segment: zeros written ahead of the frames) makes an
 * all-zero rest the clean end, and the remains of a torn write only the bytes up to the
 * last non-zero one; without it, zeros after the last frame are a torn tail like any other.
 *
 * @example
 * scanSegment(readFileSync(path)) // { kind: 'torn', end: 4096, records: 37, reason: 'partial_frame', remainsEnd: 4200 }
 */
export function scanSegment(bytes: Buffer, zeroTailIsFree = false): SegmentScan {
  let offset = SEGMENT_HEADER_BYTES;
  let records = 0;
  for (;;) {
    const frame = readFrame(bytes, offset);
    if (frame.kind === 'end') return { kind: 'clean', end: offset, records };
    if (frame.kind === 'record') {
      records += 1;
      offset = frame.end;
      continue;
    }
    const last = lastNonZeroFrom(bytes, offset);
    if (zeroTailIsFree && last === -1) return { kind: 'clean', end: offset, records };
    // A valid frame holds a non-zero byte in its first eight: none starts after the last one.
    const later = firstValidFrameAfter(bytes, offset + 1, last);
    return later === -1
      ? { kind: 'torn', end: offset, records, reason: frame.reason, remainsEnd: zeroTailIsFree ? last + 1 : bytes.length }
      : { kind: 'corrupt', offset, reason: `${frame.reason}, and a valid frame follows at offset ${later}` };
  }
}

/** The offset of the first valid frame starting at or after `from` and at or before `last`, or -1. */
function firstValidFrameAfter(bytes: Buffer, from: number, last: number): number {
  for (let at = from; at <= last && at + FRAME_HEADER_BYTES <= bytes.length; at++) {
    const length = bytes.readUInt32LE(at);
    if (length === 0 && bytes.readUInt32LE(at + 4) === 0) {
      // Eight zeros are no frame, nor is any eight bytes inside the zeros that follow: skip the stretch in one step.
      const next = nextNonZeroFrom(bytes, at + FRAME_HEADER_BYTES);
      if (next === -1) return -1;
      at = next - FRAME_HEADER_BYTES;
      continue;
    }
    if (length > MAX_RECORD_BYTES || at + FRAME_HEADER_BYTES + length > bytes.length) continue;
    const expected = bytes.readUInt32LE(at + 4);
    if (crc32(bytes.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length), crc32(bytes.subarray(at, at + 4))) === expected) return at;
  }
  return -1;
}
