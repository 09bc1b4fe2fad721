/**
 * The `organisation_transitions` rows of shared changes (`TransitionLog.split`), in COPY's
 * binary format: the change once, with the endpoints it reached as a `bigint[]`. Binary,
 * because these arrays hold tens of millions of ids in a replay: in text, the server
 * parses every id (`array_in`), which took twice the time of taking them as 8-byte
 * integers, and the client formats every id as decimal.
 */
import type { FleetStore } from '@simfleet/core';
import type { SharedChange } from './TransitionLog.js';

/** Columns of `organisation_transitions`, in table order (the order of the binary fields). */
export const SHARED_COLUMNS = ['organisation_id', 'region', 'from_state', 'to_state', 'at', 'event_id', 'endpoint_ids'] as const;

/** PostgreSQL's oid of `int8`, the element type of `endpoint_ids`. */
const INT8_OID = 20;
/** 2000-01-01T00:00:00Z, the epoch of binary timestamps, in UTC epoch ms. */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 4294967296;

/**
 * The shared changes as COPY binary data (header, one row each, trailer), for
 * `COPY … (organisation_id, …, endpoint_ids) FROM STDIN (FORMAT binary)`. A change's
 * organisation is the one its first endpoint belongs to in `fleet` (null when none).
 *
 * @example
 * await copy(`COPY stage_shared (${SHARED_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`, sharedCopyBinary(shared, fleet));
 */
export function* sharedCopyBinary(changes: readonly SharedChange[], fleet: FleetStore): Generator<Buffer> {
  const header = Buffer.alloc(19);
  header.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
  yield header; // flags and header extension length: zero
  for (const change of changes) yield* sharedRow(change, fleet);
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  yield trailer;
}

/**
 * One row: field count, then each field as its length and its bytes. Two buffers: the
 * fields up to the array's element count, then the elements (a length and eight bytes
 * each), written as big-endian 32-bit words through a `Uint32Array` (its own, aligned
 * memory): a few tens of millions of ids in a replay, where `Buffer.writeInt32BE` per
 * word cost seconds.
 */
function sharedRow(change: SharedChange, fleet: FleetStore): [Buffer, Buffer] {
  const d = fleet.findDevice(change.endpointIds[0] as number);
  const o = d < 0 ? -1 : fleet.organisationIndexOfDevice(d);
  const region = Buffer.from(change.region, 'utf8');
  const from = Buffer.from(change.from, 'utf8');
  const to = Buffer.from(change.to, 'utf8');
  const eventId = numericBinary(change.eventId);
  const ids = change.endpointIds;
  const arrayBytes = 20 + ids.length * 12;
  const size = 2 + (4 + (o < 0 ? 0 : 8)) + (4 + region.length) + (4 + from.length) + (4 + to.length) + (4 + 8) + (4 + eventId.length) + (4 + 20);
  const b = Buffer.allocUnsafe(size);
  let p = b.writeInt16BE(SHARED_COLUMNS.length, 0);
  if (o < 0) p = b.writeInt32BE(-1, p);
  else {
    p = b.writeInt32BE(8, p);
    p = writeInt64(b, p, fleet.organisationIds[o] as number);
  }
  for (const text of [region, from, to]) {
    p = b.writeInt32BE(text.length, p);
    p += text.copy(b, p);
  }
  p = b.writeInt32BE(8, p);
  p = b.writeBigInt64BE(BigInt((change.at - PG_EPOCH_MS) * 1000), p);
  p = b.writeInt32BE(eventId.length, p);
  p += eventId.copy(b, p);
  // One-dimensional int8 array without nulls: ndim, has-null flag, element type, length, lower bound.
  p = b.writeInt32BE(arrayBytes, p);
  p = b.writeInt32BE(1, p);
  p = b.writeInt32BE(0, p);
  p = b.writeInt32BE(INT8_OID, p);
  p = b.writeInt32BE(ids.length, p);
  b.writeInt32BE(1, p);
  return [b, int8Elements(ids)];
}

/** Whether this machine stores a `Uint32Array` word with its least significant byte first. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** `v` (a uint32) as the word whose memory bytes are `v` big-endian. */
const bigEndianWord = LITTLE_ENDIAN
  ? (v: number): number => ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)
  : (v: number): number => v;

/**
 * The elements of a binary int8 array: per id its length (8) and its eight bytes, big-endian.
 * An id below 2^32 (emnify's) has a zero high word, which the new array already holds: no
 * division for it: 0.3 s instead of 0.5–0.85 s for the 40M ids of the bench's log.
 */
export function int8Elements(ids: Float64Array): Buffer {
  const words = new Uint32Array(ids.length * 3);
  const eight = bigEndianWord(8);
  for (let k = 0, w = 0; k < ids.length; k++, w += 3) {
    const v = ids[k] as number;
    words[w] = eight;
    if (v >= 0 && v < TWO_32) {
      words[w + 2] = bigEndianWord(v >>> 0);
    } else {
      const hi = Math.floor(v / TWO_32);
      words[w + 1] = bigEndianWord(hi >>> 0);
      words[w + 2] = bigEndianWord((v - hi * TWO_32) >>> 0);
    }
  }
  return Buffer.from(words.buffer, words.byteOffset, words.byteLength);
}

/** An integer below 2^53 in magnitude as a big-endian int64 (two's complement). */
function writeInt64(b: Buffer, p: number, v: number): number {
  const hi = Math.floor(v / TWO_32);
  p = b.writeInt32BE(hi, p);
  return b.writeUInt32BE(v - hi * TWO_32, p);
}

/**
 * A non-negative integer in `numeric`'s binary form: digit count, weight, sign, display
 * scale, then base-10,000 digits, most significant first, trailing zero digits left out.
 */
export function numericBinary(value: bigint): Buffer {
  const digits: number[] = [];
  for (let v = value; v > 0n; v /= 10000n) digits.unshift(Number(v % 10000n));
  const weight = digits.length - 1;
  while (digits.length > 0 && digits[digits.length - 1] === 0) digits.pop();
  const b = Buffer.alloc(8 + digits.length * 2);
  b.writeInt16BE(digits.length, 0);
  b.writeInt16BE(digits.length === 0 ? 0 : weight, 2);
  b.writeUInt16BE(0, 4); // positive
  b.writeInt16BE(0, 6); // no digits after the point
  for (let k = 0; k < digits.length; k++) b.writeUInt16BE(digits[k] as number, 8 + k * 2);
  return b;
}
