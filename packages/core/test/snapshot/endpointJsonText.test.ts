import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REJECTION_REASON_CODES } from '../../src/catalog/rejectionReasons.js';
import { stringifyJson } from '../../src/decode/stringifyJson.js';
import { ENDPOINT_STATUSES, type EndpointState } from '../../src/machine/endpointState.js';
import { endpointJson, endpointJsonText } from '../../src/snapshot/endpointJson.js';

// Strings that JSON must escape: quotes, backslashes, control characters, lone surrogates, U+2028.
const tricky = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('"', '\\', '\u0000\u001f', '\ud800', 'ä\u2028"'));
const str = fc.option(tricky, { nil: null });
const id = fc.option(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constant(0)), { nil: null });
const instant = fc.option(fc.integer({ min: -8.64e15, max: 8.64e15 }), { nil: null });
const count = fc.nat();

const state: fc.Arbitrary<EndpointState> = fc.record({
  endpointId: fc.maxSafeNat(),
  status: fc.constantFrom(...ENDPOINT_STATUSES),
  connectivity: fc.constantFrom('OFFLINE', 'ATTACHED', 'ONLINE'),
  since: instant,
  simStatus: fc.constantFrom('ISSUED', 'ACTIVATED', 'SUSPENDED', 'FACTORY_TEST', 'DELETED', null),
  endpointStatus: fc.constantFrom('ENABLED', 'DISABLED', null),
  blocked: fc.boolean(),
  dataQuota: fc.constantFrom('NONE', 'ACTIVE', 'EXHAUSTED', 'EXPIRED', null),
  dataQuotaThresholdReached: fc.boolean(),
  smsQuota: fc.constantFrom('NONE', 'ACTIVE', 'EXHAUSTED', null),
  smsQuotaThresholdReached: fc.boolean(),
  organisationId: id,
  simId: id,
  iccid: str,
  imsi: str,
  imei: str,
  ipAddress: str,
  name: str,
  operator: fc.option(fc.record({ name: str, mcc: str, mnc: str, country: str }), { nil: null }),
  ratType: fc.option(fc.integer({ min: 0, max: 0x7fff }), { nil: null }),
  apn: str,
  lastEventId: fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: null }),
  lastEventAt: instant,
  attaches: count,
  sessions: count,
  rejections: count,
  lastRejectionReason: fc.constantFrom(...REJECTION_REASON_CODES, null),
}) as fc.Arbitrary<EndpointState>;

describe('endpointJsonText', () => {
  it('is stringifyJson(endpointJson(state)), byte for byte, for any state', () => {
    fc.assert(
      fc.property(state, (s) => {
        const text = endpointJsonText(s);
        expect(text).toBe(stringifyJson(endpointJson(s)));
        expect(JSON.parse(text).endpointId).toBe(s.endpointId);
      }),
      { numRuns: 1000 },
    );
  });
});
