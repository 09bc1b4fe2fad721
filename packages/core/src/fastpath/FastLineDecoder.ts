/**
 * The fast path: one NDJSON line (bytes) → one `EventColumns` row, or "fall back".
 *
 * Why it is fast (the simdjson "on-demand" idea, in plain JavaScript)
 * - The line's bytes are scanned once, left to right, by a validating scanner: recursive
 *   descent through the objects whose keys the reducer reads, one flat loop with an
 *   explicit container stack through every other value (validated and skipped). Nothing
 *   is materialised: no object, no array, no string per key or value.
 * - Strings are scanned 4 bytes at a time (exact SWAR tests for quote, backslash, control
 *   and non-ASCII bytes on a DataView, never past the line), byte by byte only near those.
 *   White space is looked for only where the next byte is ≤ 0x20 (exported lines have none).
 * - Keys are matched through KeySet (a slot by length and second byte, then word compares);
 *   first against the key the previous record had at the same place in the same kind of
 *   object (exports keep one key order), which needs no scan: a key's bytes followed by a
 *   quote are exactly that string.
 * - Numbers the reducer needs (event id as exact hi/lo u32, endpoint / organisation /
 *   SIM ids, type id, RAT type) are accumulated from their digits; the timestamp is
 *   computed from its digits (timestampBytes.ts).
 * - Strings the reducer keeps (ICCID, IMSI, IMEI, IP, endpoint name, APN, operator) are interned from
 *   their bytes (StringPool.internBytes): a value seen before costs one hash-and-compare pass
 *   and no allocation; the operator's four parts map to its pool reference through a
 *   small numeric table, so the JSON operator key is built once per distinct operator.
 * - The description is read only for the three types whose device event depends on it,
 *   by comparing bytes to the catalog's prefixes.
 *
 * Why it equals the full decoder (decodeEventText + classifyEvent + EventColumns.push)
 * - It never decides anything the full decoder decides differently: every value it
 *   accepts is in a form whose meaning is unambiguous (plain digit integers, ASCII or
 *   valid UTF-8 strings without escapes, `null`, the timestamp forms above, known type
 *   ids), and every check of the full decoder that could reject the record (JSON syntax
 *   anywhere in the line, wrong types of the validated fields, required ids, alert
 *   values, ranges) is either made here identically or makes it fall back. Anything
 *   odd — an escape in a string it needs, a number as a string, a fraction or exponent
 *   where an integer is read, a duplicated key, `__proto__`, an unknown type id, a
 *   string `detail`, deep nesting, bytes that are not UTF-8 in any string — returns
 *   `FAST_FALLBACK` and the caller runs the full decoder: slower, never wrong.
 * - `test/fastpath/fastLineDecoder.test.ts` proves it on simulator lines (normal and
 *   messy), the seed examples and fast-check mutations of them (byte edits, key
 *   reorders, whitespace, escapes, truncation): either the row equals the full
 *   decoder's, column by column with strings resolved through the pool, or it fell back.
 */
import { DATA_DISCONNECT_PREFIX, REJECTION_PREFIX, REJECTION_REASON_CODES, rejectionReason } from '../catalog/rejectionReasons.js';
import { type EventColumns, NO_RAT_TYPE, NO_REJECTION_REASON } from '../reducer/EventColumns.js';
import { NULL_REF, StringPool } from '../reducer/StringPool.js';
import {
  MAX_PLANNED_TYPE_ID,
  PLAN_OPERATOR_DETAIL,
  PLAN_RULE,
  PLAN_WHEN_FALSE,
  PLAN_WHEN_TRUE,
  RULE_ACCEPTED,
  RULE_DATA_DISCONNECT,
  RULE_DELETION,
  RULE_FIXED,
  SESSION_CREATED_CODE,
  SESSION_REJECTED_CODE,
  SESSION_UPDATED_CODE,
} from './fastTypePlan.js';
import { findKey, type KeySet, keyAt, keySet } from './KeySet.js';
import { MAX_JSON_DEPTH } from '../decode/jsonDepth.js';
import { utf8SequenceLength } from '../text/utf8.js';
import { timestampBytes } from './timestampBytes.js';

/** `decodeLine` result: the line needs the full decoder. */
export const FAST_FALLBACK = -1;
/** `decodeLine` result: the line is blank (only spaces, tabs, CR, VT, FF): not a record. */
export const FAST_BLANK = -2;

// Byte classes inside strings.
const S_QUOTE = 1;
const S_ESCAPE = 2;
const S_CONTROL = 3;
const S_HIGH = 4;
const STRING_CLASS = new Uint8Array(256);
for (let i = 0; i < 0x20; i++) STRING_CLASS[i] = S_CONTROL;
STRING_CLASS[0x22] = S_QUOTE;
STRING_CLASS[0x5c] = S_ESCAPE;
for (let i = 0x80; i < 0x100; i++) STRING_CLASS[i] = S_HIGH;

const JSON_WS = new Uint8Array(256);
JSON_WS[0x20] = 1;
JSON_WS[0x09] = 1;
JSON_WS[0x0a] = 1;
JSON_WS[0x0d] = 1;

const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
const ESCAPABLE = new Uint8Array(256);
for (const c of '"\\/bfnrtu') ESCAPABLE[c.charCodeAt(0)] = 1;

/**
 * Deeper values fall back, and the full decoder rejects them (`too_deep`): the one
 * limit of the project's decoders, the same on every thread.
 */
const MAX_DEPTH = MAX_JSON_DEPTH;
/** Key positions per object kind whose key is predicted (a power of 2; later positions share slots). */
const PREDICTED_KEYS = 32;
/** Digits of an id that is surely a safe integer. */
const MAX_SAFE_DIGITS = 15;

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

const TOP_KEYS = keySet(
  'id',
  'timestamp',
  'event_type',
  'description',
  'alert',
  'event_source',
  'event_severity',
  'organisation',
  'endpoint',
  'sim',
  'imsi',
  'user',
  'detail',
);
const K_ID = 0;
const K_TIMESTAMP = 1;
const K_EVENT_TYPE = 2;
const K_DESCRIPTION = 3;
const K_ALERT = 4;
const K_EVENT_SOURCE = 5;
const K_EVENT_SEVERITY = 6;
const K_ORGANISATION = 7;
const K_ENDPOINT = 8;
const K_SIM = 9;
const K_IMSI = 10;
const K_USER = 11;
const K_DETAIL = 12;
const REQUIRED_TOP = (1 << K_ID) | (1 << K_TIMESTAMP) | (1 << K_EVENT_TYPE);

const TYPE_KEYS = keySet('id', 'description');
const CODE_KEYS = keySet('id');
const ORGANISATION_KEYS = keySet('id', 'name');
const ENDPOINT_KEYS = keySet('id', 'name', 'imei', 'ip_address');
const SIM_KEYS = keySet('id', 'iccid', 'msisdn');
const IMSI_KEYS = keySet('id', 'imsi');
const USER_KEYS = keySet('id', 'name', 'username');
const DETAIL_KEYS = keySet('name', 'country', 'mnc', 'pdp_context');
const COUNTRY_KEYS = keySet('mcc', 'iso_code');
const MNC_ITEM_KEYS = keySet('mnc');
const PDP_KEYS = keySet('apn', 'rat_type', 'mcc', 'mnc');
const PROTO = enc('__proto__');

const DISCONNECT = enc(DATA_DISCONNECT_PREFIX);
const REJECTED = enc(REJECTION_PREFIX);
const DELET = enc('delet');
for (const prefix of [DISCONNECT, REJECTED]) {
  for (const b of prefix) if (b >= 0x41 && b <= 0x5a) throw new Error('fast path prefixes must be lower case');
}

/** A string value: where it is and how clean (0 none/null, 1 plain, 2 has escapes). */
const NONE = 0;
const PLAIN = 1;
const ESCAPED = 2;

/** Result of `readCode`-style readers besides the position: the value's span. */
interface Span {
  s: number;
  e: number;
  kind: number;
}

const span = (): Span => ({ s: 0, e: 0, kind: NONE });

/**
 * Decodes NDJSON lines of emnify events straight into `EventColumns` rows.
 *
 * @example
 * const fleet = new FleetStore();
 * const columns = fleet.createColumns();
 * const decoder = new FastLineDecoder(columns);
 * const row = decoder.decodeLine(bytes, lineStart, lineEnd);
 * if (row === FAST_FALLBACK) columns.push(classifyEvent(fullyDecoded)); // the full path
 */
export class FastLineDecoder {
  readonly columns: EventColumns;
  readonly #pool: StringPool;
  /** Operator parts: bytes → id, in a pool of their own (never in the fleet's pool alone). */
  readonly #parts = new StringPool();
  /** Operator (4 part ids) → pool reference: open addressing, 5 ints a slot. */
  #opTable = new Int32Array(5 * 256);
  #opCount = 0;

  // --- the line being decoded ---
  #b: Uint8Array = new Uint8Array(0);
  /** `#b` as a DataView: strings are scanned 4 bytes at a time (see #string). */
  #view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  #end = 0;
  /** Container kinds (1 object, 0 array) of the value #skip is inside, by depth. */
  readonly #stack = new Uint8Array(MAX_DEPTH + 2);
  /** By object kind and key position: the index of the known key found there last time, or -1 (see #object). */
  readonly #predicted = new Int8Array(PREDICTED_KEYS * (W_PDP + 1)).fill(-1);
  #flags = 0; // of the last string scanned: bit 1 escape, bit 2 non-ASCII
  #num = 0; // value of the last plain integer read (NaN when not plain or too long)
  #seen = 0; // keys seen in the current object (bit per key index)

  #idHi = 0;
  #idLo = 0;
  #at = Number.NaN;
  #typeId = -1;
  #endpointId = Number.NaN;
  #organisationId = Number.NaN;
  #simId = Number.NaN;
  #operatorKeys = false;
  #hasPdp = false;
  #rat = NO_RAT_TYPE;
  readonly #description = span();
  readonly #typeDescription = span();
  readonly #iccid = span();
  readonly #imsi = span();
  readonly #imei = span();
  readonly #ip = span();
  readonly #name = span();
  readonly #opName = span();
  readonly #countryMcc = span();
  readonly #iso = span();
  readonly #detailMnc = span();
  readonly #apn = span();
  readonly #pdpMcc = span();
  readonly #pdpMnc = span();

  constructor(columns: EventColumns) {
    this.columns = columns;
    this.#pool = columns.pool;
  }

  /**
   * Decodes `bytes[start, end)` (one line, without its `\n`) into a new row of the
   * columns. Returns the row, `FAST_BLANK`, or `FAST_FALLBACK` (nothing was written:
   * run the full decoder on the line's text).
   */
  decodeLine(bytes: Uint8Array, start: number, end: number): number {
    if (bytes !== this.#b) {
      this.#b = bytes;
      this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.#end = end;
    let p = start;
    while (p < end && JSON_WS[bytes[p] as number] === 1) p++;
    if (p === end || bytes[p] !== 0x7b) return isBlank(bytes, start, end) ? FAST_BLANK : FAST_FALLBACK;
    this.#reset();
    p = this.#top(p);
    if (p < 0) return FAST_FALLBACK;
    if (p !== end) {
      p = this.#ws(p);
      if (p !== end) return FAST_FALLBACK;
    }
    return this.#write();
  }

  #reset(): void {
    this.#idHi = -1;
    this.#idLo = 0;
    this.#at = Number.NaN;
    this.#typeId = -1;
    this.#endpointId = Number.NaN;
    this.#organisationId = Number.NaN;
    this.#simId = Number.NaN;
    this.#operatorKeys = false;
    this.#hasPdp = false;
    this.#rat = NO_RAT_TYPE;
    this.#description.kind = NONE;
    this.#typeDescription.kind = NONE;
    this.#iccid.kind = NONE;
    this.#imsi.kind = NONE;
    this.#imei.kind = NONE;
    this.#ip.kind = NONE;
    this.#name.kind = NONE;
    this.#opName.kind = NONE;
    this.#countryMcc.kind = NONE;
    this.#iso.kind = NONE;
    this.#detailMnc.kind = NONE;
    this.#apn.kind = NONE;
    this.#pdpMcc.kind = NONE;
    this.#pdpMnc.kind = NONE;
  }

  // ---------------------------------------------------------------- the row

  #write(): number {
    if (this.#idHi < 0 || Number.isNaN(this.#at) || this.#typeId < 0) return FAST_FALLBACK;
    const typeId = this.#typeId;
    const rule = PLAN_RULE[typeId] as number;
    let type = PLAN_WHEN_TRUE[typeId] as number;
    let reason = NO_REJECTION_REASON;
    if (rule !== RULE_FIXED) {
      const d = this.#description;
      if (d.kind === ESCAPED || (d.kind === PLAIN && this.#hasHigh(d))) return FAST_FALLBACK;
      if (rule === RULE_DATA_DISCONNECT) {
        if (!this.#startsWith(d, DISCONNECT)) type = PLAN_WHEN_FALSE[typeId] as number;
      } else if (rule === RULE_ACCEPTED) {
        if (this.#startsWith(d, REJECTED)) {
          type = PLAN_WHEN_FALSE[typeId] as number;
          // Rare: a rejected session. The reason's phrases are matched on the text.
          reason = REJECTION_REASON_CODES.indexOf(rejectionReason(this.#asciiText(d)));
        }
      } else if (rule === RULE_DELETION) {
        const t = this.#typeDescription;
        if (t.kind === ESCAPED || (t.kind === PLAIN && this.#hasHigh(t))) return FAST_FALLBACK;
        if (!this.#contains(d, DELET) && !this.#contains(t, DELET)) type = PLAN_WHEN_FALSE[typeId] as number;
      }
    }
    if (type === SESSION_REJECTED_CODE && reason === NO_REJECTION_REASON) return FAST_FALLBACK;

    // Strings → pool references (all validated before anything is interned).
    const iccid = this.#ref(this.#iccid);
    const imsi = this.#ref(this.#imsi);
    const imei = this.#ref(this.#imei);
    const ip = this.#ref(this.#ip);
    const name = this.#ref(this.#name);
    if (iccid < 0 || imsi < 0 || imei < 0 || ip < 0 || name < 0) return FAST_FALLBACK;
    let operator: number = NULL_REF;
    let apn: number = NULL_REF;
    let rat = NO_RAT_TYPE;
    if (this.#operatorKeys && PLAN_OPERATOR_DETAIL[typeId] === 1) {
      operator = this.#operatorRef();
      if (operator < 0) return FAST_FALLBACK;
      if (this.#hasPdp && (type === SESSION_CREATED_CODE || type === SESSION_UPDATED_CODE)) {
        apn = this.#ref(this.#apn);
        if (apn < 0) return FAST_FALLBACK;
        rat = this.#rat;
      }
    }

    const c = this.columns;
    const row = c.length;
    if (row >= c.capacity) c.reserve(row + 1);
    c.at[row] = this.#at;
    c.idHi[row] = this.#idHi;
    c.idLo[row] = this.#idLo;
    c.endpointId[row] = this.#endpointId;
    c.type[row] = type;
    c.organisationId[row] = this.#organisationId;
    c.simId[row] = this.#simId;
    c.iccid[row] = iccid;
    c.imsi[row] = imsi;
    c.imei[row] = imei;
    c.ipAddress[row] = ip;
    c.apn[row] = apn;
    c.operator[row] = operator;
    c.ratType[row] = rat;
    c.rejectionReason[row] = reason;
    c.name[row] = name;
    c.length = row + 1;
    return row;
  }

  /** Pool reference of a kept string; -1 when its bytes are not valid UTF-8. */
  #ref(v: Span): number {
    return v.kind === NONE ? NULL_REF : this.#pool.internBytes(this.#b, v.s, v.e);
  }

  /** Part id of an operator part; 0 for none, -1 for invalid UTF-8. */
  #part(v: Span): number {
    return v.kind === NONE ? 0 : this.#parts.internBytes(this.#b, v.s, v.e);
  }

  /** The operator as classifyEvent's `operatorOf` builds it, as a pool reference. */
  #operatorRef(): number {
    const pdp = this.#hasPdp;
    const name = this.#part(this.#opName);
    const mcc = this.#countryMcc.kind !== NONE ? this.#part(this.#countryMcc) : pdp ? this.#part(this.#pdpMcc) : 0;
    const mnc = this.#detailMnc.kind !== NONE ? this.#part(this.#detailMnc) : pdp ? this.#part(this.#pdpMnc) : 0;
    const iso = this.#part(this.#iso);
    if (name < 0 || mcc < 0 || mnc < 0 || iso < 0) return -1;
    if (name === 0 && mcc === 0 && mnc === 0 && iso === 0) return NULL_REF;
    let table = this.#opTable;
    let slots = table.length / 5;
    let slot = (Math.imul(name, 0x9e3779b1) ^ Math.imul(mcc, 0x85ebca6b) ^ Math.imul(mnc, 0xc2b2ae35) ^ Math.imul(iso, 0x27d4eb2f)) & (slots - 1);
    for (;;) {
      const o = slot * 5;
      const ref = table[o] as number;
      if (ref === 0) break;
      if (table[o + 1] === name && table[o + 2] === mcc && table[o + 3] === mnc && table[o + 4] === iso) return ref;
      slot = (slot + 1) & (slots - 1);
    }
    const parts = this.#parts;
    const ref = this.#pool.internOperator({ name: parts.get(name), mcc: parts.get(mcc), mnc: parts.get(mnc), country: parts.get(iso) });
    if (this.#opCount * 2 >= slots) {
      this.#growOperators();
      table = this.#opTable;
      slots = table.length / 5;
      slot = (Math.imul(name, 0x9e3779b1) ^ Math.imul(mcc, 0x85ebca6b) ^ Math.imul(mnc, 0xc2b2ae35) ^ Math.imul(iso, 0x27d4eb2f)) & (slots - 1);
      while (table[slot * 5] !== 0) slot = (slot + 1) & (slots - 1);
    }
    const o = slot * 5;
    table[o] = ref;
    table[o + 1] = name;
    table[o + 2] = mcc;
    table[o + 3] = mnc;
    table[o + 4] = iso;
    this.#opCount++;
    return ref;
  }

  #growOperators(): void {
    const old = this.#opTable;
    const slots = (old.length / 5) * 2;
    const table = new Int32Array(slots * 5);
    for (let o = 0; o < old.length; o += 5) {
      if (old[o] === 0) continue;
      const name = old[o + 1] as number;
      const mcc = old[o + 2] as number;
      const mnc = old[o + 3] as number;
      const iso = old[o + 4] as number;
      let slot = (Math.imul(name, 0x9e3779b1) ^ Math.imul(mcc, 0x85ebca6b) ^ Math.imul(mnc, 0xc2b2ae35) ^ Math.imul(iso, 0x27d4eb2f)) & (slots - 1);
      while (table[slot * 5] !== 0) slot = (slot + 1) & (slots - 1);
      table.set(old.subarray(o, o + 5), slot * 5);
    }
    this.#opTable = table;
  }

  #hasHigh(v: Span): boolean {
    const b = this.#b;
    for (let i = v.s; i < v.e; i++) if ((b[i] as number) >= 0x80) return true;
    return false;
  }

  /** `description.trimStart().toLowerCase().startsWith(prefix)` for an ASCII string (or none: ''). */
  #startsWith(v: Span, prefix: Uint8Array): boolean {
    if (v.kind === NONE) return prefix.length === 0;
    const b = this.#b;
    let p = v.s;
    // Raw control characters are invalid in JSON strings, so the only ASCII white space here is ' '.
    while (p < v.e && b[p] === 0x20) p++;
    if (v.e - p < prefix.length) return false;
    for (let i = 0; i < prefix.length; i++) {
      let c = b[p + i] as number;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      if (c !== prefix[i]) return false;
    }
    return true;
  }

  /** `/needle/i.test(text)` for an ASCII string and a lower-case ASCII needle. */
  #contains(v: Span, needle: Uint8Array): boolean {
    if (v.kind === NONE) return false;
    const b = this.#b;
    const last = v.e - needle.length;
    outer: for (let p = v.s; p <= last; p++) {
      for (let i = 0; i < needle.length; i++) {
        let c = b[p + i] as number;
        if (c >= 0x41 && c <= 0x5a) c |= 0x20;
        if (c !== needle[i]) continue outer;
      }
      return true;
    }
    return false;
  }

  #asciiText(v: Span): string {
    if (v.kind === NONE) return '';
    let out = '';
    for (let i = v.s; i < v.e; i++) out += String.fromCharCode(this.#b[i] as number);
    return out;
  }

  // ---------------------------------------------------------------- scanning

  #ws(p: number): number {
    const b = this.#b;
    const end = this.#end;
    while (p < end && JSON_WS[b[p] as number] === 1) p++;
    return p;
  }

  /**
   * Scans a string whose opening quote is at p - 1; returns the closing quote's index or -1. Sets #flags.
   * Four bytes at a time while none of them is a quote, a backslash, a control character or
   * non-ASCII (exact SWAR tests, so a word that passes has none); then byte by byte up to the
   * special byte. Words are read only inside [p, end): never past the line.
   */
  #string(p: number): number {
    const b = this.#b;
    const v = this.#view;
    const end = this.#end;
    let flags = 0;
    for (;;) {
      while (p + 4 <= end) {
        const x = v.getInt32(p, true);
        const q = x ^ 0x22222222;
        const e = x ^ 0x5c5c5c5c;
        // zero byte in q (quote) | zero byte in e (backslash) | byte < 0x20 | byte ≥ 0x80
        if ((((q - 0x01010101) & ~q) | ((e - 0x01010101) & ~e) | ((x - 0x20202020) & ~x) | x) & 0x80808080) break;
        p += 4;
      }
      let x = b[p] as number;
      while (x !== 0x22 && x !== 0x5c && x >= 0x20 && x < 0x80) x = b[++p] as number;
      if (p >= end) return -1;
      const c = STRING_CLASS[x] as number;
      if (c === S_QUOTE) break;
      if (c === S_HIGH) {
        // Validated here, in skipped values too: bytes that are not UTF-8 make the line
        // fall back, and the full decoder rejects it (`invalid_utf8`).
        flags |= 2;
        const n = utf8SequenceLength(b, p, end);
        if (n === 0) return -1;
        p += n;
      } else if (c === S_ESCAPE) {
        flags |= 1;
        const e = b[p + 1] as number;
        if (p + 1 >= end || ESCAPABLE[e] !== 1) return -1;
        if (e === 0x75) {
          if (p + 5 >= end) return -1;
          for (let i = 2; i < 6; i++) if (HEX[b[p + i] as number] !== 1) return -1;
          p += 6;
        } else p += 2;
      } else return -1; // control character
    }
    this.#flags = flags;
    return p;
  }

  /**
   * Scans a number at p; returns the index after it or -1 (invalid). Sets #num to its
   * value when it is a plain non-negative integer of at most 15 digits, else NaN.
   */
  #number(p: number): number {
    const b = this.#b;
    const end = this.#end;
    const start = p;
    let plain = true;
    if (b[p] === 0x2d) {
      plain = false;
      p++;
    }
    let c = b[p] as number;
    if (p >= end || c < 0x30 || c > 0x39) return -1;
    let value = 0;
    if (c === 0x30) {
      p++;
    } else {
      while (p < end && c >= 0x30 && c <= 0x39) {
        value = value * 10 + (c - 0x30);
        c = b[++p] as number;
      }
    }
    if (p - start > MAX_SAFE_DIGITS) plain = false;
    if (p < end && b[p] === 0x2e) {
      plain = false;
      p++;
      c = b[p] as number;
      if (p >= end || c < 0x30 || c > 0x39) return -1;
      while (p < end && (b[p] as number) >= 0x30 && (b[p] as number) <= 0x39) p++;
    }
    c = b[p] as number;
    if (p < end && (c === 0x65 || c === 0x45)) {
      plain = false;
      p++;
      c = b[p] as number;
      if (c === 0x2b || c === 0x2d) c = b[++p] as number;
      if (p >= end || c < 0x30 || c > 0x39) return -1;
      while (p < end && (b[p] as number) >= 0x30 && (b[p] as number) <= 0x39) p++;
    }
    this.#num = plain ? value : Number.NaN;
    return p;
  }

  #literal(p: number): number {
    const b = this.#b;
    const c = b[p];
    if (c === 0x74) return b[p + 1] === 0x72 && b[p + 2] === 0x75 && b[p + 3] === 0x65 && p + 4 <= this.#end ? p + 4 : -1;
    if (c === 0x66) {
      return b[p + 1] === 0x61 && b[p + 2] === 0x6c && b[p + 3] === 0x73 && b[p + 4] === 0x65 && p + 5 <= this.#end ? p + 5 : -1;
    }
    if (c === 0x6e) return b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c && p + 4 <= this.#end ? p + 4 : -1;
    return -1;
  }

  #isNull(p: number): boolean {
    const b = this.#b;
    return b[p] === 0x6e && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c && p + 4 <= this.#end;
  }

  /**
   * Validates and skips any JSON value at p, without recursion: containers are followed
   * with an explicit stack of their kinds, so a subtree nobody reads costs one flat loop.
   * White space (all of it ≤ 0x20) is tested for before the white-space loop is called.
   */
  #skip(p: number, depth: number): number {
    const b = this.#b;
    const end = this.#end;
    if (p >= end) return -1;
    let c = b[p] as number;
    if (c === 0x22) {
      const q = this.#string(p + 1);
      return q < 0 ? -1 : q + 1;
    }
    if (c !== 0x7b && c !== 0x5b) return c === 0x2d || (c >= 0x30 && c <= 0x39) ? this.#number(p) : this.#literal(p);
    const stack = this.#stack;
    const base = depth;
    for (;;) {
      // A value at p (white space skipped), p < end.
      if (c === 0x7b || c === 0x5b) {
        if (++depth > MAX_DEPTH) return -1;
        const object: boolean = c === 0x7b;
        stack[depth] = object ? 1 : 0;
        c = b[++p] as number;
        if (c <= 0x20) {
          p = this.#ws(p);
          c = b[p] as number;
        }
        if (p >= end) return -1;
        if (c === (object ? 0x7d : 0x5d)) {
          p++;
          depth--;
        } else if (object) {
          p = this.#skipKey(p);
          if (p < 0) return -1;
          c = b[p] as number;
          continue;
        } else continue;
      } else if (c === 0x22) {
        p = this.#string(p + 1);
        if (p < 0) return -1;
        p++;
      } else {
        p = c === 0x2d || (c >= 0x30 && c <= 0x39) ? this.#number(p) : this.#literal(p);
        if (p < 0) return -1;
      }
      // After a value: close containers until one goes on with a comma.
      for (;;) {
        if (depth === base) return p;
        c = b[p] as number;
        if (c <= 0x20) {
          p = this.#ws(p);
          c = b[p] as number;
        }
        if (p >= end) return -1;
        const object: boolean = stack[depth] === 1;
        if (c === 0x2c) {
          c = b[++p] as number;
          if (c <= 0x20) {
            p = this.#ws(p);
            c = b[p] as number;
          }
          if (object) {
            p = this.#skipKey(p);
            if (p < 0) return -1;
            c = b[p] as number;
          }
          if (p >= end) return -1;
          break;
        }
        if (c !== (object ? 0x7d : 0x5d)) return -1;
        p++;
        depth--;
      }
    }
  }

  /** A key of a skipped object at p (its quote) and its colon: returns the value's index (white space skipped) or -1. */
  #skipKey(p: number): number {
    const b = this.#b;
    const end = this.#end;
    if (b[p] !== 0x22 || p >= end) return -1;
    p = this.#string(p + 1);
    if (p < 0) return -1;
    let c = b[++p] as number;
    if (c <= 0x20) {
      p = this.#ws(p);
      c = b[p] as number;
    }
    if (c !== 0x3a || p >= end) return -1;
    c = b[++p] as number;
    if (c <= 0x20) p = this.#ws(p);
    return p < end ? p : -1;
  }

  /**
   * Scans an object at p (its `{`). Keys in `known` are handed to #field(which, index,
   * valuePos) which returns the index after the value (or -1); other keys' values are
   * skipped. A known key twice, an escaped key, or `__proto__` falls back.
   */
  #object(p: number, depth: number, known: KeySet, which: number): number {
    if (depth > MAX_DEPTH) return -1;
    const b = this.#b;
    const view = this.#view;
    const end = this.#end;
    let c = b[++p] as number;
    if (c <= 0x20) {
      p = this.#ws(p);
      c = b[p] as number;
    }
    if (p >= end) return -1;
    if (c === 0x7d) {
      this.#seen = 0;
      return p + 1;
    }
    let seen = 0;
    const predicted = this.#predicted;
    const slots = which * PREDICTED_KEYS;
    let ordinal = 0;
    for (;;) {
      if (c !== 0x22) return -1;
      const ks = p + 1;
      // Records of one export have their keys in one order: try the key the last record had here first.
      const slot = slots + (ordinal++ & (PREDICTED_KEYS - 1));
      let index = predicted[slot] as number;
      let ke = index >= 0 ? keyAt(view, b, ks, end, known, index) : -1;
      if (ke < 0) {
        ke = this.#string(ks);
        if (ke < 0 || this.#flags & 1) return -1;
        index = findKey(view, b, ks, ke, known);
        if (index < 0 && ke - ks === 9 && sameBytes(b, ks, PROTO)) return -1;
        predicted[slot] = index;
      }
      p = ke + 1;
      c = b[p] as number;
      if (c <= 0x20) {
        p = this.#ws(p);
        c = b[p] as number;
      }
      if (c !== 0x3a || p >= end) return -1;
      c = b[++p] as number;
      if (c <= 0x20) p = this.#ws(p);
      if (index >= 0) {
        const bit = 1 << index;
        if (seen & bit) return -1;
        seen |= bit;
        this.#seen = seen;
        p = this.#field(which, index, p, depth);
      } else {
        p = this.#skip(p, depth);
      }
      if (p < 0) return -1;
      c = b[p] as number;
      if (c <= 0x20) {
        p = this.#ws(p);
        c = b[p] as number;
      }
      if (p >= end) return -1;
      if (c === 0x2c) {
        c = b[++p] as number;
        if (c <= 0x20) {
          p = this.#ws(p);
          c = b[p] as number;
        }
        continue;
      }
      if (c === 0x7d) {
        this.#seen = seen;
        return p + 1;
      }
      return -1;
    }
  }

  /** The record's object at p (its `{`), with its required keys: id, timestamp, event_type. */
  #top(p: number): number {
    const q = this.#object(p, 1, TOP_KEYS, W_TOP);
    return q >= 0 && (this.#seen & REQUIRED_TOP) === REQUIRED_TOP ? q : -1;
  }

  /** Reads the value of known key `index` of object kind `which` at p. */
  #field(which: number, index: number, p: number, depth: number): number {
    switch (which) {
      case W_TOP:
        return this.#topField(index, p, depth);
      case W_TYPE:
        if (index === 0) {
          p = this.#plainInteger(p);
          if (p < 0) return -1;
          const id = this.#num;
          if (!(id <= MAX_PLANNED_TYPE_ID) || PLAN_RULE[id] === 0) return -1; // unknown type: fall back
          this.#typeId = id;
          return p;
        }
        return this.#looseString(p, depth, this.#typeDescription);
      case W_CODE:
        return this.#plainInteger(p);
      case W_ORGANISATION:
        if (index === 0) {
          p = this.#plainInteger(p);
          this.#organisationId = this.#num;
          return p;
        }
        return this.#stringOrNull(p, null);
      case W_ENDPOINT:
        if (index === 0) {
          p = this.#plainInteger(p);
          this.#endpointId = this.#num;
          return p;
        }
        // The name: a plain string is kept; an escaped one, or any other type, falls back.
        if (index === 1) return this.#stringOrNull(p, this.#name);
        if (index === 2) return this.#identifier(p, this.#imei);
        return this.#stringOrNull(p, this.#ip);
      case W_SIM:
        if (index === 0) {
          p = this.#optionalInteger(p);
          this.#simId = this.#num;
          return p;
        }
        return this.#identifier(p, index === 1 ? this.#iccid : null);
      case W_IMSI:
        if (index === 0) return this.#optionalInteger(p);
        return this.#identifier(p, this.#imsi);
      case W_USER:
        if (index === 0) return this.#optionalInteger(p);
        return this.#stringOrNull(p, null);
      case W_DETAIL:
        this.#operatorKeys = true;
        if (index === 0) return this.#looseString(p, depth, this.#opName);
        if (index === 1) {
          if (this.#b[p] === 0x7b) return this.#object(p, depth + 1, COUNTRY_KEYS, W_COUNTRY);
          return this.#skip(p, depth);
        }
        if (index === 2) {
          if (this.#b[p] === 0x5b) return this.#mncArray(p, depth + 1);
          return this.#looseCode(p, depth, this.#detailMnc);
        }
        if (this.#b[p] === 0x7b) {
          this.#hasPdp = true;
          return this.#object(p, depth + 1, PDP_KEYS, W_PDP);
        }
        return this.#skip(p, depth);
      case W_COUNTRY:
        if (index === 0) return this.#looseCode(p, depth, this.#countryMcc);
        return this.#looseString(p, depth, this.#iso);
      case W_MNC_ITEM:
        return this.#looseCode(p, depth, this.#detailMnc);
      case W_PDP:
        if (index === 0) return this.#looseString(p, depth, this.#apn);
        if (index === 1) return this.#ratType(p, depth);
        return this.#looseCode(p, depth, index === 2 ? this.#pdpMcc : this.#pdpMnc);
      default:
        return -1;
    }
  }

  #topField(index: number, p: number, depth: number): number {
    const b = this.#b;
    switch (index) {
      case K_ID:
        return this.#eventId(p);
      case K_TIMESTAMP: {
        if (b[p] !== 0x22) return -1;
        const q = this.#string(p + 1);
        if (q < 0 || this.#flags !== 0) return -1;
        this.#at = timestampBytes(b, p + 1, q);
        return Number.isNaN(this.#at) ? -1 : q + 1;
      }
      case K_EVENT_TYPE:
        if (b[p] !== 0x7b) return -1;
        p = this.#object(p, depth + 1, TYPE_KEYS, W_TYPE);
        return p >= 0 && (this.#seen & 1) !== 0 ? p : -1;
      case K_DESCRIPTION:
        return this.#stringOrNullAllowEscapes(p, this.#description);
      case K_ALERT: {
        const c = b[p];
        if (c === 0x30 || c === 0x31) {
          const q = this.#number(p);
          return q === p + 1 ? q : -1;
        }
        if (c === 0x74 || c === 0x66 || c === 0x6e) return this.#literal(p);
        return -1;
      }
      case K_EVENT_SOURCE:
      case K_EVENT_SEVERITY:
        return this.#optionalObject(p, depth, CODE_KEYS, W_CODE, true);
      case K_ORGANISATION:
        return this.#optionalObject(p, depth, ORGANISATION_KEYS, W_ORGANISATION, true);
      case K_ENDPOINT:
        return this.#optionalObject(p, depth, ENDPOINT_KEYS, W_ENDPOINT, true);
      case K_SIM:
        return this.#optionalObject(p, depth, SIM_KEYS, W_SIM, false);
      case K_IMSI:
        return this.#optionalObject(p, depth, IMSI_KEYS, W_IMSI, false);
      case K_USER:
        return this.#optionalObject(p, depth, USER_KEYS, W_USER, false);
      case K_DETAIL: {
        if (b[p] === 0x7b) {
          return this.#object(p, depth + 1, DETAIL_KEYS, W_DETAIL);
        }
        if (this.#isNull(p)) return p + 4;
        return -1; // a string detail (or a wrong type): the full decoder decides
      }
      default:
        return -1;
    }
  }

  /** `null`, or an object whose `id` (when `idRequired`) is present. */
  #optionalObject(p: number, depth: number, known: KeySet, which: number, idRequired: boolean): number {
    if (this.#isNull(p)) return p + 4;
    if (this.#b[p] !== 0x7b) return -1;
    const q = this.#object(p, depth + 1, known, which);
    if (q < 0) return -1;
    if (idRequired && (this.#seen & 1) === 0) return -1;
    return q;
  }

  /** The event id: plain digits, exact into hi/lo u32, at most 2^64 − 1. */
  #eventId(p: number): number {
    const b = this.#b;
    const end = this.#end;
    let c = b[p] as number;
    if (c < 0x30 || c > 0x39 || p >= end) return -1;
    if (c === 0x30) {
      this.#idHi = 0;
      this.#idLo = 0;
      p++;
    } else {
      // Up to 15 digits the value is an exact double: one multiply-add a digit, split once.
      let v = 0;
      const stop = Math.min(end, p + MAX_SAFE_DIGITS);
      while (p < stop && c >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30);
        c = b[++p] as number;
      }
      let hi = Math.floor(v / 4294967296);
      let lo = v - hi * 4294967296;
      while (p < end && c >= 0x30 && c <= 0x39) {
        const l = lo * 10 + (c - 0x30);
        const carry = Math.floor(l / 4294967296);
        lo = l - carry * 4294967296;
        hi = hi * 10 + carry;
        if (hi > 0xffffffff) return -1;
        c = b[++p] as number;
      }
      this.#idHi = hi;
      this.#idLo = lo;
    }
    c = b[p] as number;
    if (p < end && (c === 0x2e || c === 0x65 || c === 0x45 || (c >= 0x30 && c <= 0x39))) return -1;
    return p;
  }

  /** A required integer id: plain digits (at most 15). Sets #num. */
  #plainInteger(p: number): number {
    const c = this.#b[p] as number;
    if (c < 0x30 || c > 0x39) return -1;
    const q = this.#number(p);
    return q < 0 || Number.isNaN(this.#num) ? -1 : q;
  }

  /** An optional integer id: null (NaN) or plain digits. Sets #num. */
  #optionalInteger(p: number): number {
    if (this.#isNull(p)) {
      this.#num = Number.NaN;
      return p + 4;
    }
    return this.#plainInteger(p);
  }

  /** A string or null (anything else falls back); kept in `into` when given (no escapes then). */
  #stringOrNull(p: number, into: Span | null): number {
    if (this.#isNull(p)) return p + 4;
    if (this.#b[p] !== 0x22) return -1;
    const q = this.#string(p + 1);
    if (q < 0) return -1;
    if (into !== null) {
      if (this.#flags & 1) return -1;
      into.s = p + 1;
      into.e = q;
      into.kind = PLAIN;
    }
    return q + 1;
  }

  /** Like #stringOrNull but remembers escapes instead of falling back (read later only if needed). */
  #stringOrNullAllowEscapes(p: number, into: Span): number {
    if (this.#isNull(p)) return p + 4;
    if (this.#b[p] !== 0x22) return -1;
    const q = this.#string(p + 1);
    if (q < 0) return -1;
    into.s = p + 1;
    into.e = q;
    into.kind = this.#flags & 1 ? ESCAPED : PLAIN;
    return q + 1;
  }

  /** An identifier: string, null or plain digits (its text is its digits). */
  #identifier(p: number, into: Span | null): number {
    const c = this.#b[p] as number;
    if (c >= 0x30 && c <= 0x39) {
      const q = this.#number(p);
      if (q < 0) return -1;
      // Beyond 15 digits #num is NaN but the literal is still exact digits, unless it has a fraction or exponent.
      if (!isDigits(this.#b, p, q)) return -1;
      if (into !== null) {
        into.s = p;
        into.e = q;
        into.kind = PLAIN;
      }
      return q;
    }
    return this.#stringOrNull(p, into);
  }

  /** looseString: a string is kept (no escapes), anything else is null (validated and skipped). */
  #looseString(p: number, depth: number, into: Span): number {
    if (this.#b[p] === 0x22) {
      const q = this.#string(p + 1);
      if (q < 0) return -1;
      into.s = p + 1;
      into.e = q;
      into.kind = this.#flags & 1 ? ESCAPED : PLAIN;
      if (into.kind === ESCAPED && into !== this.#typeDescription) return -1;
      return q + 1;
    }
    into.kind = NONE;
    return this.#skip(p, depth);
  }

  /** looseCode: a string or plain digits are kept; null, booleans, objects, arrays are null; other numbers fall back. */
  #looseCode(p: number, depth: number, into: Span): number {
    const c = this.#b[p] as number;
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const q = this.#number(p);
      if (q < 0 || !isDigits(this.#b, p, q) || q - p > MAX_SAFE_DIGITS) return -1;
      into.s = p;
      into.e = q;
      into.kind = PLAIN;
      return q;
    }
    return this.#looseString(p, depth, into);
  }

  /** `rat_type`: plain digits ≤ 32767; null, booleans, objects, arrays are none; anything else falls back. */
  #ratType(p: number, depth: number): number {
    const c = this.#b[p] as number;
    if (c === 0x22) return -1;
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const q = this.#number(p);
      const v = this.#num;
      if (q < 0 || !(v <= 0x7fff)) return -1;
      this.#rat = v;
      return q;
    }
    this.#rat = NO_RAT_TYPE;
    return this.#skip(p, depth);
  }

  /** `mnc: [{ "mnc": … }, …]`: the first item's `mnc` when the first item is an object. */
  #mncArray(p: number, depth: number): number {
    if (depth > MAX_DEPTH) return -1;
    const b = this.#b;
    p = this.#ws(p + 1);
    if (b[p] === 0x5d && p < this.#end) return p + 1;
    let first = true;
    for (;;) {
      if (first && b[p] === 0x7b) p = this.#object(p, depth + 1, MNC_ITEM_KEYS, W_MNC_ITEM);
      else p = this.#skip(p, depth);
      first = false;
      if (p < 0) return -1;
      p = this.#ws(p);
      if (p >= this.#end) return -1;
      const c = b[p];
      if (c === 0x5d) return p + 1;
      if (c !== 0x2c) return -1;
      p = this.#ws(p + 1);
    }
  }
}

// Object kinds for #field.
const W_TOP = 0;
const W_TYPE = 1;
const W_CODE = 2;
const W_ORGANISATION = 3;
const W_ENDPOINT = 4;
const W_SIM = 5;
const W_IMSI = 6;
const W_USER = 7;
const W_DETAIL = 8;
const W_COUNTRY = 9;
const W_MNC_ITEM = 10;
const W_PDP = 11;

function sameBytes(b: Uint8Array, s: number, key: Uint8Array): boolean {
  for (let i = 0; i < key.length; i++) if (b[s + i] !== key[i]) return false;
  return true;
}

function isDigits(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i] as number;
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** What `text.trim() === ''` says for an ASCII line (non-ASCII is left to the full path). */
function isBlank(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i] as number;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0b && c !== 0x0c && c !== 0x0d) return false;
  }
  return true;
}
