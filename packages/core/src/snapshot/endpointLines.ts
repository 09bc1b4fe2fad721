/**
 * Snapshot lines written as bytes straight from the fleet's device records: the same bytes
 * as `endpointJsonText(fleet.readDevice(d))`, without the `EndpointState` object, the JS
 * strings of its ICCID, IMSI, IMEI, address, APN and name, the line's string and its UTF-8
 * encoding. A snapshot writes one line per endpoint, so at 100k–1M endpoints that per-line
 * garbage was most of the time spent after the last event was applied.
 *
 * Why it gives the same bytes: every part that depends on the region states only (status,
 * connectivity, SIM and endpoint status, block, quotas, thresholds) is written from a
 * fragment made once per (product code, organisation blocked) by `endpointJsonText` itself;
 * operators once per reference by its own operator writer; pool strings are their stored UTF-8 bytes when
 * they need no JSON escape (else `JSON.stringify`, as `endpointJsonText` does); integers
 * are digit loops for the safe range (else `String`), instants the same calendar arithmetic
 * as `formatTimestamp` in its four-digit-year range (else `formatTimestamp`). A property test
 * holds the two equal on arbitrary records.
 */
import { formatTimestamp, writeTimestamp } from '../decode/timestamp.js';
import {
  F_ID,
  F_LAST_AT,
  F_SIM_ID,
  F_SINCE,
  I_ORGANISATION_INDEX,
  I_RAT_TYPE,
  RECORD_F64,
  RECORD_U32,
  U_APN,
  U_ATTACHES,
  U_ICCID,
  U_IMEI,
  U_IMSI,
  U_IP_ADDRESS,
  U_LAST_HI,
  U_LAST_LO,
  U_NAME,
  U_OPERATOR,
  U_REJECTION_REASON,
  U_REJECTIONS,
  U_SESSIONS,
  U_STATE,
} from '../fleet/deviceRecord.js';
import type { FleetStore } from '../fleet/FleetStore.js';
import { endpointJsonText, operatorJsonText } from './endpointJson.js';

const encoder = new TextEncoder();
const bytesOf = (text: string): Uint8Array => encoder.encode(text);

/**
 * Longest pool string (in bytes, or UTF-16 units when escaped) the byte path writes; a device
 * with a longer one is written by the text path instead.
 */
const MAX_STRING_BYTES = 2048;
/** Longest operator object the byte path writes. */
const MAX_OPERATOR_BYTES = 16_384;
/**
 * The room `write` asks for after its position: six strings at their worst escaping (6
 * bytes a unit: 74 KB), the operator (16 KB), the keys, numbers and instants (< 2 KB).
 */
export const ENDPOINT_LINE_ROOM = 128 * 1024;

/** The keys between the per-device values, as the contract orders them (docs/snapshot.md). */
const K_ENDPOINT = bytesOf('{"endpointId":');
const K_ORGANISATION = bytesOf(',"organisationId":');
const K_SIM_ID = bytesOf(',"simId":');
const K_ICCID = bytesOf(',"iccid":');
const K_IMSI = bytesOf(',"imsi":');
const K_IMEI = bytesOf(',"imei":');
const K_IP = bytesOf(',"ipAddress":');
const K_OPERATOR = bytesOf(',"operator":');
const K_LAST_ID = bytesOf(',"lastEventId":');
const K_LAST_AT = bytesOf(',"lastEventAt":');
const K_APN = bytesOf(',"apn":');
const K_ATTACHES = bytesOf(',"attaches":');
const K_SESSIONS = bytesOf(',"sessions":');
const K_REJECTIONS = bytesOf(',"rejections":');
const K_REASON = bytesOf(',"lastRejectionReason":');
const K_NAME = bytesOf(',"name":');
const NULL = bytesOf('null');
const END = 0x7d; // }

/** The state-only parts of a line, cut out of `endpointJsonText`'s own output. */
interface StateFragments {
  /** `,"status":…,"connectivity":…,"since":` */
  readonly head: Uint8Array;
  /** `,"simStatus":…,"smsQuota":…` (before `"organisationId"`). */
  readonly middle: Uint8Array;
  /** `,"dataQuotaThresholdReached":…,"ratType":` */
  readonly tail: Uint8Array;
}

/**
 * Writes a fleet's snapshot lines as bytes (see the module comment). Caches per state and
 * operator; make one per snapshot (the fleet must not change while it writes).
 *
 * @example
 * const lines = new EndpointLineWriter(fleet);
 * const at = lines.write(d, chunk, used); // -1: write endpointJsonText(fleet.readDevice(d)) instead
 */
export class EndpointLineWriter {
  readonly #fleet: FleetStore;
  readonly #states = new Map<number, StateFragments>();
  readonly #operators: (Uint8Array | undefined)[] = [];
  readonly #reasons: (Uint8Array | undefined)[] = [];

  constructor(fleet: FleetStore) {
    this.#fleet = fleet;
  }

  /**
   * Writes device `d`'s line (no separator, no newline) into `out` from `at`, which must have
   * `ENDPOINT_LINE_ROOM` bytes after it; returns the position after it, or -1 (nothing
   * meaningful written) when a string of the device is too long for the byte path.
   */
  write(d: number, out: Uint8Array, at: number): number {
    const fleet = this.#fleet;
    const pool = fleet.pool;
    const f64 = fleet.f64;
    const u32 = fleet.u32;
    const i32 = fleet.i32;
    const f = d * RECORD_F64;
    const u = d * RECORD_U32;
    const o = i32[u + I_ORGANISATION_INDEX] as number;
    const blocked = o >= 0 && fleet.organisationState[o] === fleet.compiled.organisationBlockedState;
    const code = u32[u + U_STATE] as number;
    const key = code * 2 + (blocked ? 1 : 0);
    let state = this.#states.get(key);
    if (state === undefined) {
      state = stateFragments(endpointJsonText(fleet.readDevice(d)));
      this.#states.set(key, state);
    }
    let p = put(out, at, K_ENDPOINT);
    p = writeNumber(out, p, f64[f + F_ID] as number);
    p = put(out, p, state.head);
    p = writeInstant(out, p, f64[f + F_SINCE] as number);
    p = put(out, p, state.middle);
    p = put(out, p, K_ORGANISATION);
    p = o < 0 ? put(out, p, NULL) : writeNumber(out, p, fleet.organisationIds[o] as number);
    p = put(out, p, K_SIM_ID);
    p = writeNumber(out, p, f64[f + F_SIM_ID] as number);
    p = this.#string(out, put(out, p, K_ICCID), u32[u + U_ICCID] as number);
    if (p < 0) return -1;
    p = this.#string(out, put(out, p, K_IMSI), u32[u + U_IMSI] as number);
    if (p < 0) return -1;
    p = this.#string(out, put(out, p, K_IMEI), u32[u + U_IMEI] as number);
    if (p < 0) return -1;
    p = this.#string(out, put(out, p, K_IP), u32[u + U_IP_ADDRESS] as number);
    if (p < 0) return -1;
    p = put(out, p, K_OPERATOR);
    const operator = u32[u + U_OPERATOR] as number;
    if (operator === 0) p = put(out, p, NULL);
    else {
      let bytes = this.#operators[operator];
      if (bytes === undefined) {
        bytes = bytesOf(operatorJsonText(pool.operator(operator)));
        if (bytes.length > MAX_OPERATOR_BYTES) return -1;
        this.#operators[operator] = bytes;
      }
      p = put(out, p, bytes);
    }
    const lastAt = f64[f + F_LAST_AT] as number;
    p = put(out, p, K_LAST_ID);
    p = Number.isNaN(lastAt) ? put(out, p, NULL) : writeU64(out, p, u32[u + U_LAST_HI] as number, u32[u + U_LAST_LO] as number);
    p = put(out, p, K_LAST_AT);
    p = writeInstant(out, p, lastAt);
    p = put(out, p, state.tail);
    const ratType = i32[u + I_RAT_TYPE] as number;
    p = ratType === -1 ? put(out, p, NULL) : writeNumber(out, p, ratType);
    p = this.#string(out, put(out, p, K_APN), u32[u + U_APN] as number);
    if (p < 0) return -1;
    p = writeNumber(out, put(out, p, K_ATTACHES), u32[u + U_ATTACHES] as number);
    p = writeNumber(out, put(out, p, K_SESSIONS), u32[u + U_SESSIONS] as number);
    p = writeNumber(out, put(out, p, K_REJECTIONS), u32[u + U_REJECTIONS] as number);
    p = put(out, p, K_REASON);
    p = put(out, p, this.#reason(d, u32[u + U_REJECTION_REASON] as number));
    p = this.#string(out, put(out, p, K_NAME), u32[u + U_NAME] as number);
    if (p < 0) return -1;
    out[p] = END;
    return p + 1;
  }

  /** `"reason"` or `null`, as `endpointJsonText` writes a rejection reason code. */
  #reason(d: number, code: number): Uint8Array {
    let bytes = this.#reasons[code];
    if (bytes === undefined) {
      const text = endpointJsonText(this.#fleet.readDevice(d));
      const from = text.indexOf(',"lastRejectionReason":') + ',"lastRejectionReason":'.length;
      bytes = bytesOf(text.slice(from, text.indexOf(',"name":', from)));
      this.#reasons[code] = bytes;
    }
    return bytes;
  }

  /** A pool string as JSON (its bytes when they need no escape), `null` for 0; -1 when too long. */
  #string(out: Uint8Array, at: number, ref: number): number {
    if (ref === 0) return put(out, at, NULL);
    const pool = this.#fleet.pool;
    out[at] = 0x22;
    const n = pool.copyUtf8(ref, out, at + 1, MAX_STRING_BYTES);
    if (n > 0) {
      const end = at + 1 + n;
      let plain = true;
      for (let i = at + 1; i < end; i++) {
        const b = out[i] as number;
        if (b < 0x20 || b === 0x22 || b === 0x5c) {
          plain = false;
          break;
        }
      }
      if (plain) {
        out[end] = 0x22;
        return end + 1;
      }
    }
    // Escapes, the empty string, a lone surrogate, or too long: the text path's own escaping.
    const value = pool.get(ref) ?? '';
    if (value.length > MAX_STRING_BYTES) return -1;
    const { written } = encoder.encodeInto(JSON.stringify(value), out.subarray(at));
    return at + written;
  }
}

/** Cuts the state-only fragments out of a line `endpointJsonText` wrote. */
function stateFragments(line: string): StateFragments {
  const between = (from: string, to: string): Uint8Array => {
    const a = line.indexOf(from);
    const b = line.indexOf(to, a + from.length);
    if (a < 0 || b < 0) throw new Error(`snapshot line without ${from} … ${to}`);
    return bytesOf(line.slice(a, b));
  };
  return {
    head: bytesOf(`${sliceFrom(line, ',"status":', ',"since":')},"since":`),
    middle: between(',"simStatus":', ',"organisationId":'),
    tail: bytesOf(`${sliceFrom(line, ',"dataQuotaThresholdReached":', ',"ratType":')},"ratType":`),
  };
}

/** `line` from `from` up to (not including) `to`. */
function sliceFrom(line: string, from: string, to: string): string {
  const a = line.indexOf(from);
  const b = line.indexOf(to, a);
  if (a < 0 || b < 0) throw new Error(`snapshot line without ${from} … ${to}`);
  return line.slice(a, b);
}

function put(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  // Keys are a few bytes: a loop is cheaper than `set`'s call.
  if (n <= 32) for (let i = 0; i < n; i++) out[at + i] = bytes[i] as number;
  else out.set(bytes, at);
  return at + n;
}

/** Writes ASCII text (numbers' and instants' fallbacks). */
function putAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/** A number as `endpointJsonText` writes it: NaN and non-finite → null, else `String(v)`. */
function writeNumber(out: Uint8Array, at: number, v: number): number {
  if (!Number.isFinite(v)) return put(out, at, NULL);
  if (Number.isSafeInteger(v) && v >= 0) return writeDigits(out, at, v);
  return putAscii(out, at, String(v));
}

/** The decimal digits of a safe non-negative integer. */
function writeDigits(out: Uint8Array, at: number, v: number): number {
  let n = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) n++;
  let q = v;
  for (let i = at + n - 1; i >= at; i--) {
    const next = Math.floor(q / 10);
    out[i] = 0x30 + (q - next * 10);
    q = next;
  }
  return at + n;
}

/** A 64-bit unsigned id from its halves (exact as a double below 2^53). */
function writeU64(out: Uint8Array, at: number, hi: number, lo: number): number {
  if (hi < 0x200000) return writeDigits(out, at, hi * 0x1_0000_0000 + lo);
  return putAscii(out, at, ((BigInt(hi) << 32n) | BigInt(lo)).toString());
}

/** An instant as `"YYYY-MM-DDTHH:mm:ss.SSSZ"` (`formatTimestamp`), or null for NaN. */
function writeInstant(out: Uint8Array, at: number, ms: number): number {
  if (Number.isNaN(ms)) return put(out, at, NULL);
  out[at] = 0x22;
  let p = writeTimestamp(out, at + 1, ms);
  if (p < 0) p = putAscii(out, at + 1, formatTimestamp(ms));
  out[p] = 0x22;
  return p + 1;
}
