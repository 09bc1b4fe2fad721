/**
 * The journal's byte layout, in one place.
 *
 * A segment file starts with a 16-byte header: the magic `SFJOURN1` and the segment's
 * number (u64 little-endian). Then frames, back to back:
 *
 *     u32 LE  payload length
 *     u32 LE  CRC-32 (zlib's, IEEE) over the 4 length bytes, then the payload
 *     payload
 *
 * The checksum covers the length too, so a torn or zeroed header never passes for a frame.
 */
import { crc32 } from 'node:zlib';

export const SEGMENT_MAGIC: Buffer = Buffer.from('SFJOURN1', 'latin1');
export const SEGMENT_HEADER_BYTES = 16;
export const FRAME_HEADER_BYTES = 8;
/** The largest payload a frame may declare; a longer declared length is damage, not a record. */
export const MAX_RECORD_BYTES: number = 64 * 1024 * 1024;

/** The 16-byte header of segment `segment`. */
export function segmentHeader(segment: number): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
  SEGMENT_MAGIC.copy(header, 0);
  header.writeBigUInt64LE(BigInt(segment), 8);
  return header;
}

/** True when `bytes` starts with a whole, valid header of segment `segment`. */
export function isSegmentHeader(bytes: Uint8Array, segment: number): boolean {
  if (bytes.length < SEGMENT_HEADER_BYTES) return false;
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, SEGMENT_HEADER_BYTES);
  return view.subarray(0, 8).equals(SEGMENT_MAGIC) && view.readBigUInt64LE(8) === BigInt(segment);
}

/** The checksum a frame with this length and payload carries. */
export function frameChecksum(lengthBytes: Uint8Array, payload: Uint8Array): number {
  return crc32(payload, crc32(lengthBytes));
}

/** The frames of one append, as the buffers a `writev` takes, and their total length. */
export interface FrameParts {
  readonly parts: Buffer[];
  readonly bytes: number;
}

/**
 * The frames of `records` as buffers to write one after the other: each byte record's
 * 8-byte header, then the record itself (not copied: it must not change until written);
 * a string record is encoded with its header into one buffer.
 *
 * @example
 * encodeFrameParts([Buffer.from('{"id":1}')]).bytes // 8 + 8
 */
export function encodeFrameParts(records: readonly (Uint8Array | string)[]): FrameParts {
  const parts: Buffer[] = [];
  let bytes = 0;
  for (const record of records) {
    if (typeof record === 'string') {
      const frame = encodeFrames([record]);
      parts.push(frame);
      bytes += frame.length;
      continue;
    }
    if (record.length > MAX_RECORD_BYTES) throw new RangeError(`journal: a record of ${record.length} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`);
    const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
    header.writeUInt32LE(record.length, 0);
    header.writeUInt32LE(frameChecksum(header.subarray(0, 4), record), 4);
    parts.push(header, Buffer.from(record.buffer, record.byteOffset, record.length));
    bytes += FRAME_HEADER_BYTES + record.length;
  }
  return { parts, bytes };
}

/**
 * Writes the frames of `records` into one buffer.
 *
 * @example
 * encodeFrames([Buffer.from('{"id":1}')]).length // 8 + 8
 */
export function encodeFrames(records: readonly (Uint8Array | string)[]): Buffer {
  let total = 0;
  const lengths = new Array<number>(records.length);
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as Uint8Array | string;
    const length = typeof record === 'string' ? Buffer.byteLength(record, 'utf8') : record.length;
    if (length > MAX_RECORD_BYTES) throw new RangeError(`journal: a record of ${length} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`);
    lengths[i] = length;
    total += FRAME_HEADER_BYTES + length;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as Uint8Array | string;
    const length = lengths[i] as number;
    out.writeUInt32LE(length, at);
    const start = at + FRAME_HEADER_BYTES;
    if (typeof record === 'string') out.write(record, start, length, 'utf8');
    else out.set(record, start);
    out.writeUInt32LE(frameChecksum(out.subarray(at, at + 4), out.subarray(start, start + length)), at + 4);
    at = start + length;
  }
  return out;
}

/** One frame as read back: a record, or why the bytes at `offset` are not one. */
export type FrameRead =
  | { readonly kind: 'record'; readonly offset: number; readonly end: number; readonly payload: Buffer }
  | { readonly kind: 'end'; readonly offset: number }
  | {
      readonly kind: 'bad';
      readonly offset: number;
      readonly reason: 'partial_header' | 'partial_frame' | 'bad_checksum' | 'bad_length';
      readonly frameEnd: number;
    };

/**
 * Reads the frame at `offset` of a segment's bytes.
 *
 * @example
 * readFrame(segmentBytes, SEGMENT_HEADER_BYTES) // { kind: 'record', payload, end }
 */
export function readFrame(bytes: Buffer, offset: number): FrameRead {
  if (offset === bytes.length) return { kind: 'end', offset };
  if (bytes.length - offset < FRAME_HEADER_BYTES) return { kind: 'bad', offset, reason: 'partial_header', frameEnd: bytes.length };
  const length = bytes.readUInt32LE(offset);
  if (length > MAX_RECORD_BYTES) return { kind: 'bad', offset, reason: 'bad_length', frameEnd: bytes.length };
  const start = offset + FRAME_HEADER_BYTES;
  const end = start + length;
  if (end > bytes.length) return { kind: 'bad', offset, reason: 'partial_frame', frameEnd: bytes.length };
  const payload = bytes.subarray(start, end);
  if (frameChecksum(bytes.subarray(offset, offset + 4), payload) !== bytes.readUInt32LE(offset + 4))
    return { kind: 'bad', offset, reason: 'bad_checksum', frameEnd: end };
  return { kind: 'record', offset, end, payload };
}

/** Zeros compared a chunk at a time (a native compare instead of a loop per byte). */
const ZERO_CHUNK = Buffer.alloc(64 * 1024);

/**
 * The index of the last byte at or after `offset` that is not zero, or -1 when every byte
 * from `offset` on is zero. A preallocated segment is zeros past its last frame, and no
 * frame is all zeros (a zero length carries a non-zero checksum), so the bytes a frame can
 * start at end here.
 *
 * @example
 * lastNonZeroFrom(Buffer.from([1, 2, 0, 0]), 0) // 1
 */
export function lastNonZeroFrom(bytes: Buffer, offset: number): number {
  let stop = bytes.length;
  while (stop > offset) {
    const start = Math.max(offset, stop - ZERO_CHUNK.length);
    if (!bytes.subarray(start, stop).equals(ZERO_CHUNK.subarray(0, stop - start))) {
      for (let i = stop - 1; i >= start; i--) if (bytes[i] !== 0) return i;
    }
    stop = start;
  }
  return -1;
}

/**
 * The index of the first byte at or after `offset` that is not zero, or -1.
 *
 * @example
 * nextNonZeroFrom(Buffer.from([0, 0, 5]), 0) // 2
 */
export function nextNonZeroFrom(bytes: Buffer, offset: number): number {
  for (let start = offset; start < bytes.length; start += ZERO_CHUNK.length) {
    const stop = Math.min(bytes.length, start + ZERO_CHUNK.length);
    if (bytes.subarray(start, stop).equals(ZERO_CHUNK.subarray(0, stop - start))) continue;
    for (let i = start; i < stop; i++) if (bytes[i] !== 0) return i;
  }
  return -1;
}

/** True when every byte from `offset` to the end is zero (space a crash left allocated but unwritten, or a preallocated segment's free space). */
export function allZeroFrom(bytes: Buffer, offset: number): boolean {
  return lastNonZeroFrom(bytes, offset) === -1;
}
