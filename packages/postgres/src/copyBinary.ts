/**
 * Field writers of PostgreSQL's COPY binary format (big-endian; each field a 32-bit
 * length, -1 for NULL, then its bytes) for the column types simfleet's rows hold:
 * `bigint`, `integer`, `timestamptz` and `numeric`. The server takes these as they are,
 * where COPY text has it parse every number and time from decimal (most of the server's
 * share of a text COPY), and the client need not format them.
 */

export const TWO_32 = 4294967296;
/** 2000-01-01T00:00:00Z, the epoch of binary timestamps, in UTC epoch ms. */
export const PG_EPOCH_MS = 946_684_800_000;
/** The 19 bytes a binary COPY starts with: signature, flags, header extension length. */
export const COPY_BINARY_HEADER_BYTES = 19;

/** Writes the binary COPY header at 0 of `chunk`; the next offset. */
export function writeCopyHeader(chunk: Buffer): number {
  chunk.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
  chunk.writeUInt32BE(0, 11); // flags
  chunk.writeUInt32BE(0, 15); // header extension length
  return COPY_BINARY_HEADER_BYTES;
}

/** An integer below 2^53 in magnitude as a big-endian int64 (two's complement) at `p`; the next offset. */
export function setInt64(view: DataView, p: number, v: number): number {
  const hi = Math.floor(v / TWO_32);
  view.setInt32(p, hi);
  view.setUint32(p + 4, v - hi * TWO_32);
  return p + 8;
}

/** The largest and smallest `bigint` (int8). */
const INT8_MAX = 9223372036854775807n;
const INT8_MIN = -9223372036854775808n;

/**
 * The integer COPY text would send for `v` (`String(v)`, as `copyNumber` writes it): a
 * safe integer as it is, a larger one as the decimal JavaScript prints for it (its
 * shortest round-trip digits, which is what the server parsed from text). Throws a
 * `RangeError` for what the server would have refused in text: a fraction, an exponent,
 * a value beyond [min, max].
 */
function exactInteger(v: number, min: bigint, max: bigint, type: string): bigint {
  const text = String(v);
  if (!/^-?\d+$/.test(text)) throw new RangeError(`${text} is not a valid ${type}`);
  const n = BigInt(text);
  if (n < min || n > max) throw new RangeError(`${text} is out of range for ${type}`);
  return n;
}

/** A `bigint` field (length and value) at `p`: the value COPY text of `String(v)` gives; the next offset. */
export function setBigintField(view: DataView, p: number, v: number): number {
  view.setInt32(p, 8);
  if (Number.isSafeInteger(v)) return setInt64(view, p + 4, v);
  view.setBigInt64(p + 4, exactInteger(v, INT8_MIN, INT8_MAX, 'bigint'));
  return p + 12;
}

/** An `integer` (int4) field at `p`, as COPY text of `String(v)` gives it; the next offset. */
export function setIntegerField(view: DataView, p: number, v: number): number {
  view.setInt32(p, 4);
  view.setInt32(p + 4, Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? v : Number(exactInteger(v, -2147483648n, 2147483647n, 'integer')));
  return p + 8;
}

/** Milliseconds from the binary epoch whose microseconds are exact in a double (years 1715–2285). */
const EXACT_MICROS_MS = 9_000_000_000_000;

/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the times COPY text takes as `formatTimestamp` writes them. */
const FIRST_TEXT_MS = -62135596800000;
const LAST_TEXT_MS = 253402300799999;

/**
 * A `timestamptz` field at `p` for whole UTC epoch milliseconds (what the decoder gives:
 * the same instant as its ISO-8601 text, `formatTimestamp`); the next offset. Throws a
 * `RangeError` for what the server refuses as that text: a fraction of a millisecond, a
 * time outside years 0001–9999 (year 0000 is out of the server's range in text, a year
 * beyond 9999 has no four-digit form).
 */
export function setTimestampField(view: DataView, p: number, ms: number): number {
  if (!Number.isInteger(ms)) throw new RangeError(`${ms} is not a time in whole milliseconds`);
  if (ms < FIRST_TEXT_MS || ms > LAST_TEXT_MS) throw new RangeError(`${ms} is outside the years 0001-9999`);
  view.setInt32(p, 8);
  const fromEpoch = ms - PG_EPOCH_MS;
  if (fromEpoch > -EXACT_MICROS_MS && fromEpoch < EXACT_MICROS_MS) return setInt64(view, p + 4, fromEpoch * 1000);
  view.setBigInt64(p + 4, BigInt(fromEpoch) * 1000n);
  return p + 12;
}

/** `setEventId`'s base-10,000 digits, least significant first (no array per row). */
const NUMERIC_DIGITS = new Uint16Array(8);

/**
 * A 64-bit unsigned integer given as its two 32-bit halves, as a `numeric` field at `p`
 * (length, digit count, weight, sign, display scale, base-10,000 digits with trailing
 * zero digits left out, as the server's `numeric_send` writes it); the next offset.
 */
export function setEventId(view: DataView, p: number, hi: number, lo: number): number {
  const digits = NUMERIC_DIGITS;
  let total = 0;
  if (hi < 0x200000) {
    for (let v = hi * TWO_32 + lo; v > 0; v = Math.floor(v / 10000)) digits[total++] = v % 10000;
  } else {
    for (let v = (BigInt(hi) << 32n) | BigInt(lo); v > 0n; v /= 10000n) digits[total++] = Number(v % 10000n);
  }
  return writeNumericDigits(view, p, total, 0);
}

/**
 * A non-negative or negative integer as a `numeric` field at `p` (any size: the column's
 * precision is the server's to check, as it is for text); the next offset.
 */
export function setNumericField(view: DataView, p: number, value: bigint): number {
  const negative = value < 0n;
  let v = negative ? -value : value;
  if (v < 0x10000000000000000n) return negative ? setNegative(view, p, v) : setEventId(view, p, Number(v >> 32n), Number(v & 0xffffffffn));
  const digits: number[] = [];
  for (; v > 0n; v /= 10000n) digits.push(Number(v % 10000n));
  let low = 0;
  while (low < digits.length && digits[low] === 0) low++;
  const kept = digits.length - low;
  view.setInt32(p, 8 + kept * 2);
  view.setInt16(p + 4, kept);
  view.setInt16(p + 6, digits.length - 1);
  view.setUint16(p + 8, negative ? 0x4000 : 0);
  view.setInt16(p + 10, 0);
  for (let k = 0; k < kept; k++) view.setUint16(p + 12 + k * 2, digits[digits.length - 1 - k] as number);
  return p + 12 + kept * 2;
}

/** A negative integer of magnitude below 2^64 (`setNumericField`). */
function setNegative(view: DataView, p: number, magnitude: bigint): number {
  let total = 0;
  for (let v = magnitude; v > 0n; v /= 10000n) NUMERIC_DIGITS[total++] = Number(v % 10000n);
  return writeNumericDigits(view, p, total, 0x4000);
}

/** The field of the `total` digits in `NUMERIC_DIGITS` (least significant first) with `sign`. */
function writeNumericDigits(view: DataView, p: number, total: number, sign: number): number {
  const digits = NUMERIC_DIGITS;
  let low = 0;
  while (low < total && digits[low] === 0) low++;
  const kept = total - low;
  view.setInt32(p, 8 + kept * 2);
  view.setInt16(p + 4, kept);
  view.setInt16(p + 6, total === 0 ? 0 : total - 1);
  view.setUint16(p + 8, sign);
  view.setInt16(p + 10, 0); // no digits after the point
  for (let k = 0; k < kept; k++) view.setUint16(p + 12 + k * 2, digits[total - 1 - k] as number);
  return p + 12 + kept * 2;
}

/**
 * The last bytes of COPY binary data: the rows written into `chunk` up to `p`, then the
 * trailer (a field count of -1), in `chunk` when it has room, else in a chunk of its own.
 */
export function* finishCopyBinary(chunk: Buffer, p: number): Generator<Buffer> {
  if (p + 2 > chunk.length) {
    yield chunk.subarray(0, p);
    chunk = Buffer.allocUnsafe(2);
    p = 0;
  }
  chunk.writeInt16BE(-1, p);
  yield chunk.subarray(0, p + 2);
}
