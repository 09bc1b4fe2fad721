import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REJECTION_REASON_CODES } from '../../src/catalog/rejectionReasons.js';
import { formatTimestamp, writeTimestamp } from '../../src/decode/timestamp.js';
import {
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
} from '../../src/fleet/deviceRecord.js';
import { FleetStore } from '../../src/fleet/FleetStore.js';
import { NO_RAT_TYPE, NO_REJECTION_REASON } from '../../src/reducer/EventColumns.js';
import { ENDPOINT_LINE_ROOM, EndpointLineWriter } from '../../src/snapshot/endpointLines.js';
import { endpointJsonText } from '../../src/snapshot/endpointJson.js';

const utf8 = new TextDecoder('utf-8');

// Strings JSON must escape (quotes, backslashes, control characters, lone surrogates), the
// empty string, non-ASCII, and strings past the byte path's bound (2048).
const tricky = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '"', '\\', '\u0000\u001f', '\ud800', 'ä\u2028"', '8988303000005733850', 'a'.repeat(2048), 'é'.repeat(1100), 'x'.repeat(2049)),
);
const str = fc.option(tricky, { nil: null });
const instant = fc.oneof(fc.constant(Number.NaN), fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.double({ min: -1e13, max: 1e13, noNaN: true }));
const maybeNumber = fc.oneof(fc.constant(Number.NaN), fc.maxSafeInteger(), fc.integer(), fc.double(), fc.constant(-0), fc.constant(2 ** 60));

const device = fc.record({
  id: fc.oneof(fc.maxSafeNat(), fc.double({ min: 0, max: 2 ** 64 }), fc.constant(-0)),
  since: instant,
  lastAt: instant,
  hi: fc.oneof(fc.integer({ min: 0, max: 0x1fffff }), fc.integer({ min: 0, max: 0xffffffff })),
  lo: fc.integer({ min: 0, max: 0xffffffff }),
  simId: maybeNumber,
  organisation: fc.option(fc.record({ id: maybeNumber.filter((v) => !Number.isNaN(v)), state: fc.nat(8) }), { nil: null }),
  state: fc.nat(1 << 16),
  ratType: fc.oneof(fc.constant(NO_RAT_TYPE), fc.integer({ min: 0, max: 0x7fff })),
  reason: fc.oneof(fc.constant(NO_REJECTION_REASON), fc.nat(REJECTION_REASON_CODES.length - 1)),
  counts: fc.tuple(fc.nat(), fc.nat(), fc.nat()),
  iccid: str,
  imsi: str,
  imei: str,
  ip: str,
  apn: str,
  name: str,
  operator: fc.option(fc.record({ name: str, mcc: str, mnc: str, country: str }), { nil: null }),
});

describe('EndpointLineWriter', () => {
  it('writes the bytes of endpointJsonText(fleet.readDevice(d)) for any record, or defers a device with a long string', () => {
    fc.assert(
      fc.property(fc.array(device, { minLength: 1, maxLength: 12 }), (devices) => {
        const fleet = new FleetStore();
        const pool = fleet.pool;
        const states = fleet.compiled.product.codes[0]!.length;
        const written: number[] = [];
        devices.forEach((spec) => {
          const d = fleet.deviceIndex(spec.id);
          const f = d * RECORD_F64;
          const u = d * RECORD_U32;
          fleet.f64[f + F_SINCE] = spec.since;
          fleet.f64[f + F_LAST_AT] = spec.lastAt;
          fleet.f64[f + F_SIM_ID] = spec.simId;
          fleet.u32[u + U_LAST_HI] = spec.hi;
          fleet.u32[u + U_LAST_LO] = spec.lo;
          fleet.u32[u + U_STATE] = spec.state % states;
          fleet.i32[u + I_RAT_TYPE] = spec.ratType;
          fleet.u32[u + U_REJECTION_REASON] = spec.reason;
          [fleet.u32[u + U_ATTACHES], fleet.u32[u + U_SESSIONS], fleet.u32[u + U_REJECTIONS]] = spec.counts;
          fleet.u32[u + U_ICCID] = pool.intern(spec.iccid);
          fleet.u32[u + U_IMSI] = pool.intern(spec.imsi);
          fleet.u32[u + U_IMEI] = pool.intern(spec.imei);
          fleet.u32[u + U_IP_ADDRESS] = pool.intern(spec.ip);
          fleet.u32[u + U_APN] = pool.intern(spec.apn);
          fleet.u32[u + U_NAME] = pool.intern(spec.name);
          fleet.u32[u + U_OPERATOR] = pool.internOperator(spec.operator);
          if (spec.organisation === null) fleet.i32[u + I_ORGANISATION_INDEX] = -1;
          else {
            const o = fleet.organisationIndexOf(spec.organisation.id);
            fleet.i32[u + I_ORGANISATION_INDEX] = o;
            fleet.organisationState[o] = spec.organisation.state % 2 === 0 ? fleet.compiled.organisationBlockedState : 0;
          }
          written.push(d);
        });
        const lines = new EndpointLineWriter(fleet);
        const out = new Uint8Array(ENDPOINT_LINE_ROOM + 16);
        for (const d of written) {
          const expected = endpointJsonText(fleet.readDevice(d));
          const end = lines.write(d, out, 8);
          if (end < 0) {
            const s = fleet.readDevice(d);
            const strings = [s.iccid, s.imsi, s.imei, s.ipAddress, s.apn, s.name];
            expect(strings.some((v) => v !== null && v.length > 2048)).toBe(true);
          } else expect(utf8.decode(out.subarray(8, end))).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('writeTimestamp', () => {
  it('writes formatTimestamp(ms) in years 0000–9999 and declines the rest', () => {
    const out = new Uint8Array(40);
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.double({ min: -1e14, max: 1e14, noNaN: true })), (ms) => {
        const end = writeTimestamp(out, 3, ms);
        const text = formatTimestamp(ms);
        if (end < 0) expect(Number.isInteger(ms) && /^\d{4}-/.test(text)).toBe(false);
        else expect(utf8.decode(out.subarray(3, end))).toBe(text);
      }),
      { numRuns: 2000 },
    );
    expect(writeTimestamp(out, 0, 1635323882000)).toBe(24);
    expect(utf8.decode(out.subarray(0, 24))).toBe('2021-10-27T08:38:02.000Z');
  });
});
