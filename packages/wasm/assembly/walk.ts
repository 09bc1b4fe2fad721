// One NDJSON line → a row, or a status saying why not.
//
// The walk validates the whole line as JSON (RFC 8259) and reads the fields the reducer
// needs, with the same rules as the full decoder (decodeEventText + classifyEvent +
// EventColumns.push): recursive descent through the objects whose keys it reads, one flat
// loop with an explicit stack through every other value. Strings are scanned 16 bytes at a
// time (SIMD) for a quote, a backslash, a control byte or a byte >= 0x80. Objects a log
// repeats byte for byte are compared with kept copies and take the kept walk's writes (see
// "repeated objects"). Every line ends with its newline in memory (the chunk loop
// guarantees it), and the newline is a control byte that nothing accepts: no scan can run
// past the line, and no bound check is needed.
//
// A stop is either a JSON error (INVALID: the full decoder rejects the line and says why)
// or a form this walk does not decide (FALLBACK: an escape in a string it reads, a number
// outside its plain forms, a duplicated read key, a timestamp form it does not know, deep
// nesting, invalid UTF-8 that the full decoder's text would replace, …).
import { hashBytes, Operators, Pool, sameBytes } from './pool';
import { REASON_PENDING, STATUS_BLANK, STATUS_FALLBACK, STATUS_HELD, STATUS_INVALID, STATUS_ROW } from './layout';

export const FAIL: usize = 0;
/** Deeper values fall back (the full decoder's lossless-json recurses; its limit is not ours to guess). */
const MAX_DEPTH: u32 = 64;
const NO_RAT_TYPE: i32 = -1;
const NO_REJECTION_REASON: u32 = 255;

// ---------------------------------------------------------------- state of the line

/** Set when the walk stopped at a JSON error (else a stop is a fallback). */
let invalidJson = false;
/** Flags of the last string scanned: 1 an escape, 2 a byte >= 0x80. */
let stringFlags: u32 = 0;
/** A byte >= 0x80 in some string of the line (the line then gets a UTF-8 check). */
let lineHigh = false;
/** Value of the last number when it is plain digits (at most 15, no sign): else NaN. */
let numValue: f64 = 0;
/** The last number was digits only (no sign, fraction or exponent). */
let numDigits = false;
/** Keys seen in the last object walked (bit per key index). */
let seenKeys: u32 = 0;

let idOk = false;
let idValue: u64 = 0;
let atMs: f64 = NaN;
let typeId: i32 = -1;
let endpointId: f64 = NaN;
let organisationId: f64 = NaN;
let simId: f64 = NaN;
let operatorKeys = false;
let hasPdp = false;
let ratType: i32 = NO_RAT_TYPE;

// Spans of strings read (start, end, flags: 0 none, else 4 | string flags).
const SP_DESCRIPTION = 0;
const SP_TYPE_DESCRIPTION = 1;
const SP_ICCID = 2;
const SP_IMSI = 3;
const SP_IMEI = 4;
const SP_IP = 5;
const SP_OP_NAME = 6;
const SP_COUNTRY_MCC = 7;
const SP_ISO = 8;
const SP_DETAIL_MNC = 9;
const SP_APN = 10;
const SP_PDP_MCC = 11;
const SP_PDP_MNC = 12;
/** `endpoint.name` (kept in the strings pool like the IMEI). */
const SP_NAME = 13;
const SPAN_COUNT = 14;
const NO_SPAN = -1;
const PRESENT: u32 = 4;
const spanStart = new StaticArray<usize>(SPAN_COUNT);
const spanEnd = new StaticArray<usize>(SPAN_COUNT);
const spanFlags = new StaticArray<u32>(SPAN_COUNT);

@inline function setSpan(i: i32, s: usize, e: usize, flags: u32): void {
  unchecked((spanStart[i] = s));
  unchecked((spanEnd[i] = e));
  unchecked((spanFlags[i] = flags));
}

// ---------------------------------------------------------------- tables set by the boundary

/** Per event type id: PLAN_RULE, PLAN_WHEN_TRUE, PLAN_WHEN_FALSE, PLAN_OPERATOR_DETAIL (core's fastTypePlan), 256 bytes each. */
export const PLAN: usize = memory.data(1024);
const RULE_FIXED: u8 = 1;
const RULE_DATA_DISCONNECT: u8 = 2;
const RULE_ACCEPTED: u8 = 3;
const RULE_DELETION: u8 = 4;
let sessionCreated: u32 = 0;
let sessionUpdated: u32 = 0;
let sessionRejected: u32 = 0;
/** Three lower-case ASCII phrases (data disconnect prefix, rejection prefix, deletion word), 64 bytes each. */
export const PHRASES: usize = memory.data(192);
let disconnectLength: u32 = 0;
let rejectedLength: u32 = 0;
let deletionLength: u32 = 0;

export function setPlanCodes(created: u32, updated: u32, rejected: u32, disconnect: u32, rejection: u32, deletion: u32): void {
  sessionCreated = created;
  sessionUpdated = updated;
  sessionRejected = rejected;
  disconnectLength = disconnect;
  rejectedLength = rejection;
  deletionLength = deletion;
}

/** Rows after this time, or of this endpoint, are held for the full decoder (NaN: none). */
let untilMs: f64 = Infinity;
let watchEndpoint: f64 = NaN;

export function setFilter(until: f64, watch: f64): void {
  untilMs = until;
  watchEndpoint = watch;
}

// ---------------------------------------------------------------- scanning

@inline function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

@inline function invalid(): usize {
  invalidJson = true;
  return FAIL;
}

/** JSON's white space (space, tab, CR; the newline ends the line) as bits by byte value. */
const WHITE_SPACE: u64 = (1 << 0x20) | (1 << 0x09) | (1 << 0x0d);

@inline function ws(p: usize): usize {
  let c = <u32>load<u8>(p);
  // Minified JSON has none: one compare says so for every byte above the space.
  if (c > 0x20) return p;
  while (c <= 0x20 && ((WHITE_SPACE >> <u64>c) & 1) != 0) c = <u32>load<u8>(++p);
  return p;
}

@inline function isHex(c: u32): bool {
  return c - 0x30 < 10 || (c | 0x20) - 0x61 < 6;
}

/**
 * The closing quote of a string whose content starts at p, or FAIL (a control byte, the
 * line's end, a bad escape). Sets stringFlags.
 */
function scanString(p: usize): usize {
  let flags: u32 = 0;
  while (true) {
    const v = v128.load(p);
    // Signed, the bytes below 0x20 are the control bytes and the bytes >= 0x80: one compare for both.
    const special = v128.or(v128.or(i8x16.eq(v, i8x16.splat(0x22)), i8x16.eq(v, i8x16.splat(0x5c))), i8x16.lt_s(v, i8x16.splat(0x20)));
    const m = i8x16.bitmask(special);
    if (m == 0) {
      p += 16;
      continue;
    }
    p += ctz(m);
    const c = <u32>load<u8>(p);
    if (c == 0x22) {
      stringFlags = flags;
      if (flags & 2) lineHigh = true;
      return p;
    }
    if (c == 0x5c) {
      flags |= 1;
      const e = <u32>load<u8>(p + 1);
      if (e == 0x75) {
        if (!(isHex(load<u8>(p + 2)) && isHex(load<u8>(p + 3)) && isHex(load<u8>(p + 4)) && isHex(load<u8>(p + 5)))) return invalid();
        p += 6;
      } else if (e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) {
        p += 2;
      } else return invalid();
      continue;
    }
    if (c >= 0x80) {
      flags |= 2;
      p++;
      continue;
    }
    return invalid(); // a control byte (the line's newline included: an unterminated string)
  }
  return FAIL;
}

/**
 * scanString for a short string (a key, a code, a name, a date, an ICCID): two 16-byte loads
 * usually hold it and its closing quote with nothing special before it, decided without a
 * call or a loop; anything else takes scanString.
 */
@inline function scanShort(p: usize): usize {
  const v = v128.load(p);
  const w = v128.load(p, 16);
  const quotes = i8x16.bitmask(i8x16.eq(v, i8x16.splat(0x22))) | (i8x16.bitmask(i8x16.eq(w, i8x16.splat(0x22))) << 16);
  const other =
    i8x16.bitmask(v128.or(i8x16.eq(v, i8x16.splat(0x5c)), i8x16.lt_s(v, i8x16.splat(0x20)))) |
    (i8x16.bitmask(v128.or(i8x16.eq(w, i8x16.splat(0x5c)), i8x16.lt_s(w, i8x16.splat(0x20)))) << 16);
  if (quotes != 0 && (other & ((quotes & -quotes) - 1)) == 0) {
    stringFlags = 0;
    return p + ctz(quotes);
  }
  return scanString(p);
}

// Digits eight at a time (SWAR: the eight bytes of a u64, the first byte lowest): no loop
// whose length is the number's, so no mispredicted exit per number.
const ONES: u64 = 0x0101010101010101;
const ZEROS: u64 = 0x3030303030303030;

/** Non-zero bytes where w's bytes are not ASCII digits (exact up to the first one: a carry only goes up from a byte >= 0xfa). */
@inline function nonDigits(w: u64): u64 {
  const high: u64 = 0xf0 * ONES;
  return ((w & high) ^ ZEROS) | (((w + 0x06 * ONES) & high) ^ ZEROS);
}

/** How many ASCII digits start at p, counted up to 16. */
@inline function digitRun(p: usize): u32 {
  const a = nonDigits(load<u64>(p));
  if (a != 0) return <u32>ctz(a) >> 3;
  const b = nonDigits(load<u64>(p, 8));
  return b != 0 ? 8 + (<u32>ctz(b) >> 3) : 16;
}

/** The value of eight ASCII digits in w (the first, most significant, in the lowest byte). */
@inline function eightDigits(w: u64): u64 {
  let v = w - ZEROS;
  v = (v * 10 + (v >> 8)) & 0x00ff00ff00ff00ff;
  v = (v * 100 + (v >> 16)) & 0x0000ffff0000ffff;
  return (v * 10000 + (v >> 32)) & 0xffffffff;
}

/** The value of the n (1..8) ASCII digits at p: shifted up to the top of the u64, '0' below them. */
@inline function fewDigits(p: usize, n: u32): u64 {
  const w = load<u64>(p);
  if (n == 8) return eightDigits(w);
  const shift = <u64>(8 - n) << 3;
  return eightDigits((w << shift) | (ZEROS >> (64 - shift)));
}

const POW10: StaticArray<u64> = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000];

/** The value of the n (1..16) ASCII digits at p. */
@inline function digitsValue(p: usize, n: u32): u64 {
  if (n <= 8) return fewDigits(p, n);
  return eightDigits(load<u64>(p)) * unchecked(POW10[n - 8]) + fewDigits(p + 8, n - 8);
}

/** A number at p (RFC 8259 grammar): the byte after it, or FAIL. Sets numValue, numDigits. */
function scanNumber(p: usize): usize {
  const start = p;
  let plain = true;
  let c = <u32>load<u8>(p);
  if (c == 0x2d) {
    plain = false;
    c = <u32>load<u8>(++p);
  }
  if (!isDigit(c)) return invalid();
  let value: u64 = 0;
  if (c == 0x30) p++;
  else {
    const n = digitRun(p);
    if (n < 16) {
      value = digitsValue(p, n);
      p += n;
    } else {
      do {
        if (p - start < 16) value = value * 10 + (c - 0x30);
        c = <u32>load<u8>(++p);
      } while (isDigit(c));
    }
  }
  let digits = plain;
  if (p - start > 15) plain = false;
  c = <u32>load<u8>(p);
  if (c == 0x2e) {
    plain = false;
    digits = false;
    c = <u32>load<u8>(++p);
    if (!isDigit(c)) return invalid();
    while (isDigit(c)) c = <u32>load<u8>(++p);
  }
  if ((c | 0x20) == 0x65) {
    plain = false;
    digits = false;
    c = <u32>load<u8>(++p);
    if (c == 0x2b || c == 0x2d) c = <u32>load<u8>(++p);
    if (!isDigit(c)) return invalid();
    while (isDigit(c)) c = <u32>load<u8>(++p);
  }
  numValue = plain ? <f64><i64>value : NaN; // below 10^16: the signed conversion is exact (and one instruction)
  numDigits = digits;
  return p;
}

/** The byte after a number at p, or FAIL: scanNumber without a call for plain digits (numValue, numDigits unset). */
@inline function numberEnd(p: usize): usize {
  const c = <u32>load<u8>(p);
  if (isDigit(c)) {
    const n = digitRun(p);
    const after = <u32>load<u8>(p + n) | 0x20;
    if (n < 16 && (c != 0x30 || n == 1) && after != 0x2e && after != 0x65) return p + n;
  }
  return scanNumber(p);
}

@inline function isNull(p: usize): bool {
  return load<u32>(p) == 0x6c6c756e;
}

/** true, false or null at p: the byte after it, or FAIL. */
function scanLiteral(p: usize): usize {
  const c = <u32>load<u8>(p);
  if (c == 0x74) return load<u32>(p) == 0x65757274 ? p + 4 : invalid();
  if (c == 0x66) return load<u32>(p, 1) == 0x65736c61 ? p + 5 : invalid();
  if (c == 0x6e) return isNull(p) ? p + 4 : invalid();
  return invalid();
}

/** Container kinds (1 object, 0 array) of the value skipValue is inside, by depth. */
const STACK: usize = memory.data(MAX_DEPTH + 8);

/** A key of a skipped object at p (its quote) and its colon: the value's first byte, or FAIL. */
function skipKey(p: usize): usize {
  if (load<u8>(p) != 0x22) return invalid();
  const q = scanShort(p + 1);
  if (q == FAIL) return FAIL;
  p = ws(q + 1);
  if (load<u8>(p) != 0x3a) return invalid();
  return ws(p + 1);
}

/** Validates and skips any value at p (no white space before it): the byte after it, or FAIL. */
function skipValue(p: usize, depth: u32): usize {
  let c = <u32>load<u8>(p);
  if (c == 0x22) {
    const q = scanShort(p + 1);
    return q == FAIL ? FAIL : q + 1;
  }
  if (c != 0x7b && c != 0x5b) return c == 0x2d || isDigit(c) ? numberEnd(p) : scanLiteral(p);
  const base = depth;
  while (true) {
    // A value starts at p (byte c).
    if (c == 0x7b || c == 0x5b) {
      if (++depth > MAX_DEPTH) return FAIL;
      const object = c == 0x7b;
      store<u8>(STACK + depth, object ? 1 : 0);
      p = ws(p + 1);
      c = <u32>load<u8>(p);
      if (c == (object ? 0x7d : 0x5d)) {
        p++;
        depth--;
      } else if (object) {
        p = skipKey(p);
        if (p == FAIL) return FAIL;
        c = <u32>load<u8>(p);
        continue;
      } else continue;
    } else if (c == 0x22) {
      p = scanShort(p + 1);
      if (p == FAIL) return FAIL;
      p++;
    } else {
      p = c == 0x2d || isDigit(c) ? numberEnd(p) : scanLiteral(p);
      if (p == FAIL) return FAIL;
    }
    // After a value: close containers until one goes on with a comma.
    while (true) {
      if (depth == base) return p;
      p = ws(p);
      c = <u32>load<u8>(p);
      const object = load<u8>(STACK + depth) == 1;
      if (c == 0x2c) {
        p = ws(p + 1);
        if (object) {
          p = skipKey(p);
          if (p == FAIL) return FAIL;
        }
        c = <u32>load<u8>(p);
        break;
      }
      if (c != (object ? 0x7d : 0x5d)) return invalid();
      p++;
      depth--;
    }
  }
  return FAIL;
}

/** Can a JSON value start with byte c? (a string, object, array, number or literal) */
@inline function isValueStart(c: u32): bool {
  return load<u8>(VALUE_START + c) != 0;
}

/** Per byte: 1 when a JSON value can start with it (a string, object, array, number or literal). */
const VALUE_START: usize = memory.data(256);
for (let c = 0; c < 256; c++) {
  const start = c == 0x22 || c == 0x7b || c == 0x5b || c == 0x2d || (c >= 0x30 && c <= 0x39) || c == 0x74 || c == 0x66 || c == 0x6e;
  store<u8>(VALUE_START + <usize>c, start ? 1 : 0);
}

// ---------------------------------------------------------------- keys

// Object kinds.
const W_TOP: u32 = 0;
const W_TYPE: u32 = 1;
const W_CODE: u32 = 2;
const W_ORGANISATION: u32 = 3;
const W_ENDPOINT: u32 = 4;
const W_SIM: u32 = 5;
const W_IMSI: u32 = 6;
const W_USER: u32 = 7;
const W_DETAIL: u32 = 8;
const W_COUNTRY: u32 = 9;
const W_MNC_ITEM: u32 = 10;
const W_PDP: u32 = 11;
const KINDS: u32 = 12;

// Top-level key indexes (bits of seenKeys).
const K_ID: i32 = 0;
const K_TIMESTAMP: i32 = 1;
const K_EVENT_TYPE: i32 = 2;
const K_DESCRIPTION: i32 = 3;
const K_ALERT: i32 = 4;
const K_EVENT_SOURCE: i32 = 5;
const K_EVENT_SEVERITY: i32 = 6;
const K_ORGANISATION: i32 = 7;
const K_ENDPOINT: i32 = 8;
const K_SIM: i32 = 9;
const K_IMSI: i32 = 10;
const K_USER: i32 = 11;
const K_DETAIL: i32 = 12;
const REQUIRED_TOP: u32 = (1 << K_ID) | (1 << K_TIMESTAMP) | (1 << K_EVENT_TYPE);

/** Key table: per kind up to 16 entries of (length, first 8 bytes, last 8 bytes); 24 bytes each. */
const KEYS: usize = memory.data(<i32>(KINDS * 16 * 24));
/** Per kind and key length (0-16): the entries of that length (up to three; 0xff: none), so a lookup compares at most three keys. */
const BY_LENGTH: usize = memory.data(<i32>(KINDS * 17 * 4));
memory.fill(BY_LENGTH, 0xff, <usize>(KINDS * 17 * 4));

function word(s: string, from: i32, n: i32): u64 {
  let w: u64 = 0;
  for (let i = 0; i < n; i++) w |= (<u64>s.charCodeAt(from + i)) << (<u64>(i * 8));
  return w;
}

function keys(kind: u32, list: string[]): void {
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    const at = KEYS + (<usize>(kind * 16 + <u32>i)) * 24;
    store<u64>(at, <u64>s.length);
    store<u64>(at, word(s, 0, s.length < 8 ? s.length : 8), 8);
    store<u64>(at, s.length > 8 ? word(s, s.length - 8, 8) : 0, 16);
    const slot = BY_LENGTH + <usize>(kind * 17 + <u32>s.length) * 4;
    let k: usize = 0;
    while (load<u8>(slot + k) != 0xff) k++;
    if (k >= 3) unreachable(); // four keys of one length in one kind: the table needs another column
    store<u8>(slot + k, <u8>i);
  }
}

keys(W_TOP, ['id', 'timestamp', 'event_type', 'description', 'alert', 'event_source', 'event_severity', 'organisation', 'endpoint', 'sim', 'imsi', 'user', 'detail']);
keys(W_TYPE, ['id', 'description']);
keys(W_CODE, ['id']);
keys(W_ORGANISATION, ['id', 'name']);
keys(W_ENDPOINT, ['id', 'name', 'imei', 'ip_address']);
keys(W_SIM, ['id', 'iccid', 'msisdn']);
keys(W_IMSI, ['id', 'imsi']);
keys(W_USER, ['id', 'name', 'username']);
keys(W_DETAIL, ['name', 'country', 'mnc', 'pdp_context']);
keys(W_COUNTRY, ['mcc', 'iso_code']);
keys(W_MNC_ITEM, ['mnc']);
keys(W_PDP, ['apn', 'rat_type', 'mcc', 'mnc']);
const PROTO0 = word('__proto__', 0, 8);
const PROTO1 = word('__proto__', 1, 8);

/** Does entry i of `kind` hold the key (length, w0, w1)? */
@inline function keyIs(kind: u32, i: u32, w0: u64, w1: u64): bool {
  const at = KEYS + (<usize>(kind * 16 + i)) * 24;
  return load<u64>(at, 8) == w0 && load<u64>(at, 16) == w1;
}

/** Index of the key [ks, ks + len) among the kind's keys, or -1; -2 for `__proto__` (never read: the full decoder decides). */
function findKey(kind: u32, ks: usize, len: u32): i32 {
  if (len == 0 || len > 16) return -1;
  const raw = load<u64>(ks);
  const w0 = len >= 8 ? raw : raw & (u64.MAX_VALUE >> (<u64>(8 - len) << 3));
  const w1: u64 = len > 8 ? load<u64>(ks + len - 8) : 0;
  const slot = BY_LENGTH + <usize>(kind * 17 + len) * 4;
  for (let k: usize = 0; k < 3; k++) {
    const i = <u32>load<u8>(slot + k);
    if (i == 0xff) break;
    if (keyIs(kind, i, w0, w1)) return <i32>i;
  }
  if (len == 9 && w0 == PROTO0 && load<u64>(ks + 1) == PROTO1) return -2;
  return -1;
}

// ---------------------------------------------------------------- read objects

// ---------------------------------------------------------------- key order
//
// The records of one log have their keys in one order, object by object, so the key at
// position n of an object of kind k is nearly always the one that was there last time. For
// each (kind, position) the walk keeps that key as it appeared in the input: its bytes, its
// closing quote and a colon right after it (at most 32 bytes: keys up to 30 bytes long), and
// what findKey said of it. One 16-byte compare (two for a key over 14 bytes) then stands for
// scanKey, findKey and the colon. Only keys of printable ASCII without a backslash are kept, so a match says exactly
// what the full scan would: the same key, no escape, no byte >= 0x80, the colon next. What
// is kept changes the speed only, never a result.

/** Positions kept per kind (a key further on takes the full scan). */
const ORDER_POSITIONS: u32 = 32;
/** Longest key kept (with its quote and colon, two 16-byte blocks). */
const ORDER_KEY: u32 = 30;
/**
 * Per kind and position, 64 bytes: the key's bytes, `"` and `:` (zero-padded) in 32, then the
 * u32 masks of those bytes in each 16 (the first 0: nothing kept; the second 0: a key of at
 * most 14 bytes), the key's length, findKey's index.
 */
const ORDER: usize = memory.data(<i32>(KINDS * ORDER_POSITIONS * 64));

/** Byte masks: entry n has its first n bytes set (n = 0..16). */
const PREFIX_MASKS: usize = memory.data(17 * 16);
for (let n = 0; n <= 16; n++) for (let i = 0; i < n; i++) store<u8>(PREFIX_MASKS + <usize>(n * 16 + i), 0xff);

/**
 * An object at p (its `{`) of kind `kind`: read keys go to readField, others are skipped.
 * A read key twice, an escaped key or `__proto__` falls back. Sets seenKeys.
 */
function walkObject(p: usize, depth: u32, kind: u32): usize {
  if (depth > MAX_DEPTH) return FAIL;
  p = ws(p + 1);
  let c = <u32>load<u8>(p);
  if (c == 0x7d) {
    seenKeys = 0;
    return p + 1;
  }
  let seen: u32 = 0;
  let order = ORDER + <usize>(kind * ORDER_POSITIONS) * 64;
  const orderEnd = order + <usize>ORDER_POSITIONS * 64;
  while (true) {
    if (c != 0x22) return invalid();
    const ks = p + 1;
    let index: i32;
    const kept = order < orderEnd ? load<u32>(order, 32) : 0;
    const kept2 = load<u32>(order, 36);
    if (
      kept != 0 &&
      (<u32>i8x16.bitmask(i8x16.eq(v128.load(ks), v128.load(order))) & kept) == kept &&
      (kept2 == 0 || (<u32>i8x16.bitmask(i8x16.eq(v128.load(ks, 16), v128.load(order, 16))) & kept2) == kept2)
    ) {
      // The key kept for this position, its quote and its colon: the value follows.
      index = load<i32>(order, 44);
      p = ws(ks + <usize>load<u32>(order, 40) + 2);
    } else {
      const ke = scanShort(ks);
      if (ke == FAIL) return FAIL;
      if (stringFlags & 1) return FAIL; // an escaped key might spell a read key
      const len = <u32>(ke - ks);
      index = findKey(kind, ks, len);
      if (index == -2) return FAIL;
      // `":` then the value, the form of minified JSON, without the white-space loops.
      if (load<u8>(ke + 1) == 0x3a) {
        if (stringFlags == 0 && len <= ORDER_KEY && order < orderEnd) {
          // Keep this key for the position (no escape, no byte >= 0x80: see above).
          const n = len + 2;
          const first = n < 16 ? n : 16;
          v128.store(order, v128.and(v128.load(ks), v128.load(PREFIX_MASKS + <usize>first * 16)));
          v128.store(order, v128.and(v128.load(ks, 16), v128.load(PREFIX_MASKS + <usize>(n - first) * 16)), 16);
          store<u32>(order, (1 << first) - 1, 32);
          store<u32>(order, (1 << (n - first)) - 1, 36);
          store<u32>(order, len, 40);
          store<i32>(order, index, 44);
        }
        p = ws(ke + 2);
      } else {
        p = ws(ke + 1);
        if (load<u8>(p) != 0x3a) return invalid();
        p = ws(p + 1);
      }
    }
    order += 64;
    if (!isValueStart(load<u8>(p))) return invalid();
    if (index >= 0) {
      const bit: u32 = 1 << index;
      if (seen & bit) return FAIL;
      seen |= bit;
      p = readField(kind, index, p, depth);
    } else {
      // A skipped string or number (most skipped values are): no call for a short one.
      const v = <u32>load<u8>(p);
      if (v == 0x22) {
        p = scanShort(p + 1);
        if (p == FAIL) return FAIL;
        p++;
      } else if (isDigit(v)) p = numberEnd(p);
      else p = skipValue(p, depth);
    }
    if (p == FAIL) return FAIL;
    p = ws(p);
    c = <u32>load<u8>(p);
    if (c == 0x2c) {
      p = ws(p + 1);
      c = <u32>load<u8>(p);
      continue;
    }
    if (c == 0x7d) {
      seenKeys = seen;
      return p + 1;
    }
    return invalid();
  }
}

// ---------------------------------------------------------------- repeated objects
//
// A log repeats some objects byte for byte: a handful of event types, sources, severities,
// organisations, countries, and the operator details of lines without a PDP context. Walking
// one costs a key compare and a value scan per pair, one after the other (each step waits for
// the position the last one found); comparing its bytes with a copy kept from an earlier line
// costs a few 16-byte compares that do not wait on each other. The bytes of a complete object
// decide everything its walk does (the walk reads nothing else but the type table, fixed for a
// decoder): the same bytes at the same depth validate the same way and read the same values
// at the same offsets from the `{`. So for these kinds the walk keeps, per object it walked
// without a stop, its bytes and what the walk wrote: seenKeys, the spans of the kind (as
// offsets), the kind's scalars and whether it held a byte >= 0x80. An object whose bytes equal
// a kept one gets those writes and is not walked. Each written state is one the line's reset
// set (every such span and scalar is written only inside its one object of the line: a read
// key twice falls back), so the writes do not depend on the line. Like the kept key order,
// this changes the speed only; the proof is the equivalence tests, which also decode lines
// whose objects differ from kept ones in one byte.

/** Entries per kind (direct mapped by a hash of an object's first 32 bytes: the first 16 of a source and a severity can be equal). */
const MEMO_SLOTS: u32 = 64;
/** Longest object kept (longer ones are walked every time). */
const MEMO_TEXT: u32 = 256;
/**
 * Bytes per entry: the object's bytes in 256, then its length (0: empty), depth, seenKeys,
 * byte >= 0x80 (0/1), typeId, flags (1 operatorKeys, 2 hasPdp), ratType, organisationId (f64),
 * then per span (SPAN_COUNT) its start and end (offsets from the `{`) and flags, then (a
 * detail) its operator number + 1 once a row computed it (0: not yet).
 */
const MEMO_ENTRY: u32 = 512;
const M_LENGTH: usize = 256;
const M_DEPTH: usize = 260;
const M_SEEN: usize = 264;
const M_HIGH: usize = 268;
const M_TYPE: usize = 272;
const M_FLAGS: usize = 276;
const M_RAT: usize = 280;
const M_ORGANISATION: usize = 288;
const M_SPANS: usize = 296;
const M_OPERATOR: usize = M_SPANS + SPAN_COUNT * 12;

// Kinds kept (their entries' index) and the spans each writes (bits by span index).
const MEMO_TYPE: u32 = 0;
const MEMO_CODE: u32 = 1;
const MEMO_ORGANISATION: u32 = 2;
const MEMO_COUNTRY: u32 = 3;
const MEMO_DETAIL: u32 = 4;
const MEMO_KINDS: u32 = 5;
const MEMO: usize = memory.data(<i32>(MEMO_KINDS * MEMO_SLOTS * MEMO_ENTRY));
const COUNTRY_SPANS: u32 = (1 << SP_COUNTRY_MCC) | (1 << SP_ISO);
const DETAIL_SPANS: u32 = (1 << SP_OP_NAME) | COUNTRY_SPANS | (1 << SP_DETAIL_MNC) | (1 << SP_APN) | (1 << SP_PDP_MCC) | (1 << SP_PDP_MNC);

/** The kept entry an object at p (its `{`) of memo kind m would have. */
@inline function memoEntry(m: u32, p: usize): usize {
  // Scalar: 128-bit SIMD has no 64-bit multiply on x86 (V8 builds it from several).
  const h = ((load<u64>(p) ^ load<u64>(p, 16)) * 0x9e3779b97f4a7c15) ^ ((load<u64>(p, 8) ^ load<u64>(p, 24)) * 0xc2b2ae3d27d4eb4f);
  const slot = <u32>(h >> 58) & (MEMO_SLOTS - 1);
  return MEMO + <usize>((m * MEMO_SLOTS + slot) * MEMO_ENTRY);
}

/** Do the n bytes at p equal those at t? (16 at a time, stopping at the first difference: no load goes 16 bytes past one.) */
@inline function sameText(p: usize, t: usize, n: u32): bool {
  let i: u32 = 0;
  while (i + 16 <= n) {
    if (i8x16.bitmask(i8x16.eq(v128.load(p + i), v128.load(t + i))) != 0xffff) return false;
    i += 16;
  }
  if (i == n) return true;
  const want: u32 = (1 << (n - i)) - 1;
  return (<u32>i8x16.bitmask(i8x16.eq(v128.load(p + i), v128.load(t + i))) & want) == want;
}

/**
 * walkObject for a kind with few distinct objects (memo kind m, spans it writes): an object
 * whose bytes equal a kept one's takes that walk's writes; else it is walked and, when the walk
 * did not stop and it is short enough, kept.
 */
function repeatedObject(p: usize, depth: u32, kind: u32, m: u32, spans: u32): usize {
  const entry = memoEntry(m, p);
  const n = load<u32>(entry + M_LENGTH);
  if (n != 0 && load<u32>(entry + M_DEPTH) == depth && sameText(p, entry, n)) {
    seenKeys = load<u32>(entry + M_SEEN);
    if (load<u32>(entry + M_HIGH)) lineHigh = true;
    if (m == MEMO_TYPE) typeId = load<i32>(entry + M_TYPE);
    else if (m == MEMO_ORGANISATION) organisationId = load<f64>(entry + M_ORGANISATION);
    else if (m == MEMO_DETAIL) {
      const flags = load<u32>(entry + M_FLAGS);
      operatorKeys = (flags & 1) != 0;
      hasPdp = (flags & 2) != 0;
      ratType = load<i32>(entry + M_RAT);
      detailEntry = entry;
    }
    let bits = spans;
    while (bits != 0) {
      const i = <i32>ctz(bits);
      bits &= bits - 1;
      const at = entry + M_SPANS + <usize>(i * 12);
      unchecked((spanStart[i] = p + <usize>load<u32>(at)));
      unchecked((spanEnd[i] = p + <usize>load<u32>(at, 4)));
      unchecked((spanFlags[i] = load<u32>(at, 8)));
    }
    return p + <usize>n;
  }
  const high = lineHigh;
  lineHigh = false;
  const q = walkObject(p, depth, kind);
  const mine = lineHigh;
  lineHigh = high || mine;
  if (q == FAIL || q - p > <usize>MEMO_TEXT) return q;
  if (m == MEMO_DETAIL) {
    store<u32>(entry + M_OPERATOR, 0);
    detailEntry = entry;
  }
  const len = <u32>(q - p);
  memory.copy(entry, p, len);
  store<u32>(entry + M_LENGTH, len);
  store<u32>(entry + M_DEPTH, depth);
  store<u32>(entry + M_SEEN, seenKeys);
  store<u32>(entry + M_HIGH, mine ? 1 : 0);
  store<i32>(entry + M_TYPE, typeId);
  store<u32>(entry + M_FLAGS, (operatorKeys ? 1 : 0) | (hasPdp ? 2 : 0));
  store<i32>(entry + M_RAT, ratType);
  store<f64>(entry + M_ORGANISATION, organisationId);
  let bits = spans;
  while (bits != 0) {
    const i = <i32>ctz(bits);
    bits &= bits - 1;
    const at = entry + M_SPANS + <usize>(i * 12);
    const flags = unchecked(spanFlags[i]);
    store<u32>(at, flags != 0 ? <u32>(unchecked(spanStart[i]) - p) : 0);
    store<u32>(at, flags != 0 ? <u32>(unchecked(spanEnd[i]) - p) : 0, 4);
    store<u32>(at, flags, 8);
  }
  return q;
}

/**
 * The kept entry of the line's detail object (0: none). The operator a row gets is decided by
 * the detail's bytes alone (its parts are spans inside it, interned into the parts pool, which
 * is never emptied), so the first row to compute it notes it there and rows of the same detail
 * bytes take it without interning four parts again.
 */
let detailEntry: usize = 0;

/** An object at p (its `{`) of `kind`, through the kept objects for the kinds that repeat. */
@inline function objectOf(p: usize, depth: u32, kind: u32): usize {
  if (kind == W_TYPE) return repeatedObject(p, depth, kind, MEMO_TYPE, 1 << SP_TYPE_DESCRIPTION);
  if (kind == W_CODE) return repeatedObject(p, depth, kind, MEMO_CODE, 0);
  if (kind == W_ORGANISATION) return repeatedObject(p, depth, kind, MEMO_ORGANISATION, 0);
  if (kind == W_COUNTRY) return repeatedObject(p, depth, kind, MEMO_COUNTRY, COUNTRY_SPANS);
  if (kind == W_DETAIL) return repeatedObject(p, depth, kind, MEMO_DETAIL, DETAIL_SPANS);
  return walkObject(p, depth, kind);
}

/** `null`, or an object of `kind` (whose `id` must be there when idRequired). */
function optionalObject(p: usize, depth: u32, kind: u32, idRequired: bool): usize {
  if (isNull(p)) return p + 4;
  if (load<u8>(p) != 0x7b) return FAIL;
  const q = objectOf(p, depth + 1, kind);
  if (q == FAIL) return FAIL;
  if (idRequired && (seenKeys & 1) == 0) return FAIL;
  return q;
}

/** Plain digits (at most 15): sets numValue. */
@inline function plainInteger(p: usize): usize {
  const c = <u32>load<u8>(p);
  if (!isDigit(c)) return FAIL;
  // The common form without scanNumber's general grammar: at most 15 digits (a lone 0, or no
  // leading 0), then neither a fraction nor an exponent. Anything else takes scanNumber.
  const n = digitRun(p);
  const after = <u32>load<u8>(p + n) | 0x20;
  if (n < 16 && (c != 0x30 || n == 1) && after != 0x2e && after != 0x65) {
    numValue = <f64><i64>digitsValue(p, n);
    numDigits = true;
    return p + n;
  }
  const q = scanNumber(p);
  return q == FAIL || isNaN(numValue) ? FAIL : q;
}

/** null (numValue NaN) or plain digits. */
@inline function optionalInteger(p: usize): usize {
  if (isNull(p)) {
    numValue = NaN;
    return p + 4;
  }
  return plainInteger(p);
}

/** A string or null; kept in span `into` (no escapes then) unless NO_SPAN. */
@inline function stringOrNull(p: usize, into: i32): usize {
  if (isNull(p)) return p + 4;
  if (load<u8>(p) != 0x22) return FAIL;
  const q = scanShort(p + 1);
  if (q == FAIL) return FAIL;
  if (into != NO_SPAN) {
    if (stringFlags & 1) return FAIL;
    setSpan(into, p + 1, q, PRESENT | stringFlags);
  }
  return q + 1;
}

/** An identifier: a string, null, or digits (its text is its digits). */
@inline function identifier(p: usize, into: i32): usize {
  if (isDigit(load<u8>(p))) {
    const q = scanNumber(p);
    if (q == FAIL || !numDigits) return FAIL;
    if (into != NO_SPAN) setSpan(into, p, q, PRESENT);
    return q;
  }
  return stringOrNull(p, into);
}

/** A string is kept (escapes only in the type's description); anything else is none (validated and skipped). */
@inline function looseString(p: usize, depth: u32, into: i32): usize {
  if (load<u8>(p) == 0x22) {
    const q = scanShort(p + 1);
    if (q == FAIL) return FAIL;
    setSpan(into, p + 1, q, PRESENT | stringFlags);
    if (stringFlags & 1 && into != SP_TYPE_DESCRIPTION) return FAIL;
    return q + 1;
  }
  unchecked((spanFlags[into] = 0));
  return skipValue(p, depth);
}

/** A string or plain digits (at most 15) are kept; null, booleans, objects, arrays are none; other numbers fall back. */
@inline function looseCode(p: usize, depth: u32, into: i32): usize {
  const c = <u32>load<u8>(p);
  if (c == 0x2d || isDigit(c)) {
    const q = scanNumber(p);
    if (q == FAIL || !numDigits || q - p > 15) return FAIL;
    setSpan(into, p, q, PRESENT);
    return q;
  }
  return looseString(p, depth, into);
}

/** rat_type: plain digits <= 32767; null, booleans, objects, arrays are none; anything else falls back. */
function readRatType(p: usize, depth: u32): usize {
  const c = <u32>load<u8>(p);
  if (c == 0x22) return FAIL;
  if (c == 0x2d || isDigit(c)) {
    const q = scanNumber(p);
    if (q == FAIL || !(numValue <= 0x7fff)) return FAIL;
    ratType = <i32>numValue;
    return q;
  }
  ratType = NO_RAT_TYPE;
  return skipValue(p, depth);
}

/** `mnc: [{ "mnc": … }, …]`: the first item's `mnc` when the first item is an object. */
function mncArray(p: usize, depth: u32): usize {
  if (depth > MAX_DEPTH) return FAIL;
  p = ws(p + 1);
  if (load<u8>(p) == 0x5d) return p + 1;
  let first = true;
  while (true) {
    if (first && load<u8>(p) == 0x7b) p = walkObject(p, depth + 1, W_MNC_ITEM);
    else p = skipValue(p, depth);
    first = false;
    if (p == FAIL) return FAIL;
    p = ws(p);
    const c = <u32>load<u8>(p);
    if (c == 0x5d) return p + 1;
    if (c != 0x2c) return invalid();
    p = ws(p + 1);
  }
  return FAIL;
}

/** The event id: digits, exact, at most 2^64 - 1. */
function eventId(p: usize): usize {
  if (!isDigit(load<u8>(p))) return FAIL;
  const q = scanNumber(p);
  if (q == FAIL || !numDigits) return FAIL;
  const n = <u32>(q - p);
  if (n > 20) return FAIL;
  let v: u64 = 0;
  if (n <= 16) v = digitsValue(p, n);
  else {
    const m = n < 19 ? n : 19;
    for (let i: u32 = 0; i < m; i++) v = v * 10 + <u64>(load<u8>(p + i) - 0x30);
  }
  if (n == 20) {
    const last = <u64>(load<u8>(p + 19) - 0x30);
    if (v > 1844674407370955161 || (v == 1844674407370955161 && last > 5)) return FAIL;
    v = v * 10 + last;
  }
  idValue = v;
  idOk = true;
  return q;
}

const DAYS_IN_MONTH: StaticArray<u8> = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0, 0, 0];

@inline function digitAt(p: usize): i32 {
  const v = <i32>load<u8>(p) - 0x30;
  return v >= 0 && v <= 9 ? v : -1;
}

@inline function twoAt(p: usize): i32 {
  const h = digitAt(p);
  const l = digitAt(p + 1);
  return h < 0 || l < 0 ? -1 : h * 10 + l;
}

/** Bits of the digits (0-3, 5-6, 8-9, 11-12, 14-15) and of the marks (`-` at 4 and 7, `:` at 13) of a timestamp's first 16 bytes. */
const TIMESTAMP_DIGITS: u32 = 0xdb6f;
const TIMESTAMP_MARKS: u32 = 0x2090;

/** Two digits at p known to be digits. */
@inline function knownTwo(p: usize): i32 {
  return (<i32>load<u8>(p) - 0x30) * 10 + (<i32>load<u8>(p + 1) - 0x30);
}

/** Days since 1970-01-01 (H. Hinnant's days_from_civil), year >= 1000. */
function daysFromCivil(year: i32, month: i32, day: i32): i32 {
  const y = month <= 2 ? year - 1 : year;
  const era = y / 400;
  const yoe = y - era * 400;
  const doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Epoch ms of a timestamp's text [s, e), in the forms core's timestampBytes answers
 * (`YYYY-MM-DD`, `T` or space, `hh:mm:ss`, optional `.mmm`, optional `Z`, `+0000`,
 * `+00:00`); NaN for anything else (the full decoder decides).
 */
function timestampMs(s: usize, e: usize): f64 {
  if (e - s < 19) return NaN;
  // `YYYY-MM-DD?hh:mm` in one 16-byte load: its twelve digits and three marks at once.
  const v = v128.load(s);
  const digits = i8x16.bitmask(i8x16.lt_u(i8x16.sub(v, i8x16.splat(0x30)), i8x16.splat(10)));
  const marks = i8x16.bitmask(i8x16.eq(v, i8x16(0, 0, 0, 0, 0x2d, 0, 0, 0x2d, 0, 0, 0, 0, 0, 0x3a, 0, 0)));
  if ((digits & TIMESTAMP_DIGITS) != TIMESTAMP_DIGITS || (marks & TIMESTAMP_MARKS) != TIMESTAMP_MARKS || load<u8>(s + 16) != 0x3a) return NaN;
  const sep = load<u8>(s + 10);
  if (sep != 0x54 && sep != 0x20) return NaN;
  const second = twoAt(s + 17);
  const year = knownTwo(s) * 100 + knownTwo(s + 2);
  const month = knownTwo(s + 5);
  const day = knownTwo(s + 8);
  const hour = knownTwo(s + 11);
  const minute = knownTwo(s + 14);
  if (!(year >= 1000 && month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second >= 0 && second <= 59)) return NaN;
  const leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  const dim = month == 2 && leap ? 29 : <i32>unchecked(DAYS_IN_MONTH[month]);
  if (day > dim) return NaN;
  let p = s + 19;
  let ms = 0;
  if (p < e && load<u8>(p) == 0x2e) {
    if (p + 4 > e) return NaN;
    const d1 = digitAt(p + 1);
    const d2 = digitAt(p + 2);
    const d3 = digitAt(p + 3);
    if (d1 < 0 || d2 < 0 || d3 < 0) return NaN;
    ms = d1 * 100 + d2 * 10 + d3;
    p += 4;
    // A fourth fraction digit: luxon's rounding is the definition, not ours.
    if (p < e && digitAt(p) >= 0) return NaN;
  }
  const rest = e - p;
  if (rest == 1) {
    if (load<u8>(p) != 0x5a) return NaN;
  } else if (rest == 5) {
    if (load<u8>(p) != 0x2b || load<u32>(p + 1) != 0x30303030) return NaN;
  } else if (rest == 6) {
    if (load<u8>(p) != 0x2b || load<u16>(p + 1) != 0x3030 || load<u8>(p + 3) != 0x3a || load<u16>(p + 4) != 0x3030) return NaN;
  } else if (rest != 0) return NaN;
  return (<f64>daysFromCivil(year, month, day) * 24 + hour) * 3600000 + <f64>(minute * 60000 + second * 1000 + ms);
}

@inline function readField(kind: u32, index: i32, p: usize, depth: u32): usize {
  switch (kind) {
    case W_TOP:
      return topField(index, p, depth);
    case W_TYPE: {
      if (index == 0) {
        p = plainInteger(p);
        if (p == FAIL) return FAIL;
        const id = numValue;
        if (!(id <= 255) || load<u8>(PLAN + <usize>id) == 0) return FAIL; // unknown type: the full decoder decides
        typeId = <i32>id;
        return p;
      }
      return looseString(p, depth, SP_TYPE_DESCRIPTION);
    }
    case W_CODE:
      return plainInteger(p);
    case W_ORGANISATION:
      if (index == 0) {
        p = plainInteger(p);
        organisationId = numValue;
        return p;
      }
      return stringOrNull(p, NO_SPAN);
    case W_ENDPOINT:
      if (index == 0) {
        p = plainInteger(p);
        endpointId = numValue;
        return p;
      }
      if (index == 1) return stringOrNull(p, SP_NAME);
      if (index == 2) return identifier(p, SP_IMEI);
      return stringOrNull(p, SP_IP);
    case W_SIM:
      if (index == 0) {
        p = optionalInteger(p);
        simId = numValue;
        return p;
      }
      return identifier(p, index == 1 ? SP_ICCID : NO_SPAN);
    case W_IMSI:
      if (index == 0) return optionalInteger(p);
      return identifier(p, SP_IMSI);
    case W_USER:
      if (index == 0) return optionalInteger(p);
      return stringOrNull(p, NO_SPAN);
    case W_DETAIL: {
      operatorKeys = true;
      if (index == 0) return looseString(p, depth, SP_OP_NAME);
      const c = load<u8>(p);
      if (index == 1) return c == 0x7b ? objectOf(p, depth + 1, W_COUNTRY) : skipValue(p, depth);
      if (index == 2) return c == 0x5b ? mncArray(p, depth + 1) : looseCode(p, depth, SP_DETAIL_MNC);
      if (c == 0x7b) {
        hasPdp = true;
        return walkObject(p, depth + 1, W_PDP);
      }
      return skipValue(p, depth);
    }
    case W_COUNTRY:
      return index == 0 ? looseCode(p, depth, SP_COUNTRY_MCC) : looseString(p, depth, SP_ISO);
    case W_MNC_ITEM:
      return looseCode(p, depth, SP_DETAIL_MNC);
    case W_PDP:
      if (index == 0) return looseString(p, depth, SP_APN);
      if (index == 1) return readRatType(p, depth);
      return looseCode(p, depth, index == 2 ? SP_PDP_MCC : SP_PDP_MNC);
    default:
      return FAIL;
  }
}

@inline function topField(index: i32, p: usize, depth: u32): usize {
  switch (index) {
    case K_ID:
      return eventId(p);
    case K_TIMESTAMP: {
      if (load<u8>(p) != 0x22) return FAIL;
      const q = scanShort(p + 1);
      if (q == FAIL || stringFlags != 0) return FAIL;
      atMs = timestampMs(p + 1, q);
      return isNaN(atMs) ? FAIL : q + 1;
    }
    case K_EVENT_TYPE: {
      if (load<u8>(p) != 0x7b) return FAIL;
      const q = objectOf(p, depth + 1, W_TYPE);
      return q != FAIL && (seenKeys & 1) != 0 ? q : FAIL;
    }
    case K_DESCRIPTION: {
      if (isNull(p)) return p + 4;
      if (load<u8>(p) != 0x22) return FAIL;
      const q = scanString(p + 1);
      if (q == FAIL) return FAIL;
      setSpan(SP_DESCRIPTION, p + 1, q, PRESENT | stringFlags);
      return q + 1;
    }
    case K_ALERT: {
      const c = <u32>load<u8>(p);
      if (c == 0x30 || c == 0x31) {
        const q = scanNumber(p);
        return q == p + 1 ? q : FAIL;
      }
      if (c == 0x74 || c == 0x66 || c == 0x6e) return scanLiteral(p);
      return FAIL;
    }
    case K_EVENT_SOURCE:
    case K_EVENT_SEVERITY:
      return optionalObject(p, depth, W_CODE, true);
    case K_ORGANISATION:
      return optionalObject(p, depth, W_ORGANISATION, true);
    case K_ENDPOINT:
      return optionalObject(p, depth, W_ENDPOINT, true);
    case K_SIM:
      return optionalObject(p, depth, W_SIM, false);
    case K_IMSI:
      return optionalObject(p, depth, W_IMSI, false);
    case K_USER:
      return optionalObject(p, depth, W_USER, false);
    case K_DETAIL:
      if (load<u8>(p) == 0x7b) return objectOf(p, depth + 1, W_DETAIL);
      if (isNull(p)) return p + 4;
      return FAIL; // a string detail (or a wrong type): the full decoder decides
    default:
      return FAIL;
  }
}

// ---------------------------------------------------------------- the row

/** Scalar UTF-8 check of [p, end) (RFC 3629: no overlongs, no surrogates, at most U+10FFFF). */
function utf8Valid(p: usize, end: usize): bool {
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c < 0x80) {
      p++;
      continue;
    }
    if (c < 0xc2) return false;
    if (c < 0xe0) {
      if (p + 1 >= end || (<u32>load<u8>(p + 1) & 0xc0) != 0x80) return false;
      p += 2;
      continue;
    }
    if (c < 0xf0) {
      if (p + 2 >= end) return false;
      const c1 = <u32>load<u8>(p + 1);
      if ((c1 & 0xc0) != 0x80 || (<u32>load<u8>(p + 2) & 0xc0) != 0x80) return false;
      if (c == 0xe0 && c1 < 0xa0) return false;
      if (c == 0xed && c1 >= 0xa0) return false;
      p += 3;
      continue;
    }
    if (c < 0xf5) {
      if (p + 3 >= end) return false;
      const c1 = <u32>load<u8>(p + 1);
      if ((c1 & 0xc0) != 0x80 || (<u32>load<u8>(p + 2) & 0xc0) != 0x80 || (<u32>load<u8>(p + 3) & 0xc0) != 0x80) return false;
      if (c == 0xf0 && c1 < 0x90) return false;
      if (c == 0xf4 && c1 >= 0x90) return false;
      p += 4;
      continue;
    }
    return false;
  }
  return true;
}

@inline function lower(c: u32): u32 {
  return c - 0x41 < 26 ? c | 0x20 : c;
}

/** `text.trimStart().toLowerCase().startsWith(phrase)` for an ASCII span without escapes (none: ''). */
function spanStartsWith(i: i32, phrase: usize, n: u32): bool {
  if (unchecked(spanFlags[i]) == 0) return n == 0;
  let p = unchecked(spanStart[i]);
  const e = unchecked(spanEnd[i]);
  // Raw control bytes are invalid in JSON strings, so the only ASCII white space here is ' '.
  while (p < e && load<u8>(p) == 0x20) p++;
  if (e - p < <usize>n) return false;
  for (let k: u32 = 0; k < n; k++) if (lower(load<u8>(p + k)) != <u32>load<u8>(phrase + k)) return false;
  return true;
}

/** `/phrase/i.test(text)` for an ASCII span and a lower-case phrase. */
function spanContains(i: i32, phrase: usize, n: u32): bool {
  if (unchecked(spanFlags[i]) == 0) return false;
  const s = unchecked(spanStart[i]);
  const e = unchecked(spanEnd[i]);
  if (e - s < <usize>n) return false;
  const last = e - n;
  for (let p = s; p <= last; p++) {
    let k: u32 = 0;
    while (k < n && lower(load<u8>(p + k)) == <u32>load<u8>(phrase + k)) k++;
    if (k == n) return true;
  }
  return false;
}

/** The strings pool (ICCID, IMSI, IMEI, IP, APN, endpoint name), the operator parts pool and the operators. */
export let strings: Pool = changetype<Pool>(0);
export let parts: Pool = changetype<Pool>(0);
export let operators: Operators = changetype<Operators>(0);

/** Sets up the pools and the deferred-interning columns for `maxLines` rows. Call once. */
export function initPools(maxLines: u32): void {
  strings = new Pool();
  parts = new Pool();
  operators = new Operators();
  // On a 64-byte boundary: an entry is two cache lines, both loaded ahead (internRows).
  devices = (heap.alloc(<usize>DEVICE_SLOTS * DEVICE_ENTRY + 80) + 63) & ~63;
  rowStrings = heap.alloc(<usize>maxLines * DEFERRED * 8);
  rowDirty = heap.alloc(<usize>maxLines);
  const size = (<usize>maxLines * DEFERRED) << 2;
  deferredAt = heap.alloc(size);
  deferredLength = heap.alloc(size);
  deferredHash = heap.alloc(size);
  deferredTo = heap.alloc(size);
}

// ---------------------------------------------------------------- deferred interning
//
// The strings pool's strings (ICCID, IMSI, IMEI, IP address, endpoint name, APN) are mostly
// one device's, and consecutive lines are of different devices: nearly every lookup misses
// the cache twice (its table slot, then the stored bytes it compares), one string after the
// other. So a row only notes its strings' spans (the chunk's input stays in memory until the
// next chunk), and `internRows` interns the chunk's strings in groups of GROUP: it hashes the
// group's strings, then loads each one's table slot in a tight loop, then each slot's stored
// bytes, then interns them. The loads of one loop do not depend on each other, so their
// cache misses overlap instead of queuing one after the other (WebAssembly has no prefetch
// instruction: a plain load is the prefetch). The order of interning (rows in order, a row's
// strings in the order above) is the one a row-by-row intern had, so every reference, in
// WASM and in the fleet's pool, is the same.

/** Strings deferred per row at most (so a chunk adds at most this many per line to the strings pool). */
export const DEFERRED: u32 = 6;
/** Strings whose loads one loop issues together. */
const GROUP: u32 = 32;
/** Per deferred string, in order: its address, length, hash, and where its reference goes. */
let deferredAt: usize = 0;
let deferredLength: usize = 0;
let deferredHash: usize = 0;
let deferredTo: usize = 0;
let deferredCount: u32 = 0;
/** Where the loads ahead go, so the optimizer keeps them. */
let sink: u32 = 0;

/** Notes span i as row r's string `slot` (an address of 0: absent). */
@inline function noteSpan(r: usize, slot: u32, i: i32): void {
  const at = rowStrings + (r * DEFERRED + slot) * 8;
  if (unchecked(spanFlags[i]) == 0) {
    store<u32>(at, 0);
    return;
  }
  const s = unchecked(spanStart[i]);
  store<u32>(at, <u32>s);
  store<u32>(at, <u32>(unchecked(spanEnd[i]) - s), 4);
}

/** Defers the string [s, s + len) to the pool; its reference goes to `to`. */
@inline function defer(s: u32, len: u32, to: usize): void {
  const at = <usize>deferredCount << 2;
  store<u32>(deferredAt + at, s);
  store<u32>(deferredLength + at, len);
  store<u32>(deferredTo + at, <u32>to);
  deferredCount++;
}

// ---------------------------------------------------------------- device strings
//
// Six of a row's strings (ICCID, IMSI, IMEI, IP address, endpoint name, and the APN of a
// session) belong to its endpoint, or stay the same for it, and nearly always equal those of
// the endpoint's last row that had them. So per endpoint the
// module keeps those strings' bytes and pool references side by side in one entry, and a row
// whose strings equal its entry's takes their references from it: one cache miss for the row
// (its entry) instead of a table slot and the stored bytes for each of its strings, and no
// hashing. The entry is indexed by the endpoint id's low bits (ids are dense integers, so a
// fleet up to DEVICE_SLOTS endpoints has one entry each) and holds its id: an entry of
// another endpoint, or of a pool that was emptied since (the pool's generation), is a miss.
// Only the bytes decide a hit (the id only saves compares with another endpoint's strings).
// A string the entry does not hold equal goes to the pool as before, in the order the pool
// always saw its strings (rows in order, a row's strings in the order above):
// a reference taken from an entry is one the pool holds and would have given, so every
// reference, in WASM and in the fleet's pool, is the one the pool alone gives.

/** Strings of a row kept per endpoint (row slots 0-5: ICCID, IMSI, IMEI, IP address, name, APN). */
const DEVICE_STRINGS: u32 = 6;
const SLOT_APN: u32 = 5;
const DEVICE_SLOTS: u32 = 1 << 17;
/**
 * Bytes per entry: the endpoint id (f64), the pool's generation (u32), per device string its
 * length + 1 (u8; 0: not held), then their references (u32 from 20), then their bytes back
 * to back (from 44).
 */
const DEVICE_ENTRY: u32 = 128;
const E_GENERATION: usize = 8;
const E_LENGTHS: usize = 12;
const E_REFS: usize = 20;
const E_TEXT: usize = 44;
const DEVICE_TEXT: u32 = DEVICE_ENTRY - <u32>E_TEXT;
/**
 * Allocated once, before any block is freed, and never freed: its memory is fresh from the
 * runtime (zero, and generation 0 is no pool's) and touched only entry by entry.
 */
let devices: usize = 0;
/** Per row of the chunk, its strings' (address, length) (address 0: absent), and whether its endpoint's entry is to be written. */
let rowStrings: usize = 0;
let rowDirty: usize = 0;
/** An entry is built here, then copied in (it may keep strings of the entry it replaces). */
const SCRATCH: usize = memory.data(<i32>(DEVICE_ENTRY + 16));

@inline function deviceEntry(id: f64): usize {
  return devices + <usize>(<u32>(<i64>id) & (DEVICE_SLOTS - 1)) * DEVICE_ENTRY;
}

/** The string column of device string `slot`. */
@inline function deviceColumn(slot: u32): usize {
  return slot == 0 ? colIccid : slot == 1 ? colImsi : slot == 2 ? colImei : slot == 3 ? colIp : slot == 4 ? colName : colApn;
}

/** Row r's strings: references from its endpoint's entry where it holds them equal, the others deferred. */
function matchRow(r: usize, generation: u32): void {
  const id = load<f64>(colEndpoint + (r << 3));
  let e: usize = 0;
  if (id == id) {
    e = deviceEntry(id);
    if (load<f64>(e) != id || load<u32>(e, E_GENERATION) != generation) e = 0;
  }
  const rec = rowStrings + r * DEFERRED * 8;
  let text = e + E_TEXT;
  let dirty = false;
  for (let slot: u32 = 0; slot < DEVICE_STRINGS; slot++) {
    const to = deviceColumn(slot) + (r << 2);
    const held = e != 0 ? <u32>load<u8>(e + E_LENGTHS + slot) : 0;
    const here = text;
    if (held != 0) text += held - 1;
    const s = load<u32>(rec + slot * 8);
    if (s == 0) {
      store<u32>(to, 0);
      continue;
    }
    const len = load<u32>(rec + slot * 8, 4);
    if (held == len + 1 && sameBytes(here, <usize>s, len)) {
      store<u32>(to, load<u32>(e + E_REFS + (<usize>slot << 2)));
      continue;
    }
    defer(s, len, to);
    dirty = true;
  }
  store<u8>(rowDirty + r, dirty && id == id ? 1 : 0);
}

/** Writes row r's device strings (now interned: their references are in the row) into its endpoint's entry, keeping those it lacks. */
function fillEntry(r: usize, generation: u32): void {
  const id = load<f64>(colEndpoint + (r << 3));
  const e = deviceEntry(id);
  const same = load<f64>(e) == id && load<u32>(e, E_GENERATION) == generation;
  const rec = rowStrings + r * DEFERRED * 8;
  store<f64>(SCRATCH, id);
  store<u32>(SCRATCH, generation, E_GENERATION);
  let old = e + E_TEXT;
  let used: u32 = 0;
  for (let slot: u32 = 0; slot < DEVICE_STRINGS; slot++) {
    const held = same ? <u32>load<u8>(e + E_LENGTHS + slot) : 0;
    const from = old;
    if (held != 0) old += held - 1;
    const s = load<u32>(rec + slot * 8);
    let src: usize = 0;
    let len: u32 = 0;
    let ref: u32 = 0;
    if (s != 0) {
      src = <usize>s;
      len = load<u32>(rec + slot * 8, 4);
      ref = load<u32>(deviceColumn(slot) + (r << 2));
    } else if (held != 0) {
      src = from;
      len = held - 1;
      ref = load<u32>(e + E_REFS + (<usize>slot << 2));
    }
    let mark: u32 = 0;
    if (src != 0 && len < 255 && used + len <= DEVICE_TEXT) {
      memory.copy(SCRATCH + E_TEXT + used, src, len);
      used += len;
      mark = len + 1;
    }
    store<u8>(SCRATCH + E_LENGTHS + slot, <u8>mark);
    store<u32>(SCRATCH + E_REFS + (<usize>slot << 2), mark != 0 ? ref : 0);
  }
  memory.copy(e, SCRATCH, DEVICE_ENTRY);
}

/**
 * Interns the chunk's deferred strings into the strings pool and writes their references
 * into the row columns (see above: each group's loads are issued together so that their
 * cache misses overlap).
 */
export function internRows(): void {
  const rows = <usize>rowCount;
  const pool = strings;
  const generation = pool.generation;
  let acc: u32 = 0;
  deferredCount = 0;
  // The rows' entries, a group's loads together (their misses overlap), then the rows.
  for (let g: usize = 0; g < rows; g += GROUP) {
    const end = g + GROUP < rows ? g + GROUP : rows;
    for (let r = g; r < end; r++) {
      const id = load<f64>(colEndpoint + (r << 3));
      if (id == id) {
        const e = deviceEntry(id);
        acc ^= load<u32>(e, E_GENERATION) ^ load<u32>(e, 64);
      }
    }
    for (let r = g; r < end; r++) matchRow(r, generation);
  }
  const n = deferredCount;
  for (let g: u32 = 0; g < n; g += GROUP) {
    const end = g + GROUP < n ? g + GROUP : n;
    for (let i = g; i < end; i++) {
      const at = <usize>i << 2;
      store<u32>(deferredHash + at, hashBytes(<usize>load<u32>(deferredAt + at), load<u32>(deferredLength + at)));
    }
    for (let i = g; i < end; i++) acc ^= pool.touchSlot(load<u32>(deferredHash + (<usize>i << 2)));
    for (let i = g; i < end; i++) acc ^= pool.touchBytes(load<u32>(deferredHash + (<usize>i << 2)));
    for (let i = g; i < end; i++) {
      const at = <usize>i << 2;
      const ref = pool.internHashed(<usize>load<u32>(deferredAt + at), load<u32>(deferredLength + at), load<u32>(deferredHash + at));
      store<u32>(<usize>load<u32>(deferredTo + at), ref);
    }
  }
  for (let r: usize = 0; r < rows; r++) if (load<u8>(rowDirty + r) != 0) fillEntry(r, generation);
  deferredCount = 0;
  sink ^= acc;
}

@inline function internSpan(pool: Pool, i: i32): u32 {
  if (unchecked(spanFlags[i]) == 0) return 0;
  const s = unchecked(spanStart[i]);
  return pool.intern(s, <u32>(unchecked(spanEnd[i]) - s));
}

// Row columns (addresses set by the chunk loop).
export let colAt: usize = 0;
export let colIdHi: usize = 0;
export let colIdLo: usize = 0;
export let colEndpoint: usize = 0;
export let colType: usize = 0;
export let colOrganisation: usize = 0;
export let colSim: usize = 0;
export let colIccid: usize = 0;
export let colImsi: usize = 0;
export let colImei: usize = 0;
export let colIp: usize = 0;
export let colApn: usize = 0;
export let colOperator: usize = 0;
export let colRat: usize = 0;
export let colReason: usize = 0;
export let colDescStart: usize = 0;
export let colDescEnd: usize = 0;
export let colName: usize = 0;

export function setRowColumns(
  at: usize, idHi: usize, idLo: usize, endpoint: usize, type: usize, organisation: usize, sim: usize, iccid: usize, imsi: usize, imei: usize,
  ip: usize, apn: usize, operator: usize, rat: usize, reason: usize, descStart: usize, descEnd: usize,
): void {
  colAt = at; colIdHi = idHi; colIdLo = idLo; colEndpoint = endpoint; colType = type; colOrganisation = organisation; colSim = sim;
  colIccid = iccid; colImsi = imsi; colImei = imei; colIp = ip; colApn = apn; colOperator = operator; colRat = rat; colReason = reason;
  colDescStart = descStart; colDescEnd = descEnd;
}

/** The endpoint name column's address (set apart from `setRowColumns`: one column added, one call). */
export function setNameColumn(name: usize): void {
  colName = name;
}

/** Rows written since the chunk began; rows among them without an endpoint; rejected sessions whose reason the boundary fills in. */
export let rowCount: u32 = 0;
export let rowsWithoutEndpoint: u32 = 0;
export let pendingReasons: u32 = 0;

/** Starts a chunk: rows from 0. */
export function beginChunk(): void {
  rowCount = 0;
  rowsWithoutEndpoint = 0;
  pendingReasons = 0;
  deferredCount = 0;
}

function reset(): void {
  invalidJson = false;
  lineHigh = false;
  idOk = false;
  atMs = NaN;
  typeId = -1;
  endpointId = NaN;
  organisationId = NaN;
  simId = NaN;
  operatorKeys = false;
  hasPdp = false;
  ratType = NO_RAT_TYPE;
  detailEntry = 0;
  for (let i = 0; i < SPAN_COUNT; i++) unchecked((spanFlags[i] = 0));
}

/** Only ASCII white space (what `text.trim() === ''` says for an ASCII line). */
function isBlank(s: usize, e: usize): bool {
  for (let p = s; p < e; p++) {
    const c = <u32>load<u8>(p);
    if (c != 0x20 && c != 0x09 && c != 0x0b && c != 0x0c && c != 0x0d) return false;
  }
  return true;
}

/**
 * Decodes the line [s, e) (the byte at e is its newline) into row rowCount; returns the
 * line's status. `base` is the input's address (descriptions are stored relative to it).
 */
export function decodeLine(s: usize, e: usize, base: usize): u8 {
  const p = walkLine(s);
  if (p == FAIL) return walkFailure(s, e);
  if (p != e) return STATUS_INVALID;
  return finishLine(s, e, base);
}

/** Why walkLine failed (the line's first byte was not `{`, a JSON error, a form the walk does not decide). */
let walkFailed: u8 = 0;
const FAILED_NOT_OBJECT: u8 = 0;
const FAILED_INVALID: u8 = 1;
const FAILED_FALLBACK: u8 = 2;

/**
 * Walks the line starting at s (white space, its object, white space): the address where it
 * stopped (the line's end when that byte is its newline), or FAIL (`walkFailed` says why).
 * Writes nothing but the line's state, so a line cut by the chunk's end can be walked and
 * then left for the next chunk.
 */
export function walkLine(s: usize): usize {
  let p = ws(s);
  if (load<u8>(p) != 0x7b) {
    walkFailed = FAILED_NOT_OBJECT;
    return FAIL;
  }
  reset();
  p = walkObject(p, 1, W_TOP);
  if (p == FAIL) {
    walkFailed = invalidJson ? FAILED_INVALID : FAILED_FALLBACK;
    return FAIL;
  }
  return ws(p);
}

/** The status of the line [s, e) whose walkLine failed. */
export function walkFailure(s: usize, e: usize): u8 {
  if (walkFailed == FAILED_NOT_OBJECT) return isBlank(s, e) ? STATUS_BLANK : STATUS_FALLBACK;
  return walkFailed == FAILED_INVALID ? STATUS_INVALID : STATUS_FALLBACK;
}

/** The rest of decodeLine once the walk ended at the line's end e: checks, the row (row rowCount) and its status. */
export function finishLine(s: usize, e: usize, base: usize): u8 {
  if ((seenKeys & REQUIRED_TOP) != REQUIRED_TOP) return STATUS_FALLBACK;
  if (lineHigh && !utf8Valid(s, e)) return STATUS_FALLBACK;
  if (!idOk || isNaN(atMs) || typeId < 0) return STATUS_FALLBACK;

  // The device event type (core's fastTypePlan rules).
  const t = <usize>typeId;
  const rule = load<u8>(PLAN + t);
  let type = <u32>load<u8>(PLAN + 256 + t);
  let reason = NO_REJECTION_REASON;
  if (rule != RULE_FIXED) {
    if (unchecked(spanFlags[SP_DESCRIPTION]) & 3) return STATUS_FALLBACK;
    if (rule == RULE_DATA_DISCONNECT) {
      if (!spanStartsWith(SP_DESCRIPTION, PHRASES, disconnectLength)) type = load<u8>(PLAN + 512 + t);
    } else if (rule == RULE_ACCEPTED) {
      if (spanStartsWith(SP_DESCRIPTION, PHRASES + 64, rejectedLength)) {
        type = load<u8>(PLAN + 512 + t);
        reason = REASON_PENDING;
      }
    } else if (rule == RULE_DELETION) {
      if (unchecked(spanFlags[SP_TYPE_DESCRIPTION]) & 3) return STATUS_FALLBACK;
      if (!spanContains(SP_DESCRIPTION, PHRASES + 128, deletionLength) && !spanContains(SP_TYPE_DESCRIPTION, PHRASES + 128, deletionLength)) {
        type = load<u8>(PLAN + 512 + t);
      }
    }
  }
  if (type == sessionRejected && reason == NO_REJECTION_REASON) return STATUS_FALLBACK;
  if (atMs > untilMs || endpointId == watchEndpoint) return STATUS_HELD;

  const r = <usize>rowCount;
  noteSpan(r, 0, SP_ICCID);
  noteSpan(r, 1, SP_IMSI);
  noteSpan(r, 2, SP_IMEI);
  noteSpan(r, 3, SP_IP);
  noteSpan(r, 4, SP_NAME);
  let operator: u32 = 0;
  let apn = false;
  let rat = NO_RAT_TYPE;
  if (operatorKeys && load<u8>(PLAN + 768 + t) == 1) {
    const known = detailEntry != 0 ? load<u32>(detailEntry + M_OPERATOR) : 0;
    if (known != 0) operator = known - 1;
    else {
      const name = internSpan(parts, SP_OP_NAME);
      const mcc = unchecked(spanFlags[SP_COUNTRY_MCC]) != 0 ? internSpan(parts, SP_COUNTRY_MCC) : hasPdp ? internSpan(parts, SP_PDP_MCC) : 0;
      const mnc = unchecked(spanFlags[SP_DETAIL_MNC]) != 0 ? internSpan(parts, SP_DETAIL_MNC) : hasPdp ? internSpan(parts, SP_PDP_MNC) : 0;
      const iso = internSpan(parts, SP_ISO);
      if ((name | mcc | mnc | iso) != 0) operator = operators.ref(name, mcc, mnc, iso);
      if (detailEntry != 0) store<u32>(detailEntry + M_OPERATOR, operator + 1);
    }
    if (hasPdp && (type == sessionCreated || type == sessionUpdated)) {
      apn = true;
      rat = ratType;
    }
  }

  if (apn) noteSpan(r, SLOT_APN, SP_APN);
  else store<u32>(rowStrings + (r * DEFERRED + SLOT_APN) * 8, 0);
  store<f64>(colAt + (r << 3), atMs);
  store<u32>(colIdHi + (r << 2), <u32>(idValue >> 32));
  store<u32>(colIdLo + (r << 2), <u32>idValue);
  store<f64>(colEndpoint + (r << 3), endpointId);
  store<u8>(colType + r, <u8>type);
  store<f64>(colOrganisation + (r << 3), organisationId);
  store<f64>(colSim + (r << 3), simId);
  store<u32>(colOperator + (r << 2), operator);
  store<i16>(colRat + (r << 1), <i16>rat);
  store<u8>(colReason + r, <u8>reason);
  if (reason == REASON_PENDING) {
    store<u32>(colDescStart + (r << 2), <u32>(unchecked(spanStart[SP_DESCRIPTION]) - base));
    store<u32>(colDescEnd + (r << 2), <u32>(unchecked(spanEnd[SP_DESCRIPTION]) - base));
    pendingReasons++;
  }
  if (isNaN(endpointId)) rowsWithoutEndpoint++;
  rowCount++;
  return STATUS_ROW;
}
