/**
 * The rows of shared changes (`TransitionLog.split`) in COPY's binary format: the change
 * once in `organisation_changes`, its endpoints as chunks of `member_chunks`
 * (memberChunks.ts). Binary, because the chunks hold millions of ids in a replay: in text,
 * the server parses every id (`array_in`), which took twice the time of taking them as
 * 8-byte integers, and the client formats every id as decimal.
 */
import type { FleetStore } from '@simfleet/core';
import type { EncodedMemberList, MemberChunk } from './memberChunks.js';
import type { SharedChange } from './TransitionLog.js';

/** Columns of `organisation_changes` (migration 5) that the writer fills, in the order of the binary fields. */
export const SHARED_COLUMNS = ['organisation_id', 'region', 'from_state', 'to_state', 'at', 'event_id', 'endpoint_count', 'chunk_ids', 'chunk_masks'] as const;

/** Columns of `member_chunks`, in the order of the binary fields. */
export const CHUNK_COLUMNS = ['chunk_id', 'endpoint_ids'] as const;

/** Columns of the staged lists a merge compares with what is stored (`k`: the list's index in the write). */
export const MEMBER_LIST_COLUMNS = ['k', 'event_id', 'region', 'endpoint_ids'] as const;

/** PostgreSQL's oids of `int8` and `bytea`, the element types of the arrays written. */
const INT8_OID = 20;
const BYTEA_OID = 17;
/** 2000-01-01T00:00:00Z, the epoch of binary timestamps, in UTC epoch ms. */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 4294967296;

/** COPY binary's header (signature, flags and header extension length: zero). */
function copyHeader(): Buffer {
  const header = Buffer.alloc(19);
  header.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
  return header;
}

/** COPY binary's trailer. */
function copyTrailer(): Buffer {
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  return trailer;
}

/** A change's organisation: the one its first endpoint belongs to in `fleet` (null when none). */
function organisationOf(change: SharedChange, fleet: FleetStore): number | null {
  const d = fleet.findDevice(change.endpointIds[0] as number);
  const o = d < 0 ? -1 : fleet.organisationIndexOfDevice(d);
  return o < 0 ? null : (fleet.organisationIds[o] as number);
}

/**
 * The shared changes as `organisation_changes` rows in COPY binary data (header, one row
 * each, trailer), for `COPY … (SHARED_COLUMNS) FROM STDIN (FORMAT binary)`: each change
 * with its list as `encoded` (the same index) stores it.
 *
 * @example
 * await copy(`COPY organisation_changes (${SHARED_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`, sharedCopyBinary(shared, encoded, fleet));
 */
export function* sharedCopyBinary(changes: readonly SharedChange[], encoded: readonly EncodedMemberList[], fleet: FleetStore): Generator<Buffer> {
  yield copyHeader();
  for (let k = 0; k < changes.length; k++) yield sharedRow(changes[k] as SharedChange, encoded[k] as EncodedMemberList, fleet);
  yield copyTrailer();
}

/** One `organisation_changes` row: field count, then each field as its length and its bytes. */
function sharedRow(change: SharedChange, list: EncodedMemberList, fleet: FleetStore): Buffer {
  const organisation = organisationOf(change, fleet);
  const region = Buffer.from(change.region, 'utf8');
  const from = Buffer.from(change.from, 'utf8');
  const to = Buffer.from(change.to, 'utf8');
  const eventId = numericBinary(change.eventId);
  const chunkIds = byteaArray(list.chunks.map((c) => c.id));
  const masks = list.masks === null ? null : byteaArray(list.masks);
  const size =
    2 +
    (4 + (organisation === null ? 0 : 8)) +
    (4 + region.length) +
    (4 + from.length) +
    (4 + to.length) +
    (4 + 8) +
    (4 + eventId.length) +
    (4 + 4) +
    (4 + chunkIds.length) +
    (4 + (masks === null ? 0 : masks.length));
  const b = Buffer.allocUnsafe(size);
  let p = b.writeInt16BE(SHARED_COLUMNS.length, 0);
  if (organisation === null) p = b.writeInt32BE(-1, p);
  else {
    p = b.writeInt32BE(8, p);
    p = writeInt64(b, p, organisation);
  }
  for (const text of [region, from, to]) {
    p = b.writeInt32BE(text.length, p);
    p += text.copy(b, p);
  }
  p = b.writeInt32BE(8, p);
  p = b.writeBigInt64BE(BigInt((change.at - PG_EPOCH_MS) * 1000), p);
  p = b.writeInt32BE(eventId.length, p);
  p += eventId.copy(b, p);
  p = b.writeInt32BE(4, p);
  p = b.writeInt32BE(list.count, p);
  p = b.writeInt32BE(chunkIds.length, p);
  p += chunkIds.copy(b, p);
  if (masks === null) b.writeInt32BE(-1, p);
  else {
    p = b.writeInt32BE(masks.length, p);
    masks.copy(b, p);
  }
  return b;
}

/** A one-dimensional `bytea[]` in binary (ndim, has-null flag, element type, length, lower bound, elements). */
function byteaArray(values: readonly (Buffer | null)[]): Buffer {
  if (values.length === 0) {
    const empty = Buffer.alloc(12);
    empty.writeInt32BE(BYTEA_OID, 8);
    return empty;
  }
  const size = 20 + values.reduce((n, v) => n + 4 + (v === null ? 0 : v.length), 0);
  const b = Buffer.allocUnsafe(size);
  let p = b.writeInt32BE(1, 0);
  p = b.writeInt32BE(values.includes(null) ? 1 : 0, p);
  p = b.writeInt32BE(BYTEA_OID, p);
  p = b.writeInt32BE(values.length, p);
  p = b.writeInt32BE(1, p);
  for (const v of values) {
    if (v === null) p = b.writeInt32BE(-1, p);
    else {
      p = b.writeInt32BE(v.length, p);
      p += v.copy(b, p);
    }
  }
  return b;
}

/**
 * `member_chunks` rows in COPY binary data, for `COPY … (CHUNK_COLUMNS) FROM STDIN (FORMAT binary)`.
 *
 * @example
 * await copy(`COPY member_chunks (chunk_id, endpoint_ids) FROM STDIN (FORMAT binary)`, chunkCopyBinary(chunker.chunks.values()));
 */
export function* chunkCopyBinary(chunks: Iterable<MemberChunk>): Generator<Buffer> {
  yield copyHeader();
  for (const chunk of chunks) {
    const b = Buffer.allocUnsafe(2 + 4 + chunk.id.length + 4 + 20);
    let p = b.writeInt16BE(CHUNK_COLUMNS.length, 0);
    p = b.writeInt32BE(chunk.id.length, p);
    p += chunk.id.copy(b, p);
    p = int8ArrayHeader(b, p, chunk.endpointIds.length);
    yield b;
    yield int8Elements(chunk.endpointIds);
  }
  yield copyTrailer();
}

/**
 * Lists to compare with what is stored (their index in `changes`, event id, region, ids)
 * in COPY binary data, for `COPY … (MEMBER_LIST_COLUMNS) FROM STDIN (FORMAT binary)`.
 */
export function* memberListCopyBinary(changes: readonly SharedChange[]): Generator<Buffer> {
  yield copyHeader();
  for (let n = 0; n < changes.length; n++) {
    const change = changes[n] as SharedChange;
    const region = Buffer.from(change.region, 'utf8');
    const eventId = numericBinary(change.eventId);
    const b = Buffer.allocUnsafe(2 + 8 + 4 + eventId.length + 4 + region.length + 4 + 20);
    let p = b.writeInt16BE(MEMBER_LIST_COLUMNS.length, 0);
    p = b.writeInt32BE(4, p);
    p = b.writeInt32BE(n, p);
    p = b.writeInt32BE(eventId.length, p);
    p += eventId.copy(b, p);
    p = b.writeInt32BE(region.length, p);
    p += region.copy(b, p);
    p = int8ArrayHeader(b, p, change.endpointIds.length);
    yield b;
    yield int8Elements(change.endpointIds);
  }
  yield copyTrailer();
}

/** The field length and header of a one-dimensional `int8[]` of `n` elements without nulls (its elements follow). */
function int8ArrayHeader(b: Buffer, p: number, n: number): number {
  p = b.writeInt32BE(20 + n * 12, p);
  p = b.writeInt32BE(1, p);
  p = b.writeInt32BE(0, p);
  p = b.writeInt32BE(INT8_OID, p);
  p = b.writeInt32BE(n, p);
  return b.writeInt32BE(1, p);
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
