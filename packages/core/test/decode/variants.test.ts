/**
 * The messy real-record shapes real emnify streams show (docs/testing.md lists them), one test
 * per shape: each changes the base record in one way and checks what the model says.
 */
import { describe, expect, it } from 'vitest';
import { eventTypeById, eventTypeByKey } from '../../src/catalog/eventTypes.js';
import { classifyEvent } from '../../src/decode/classifyEvent.js';
import { decodeEvent } from '../../src/decode/decodeEvent.js';
import { decodeEventText } from '../../src/decode/decodeEventText.js';
import { baseRecord, err, ok, type Rec, text } from './support.js';

const id = (key: Parameters<typeof eventTypeByKey>[0]): number => eventTypeByKey(key).id;
const CREATE_PDP = id('createPdpContext');

/** Decodes a record both as a JSON value and as text, checks both agree, returns the event. */
function decodeBoth(record: Rec) {
  const fromValue = ok(decodeEvent(record));
  expect(ok(decodeEventText(text(record)))).toEqual(fromValue);
  return fromValue;
}

describe('nulls and missing parts', () => {
  it('accepts user, sim, imsi and detail as null, and endpoint.imei as null', () => {
    const r = baseRecord(CREATE_PDP);
    Object.assign(r, { user: null, sim: null, imsi: null, detail: null });
    (r['endpoint'] as Rec)['imei'] = null;
    const e = decodeBoth(r);
    expect([e.user, e.sim, e.imsi, e.detail, e.endpoint?.imei]).toEqual([null, null, null, null, null]);
  });

  it('accepts endpoint: null and a missing endpoint (org-level events)', () => {
    for (const endpoint of [null, undefined]) {
      const r = baseRecord(id('organisationBlocked'));
      if (endpoint === null) r['endpoint'] = null;
      else delete r['endpoint'];
      const e = decodeBoth(r);
      expect(e.endpoint).toBeNull();
      expect(classifyEvent(e)).toMatchObject({ type: 'ORGANISATION_BLOCKED', endpointId: null });
    }
  });

  it('accepts a missing organisation and a missing or null description', () => {
    const r = baseRecord(id('purgeLocation'));
    delete r['organisation'];
    delete r['description'];
    expect(decodeBoth(r)).toMatchObject({ organisation: null, description: '' });
    r['description'] = null;
    expect(decodeBoth(r).description).toBe('');
  });

  it('keeps the nulls emnify sends for rac, sac and end_date in the raw detail', () => {
    const e = decodeBoth(baseRecord(CREATE_PDP));
    const pdp = e.detail?.kind === 'operator' ? e.detail.pdpContext : null;
    expect(pdp?.raw).toMatchObject({ rac: null, sac: null });
  });

  it('accepts a SIM activation without an endpoint, and a SIM with an msisdn', () => {
    const r = baseRecord(id('simActivation'));
    delete r['endpoint'];
    delete r['detail'];
    (r['sim'] as Rec)['msisdn'] = '423663920000111';
    const e = decodeBoth(r);
    expect(e.sim?.msisdn).toBe('423663920000111');
    expect(classifyEvent(e)).toMatchObject({
      type: 'SIM_ACTIVATED',
      endpointId: null,
      observation: { iccid: '8988303000005733850', simId: 3577707 },
    });
  });
});

describe('detail as a JSON-encoded string', () => {
  it('keeps a string that is not valid JSON (1NCE: unquoted dates) as text; the event stays valid', () => {
    const r = baseRecord(id('dataQuotaAssigned'));
    r['detail'] = '{"volume": 50, "expiry_date": 2025-05-27 22:56:17, "status": {"id": 1, "description": "ACTIVE"}}';
    const e = decodeBoth(r);
    expect(e.detail).toEqual({ kind: 'text', text: r['detail'] });
    expect(classifyEvent(e).type).toBe('DATA_QUOTA_ASSIGNED');
  });

  it('parses a string that holds a JSON object (snake_case quota, volume as a string)', () => {
    const r = baseRecord(id('smsQuotaAssigned'));
    r['detail'] = JSON.stringify({
      volume: '0.015085',
      threshold_percentage: 20,
      expiry_date: '2025-05-27 22:56:17',
      status: { id: 1, description: 'ACTIVE' },
    });
    expect(decodeBoth(r).detail).toMatchObject({
      kind: 'quota',
      volume: 0.015085,
      thresholdPercentage: 20,
      expiryDate: Date.parse('2025-05-27T22:56:17Z'),
      status: 'ACTIVE',
    });
  });

  it('keeps a string holding JSON that is not an object as text', () => {
    const r = baseRecord(id('dataQuotaAssigned'));
    r['detail'] = '[1, 2]';
    expect(decodeBoth(r).detail).toEqual({ kind: 'text', text: '[1, 2]' });
  });
});

describe('quota details', () => {
  it('reads an assigned quota object with camelCase keys and nested status/action', () => {
    const r = baseRecord(id('dataQuotaAssigned'));
    r['detail'] = {
      id: 77,
      status: { id: 1, description: 'ACTIVE' },
      volume: 50,
      expiryDate: '2025-05-27T22:56:17Z',
      thresholdPercentage: 15,
      lastVolumeAdded: 50,
      action_on_exhaustion: { id: 1, description: 'Block', peak_throughput: null },
    };
    const detail = decodeBoth(r).detail;
    expect(detail).toMatchObject({
      kind: 'quota',
      volume: 50,
      thresholdPercentage: 15,
      expiryDate: Date.parse('2025-05-27T22:56:17Z'),
      status: 'ACTIVE',
    });
    expect(detail?.kind === 'quota' && detail.raw['action_on_exhaustion']).toMatchObject({ id: 1 });
  });

  it('reads threshold figures nested in quota{}, including an SMS traffic_type', () => {
    const r = baseRecord(id('smsQuotaThresholdReached'));
    r['detail'] = {
      quota: { volume: 4, threshold_volume: 5, threshold_percentage: 50, traffic_type: { id: 6, description: 'SMS' } },
    };
    expect(decodeBoth(r).detail).toMatchObject({ kind: 'quota', volume: 4, thresholdPercentage: 50 });
    expect(classifyEvent(decodeBoth(r)).type).toBe('SMS_QUOTA_THRESHOLD');
  });

  it('reads a negative volume sent as a string (a float artefact)', () => {
    const r = baseRecord(id('quotaUsedUp'));
    r['detail'] = { quota: { volume: '-0.00120000000000009', threshold_percentage: '15' } };
    expect(decodeBoth(r).detail).toMatchObject({ volume: -0.00120000000000009, thresholdPercentage: 15 });
  });
});

describe('numbers as strings', () => {
  it('reads pdp_context numbers and ids sent as numeric strings', () => {
    const r = baseRecord(CREATE_PDP);
    const detail = r['detail'] as Rec;
    Object.assign(detail['pdp_context'] as Rec, { gtp_version: '1', rat_type: '6' });
    detail['id'] = '3';
    r['id'] = '137112624332866';
    (r['endpoint'] as Rec)['id'] = '11089066';
    (r['event_type'] as Rec)['id'] = String(CREATE_PDP);
    (r['organisation'] as Rec)['id'] = '12033';
    const e = decodeBoth(r);
    expect(e).toMatchObject({ id: 137112624332866n, typeId: CREATE_PDP, type: 'createPdpContext' });
    expect(e.endpoint?.id).toBe(11089066);
    expect(e.organisation?.id).toBe(12033);
    expect(e.detail).toMatchObject({ operatorId: 3, pdpContext: { ratType: 6 } });
    expect(classifyEvent(e).observation.ratType).toBe(6);
  });
});

describe('timestamps', () => {
  const at = (timestamp: string) => decodeBoth({ ...baseRecord(CREATE_PDP), timestamp }).timestamp;

  it('reads an offset without a colon (+0000)', () => {
    expect(at('2017-10-26T07:28:00.000+0000')).toBe(Date.parse('2017-10-26T07:28:00.000Z'));
    expect(at('2017-10-26T09:28:00.000+0200')).toBe(Date.parse('2017-10-26T07:28:00.000Z'));
  });

  it('reads a timestamp without milliseconds', () => {
    expect(at('2019-01-21T09:36:17Z')).toBe(Date.parse('2019-01-21T09:36:17.000Z'));
  });

  it('reads space-separated timestamps without a zone as UTC, top-level and nested', () => {
    const r: Rec = { ...baseRecord(CREATE_PDP), timestamp: '2019-01-22 14:05:30' };
    (r['imsi'] as Rec)['import_date'] = '2016-12-27 10:09:23';
    const e = decodeBoth(r);
    expect(e.timestamp).toBe(Date.parse('2019-01-22T14:05:30Z'));
    expect(e.imsi?.importDate).toBe(Date.parse('2016-12-27T10:09:23Z'));
  });

  it('reads tunnel_created without a zone as UTC', () => {
    const e = decodeBoth(baseRecord(CREATE_PDP));
    expect(e.detail?.kind === 'operator' && e.detail.pdpContext?.tunnelCreated).toBe(Date.parse('2021-10-27T08:38:02Z'));
  });

  it('tolerates an unparseable nested date as null', () => {
    const r = baseRecord(CREATE_PDP);
    (r['sim'] as Rec)['production_date'] = 'last tuesday';
    (r['imsi'] as Rec)['import_date'] = 20201223;
    expect(decodeBoth(r)).toMatchObject({ sim: { productionDate: null }, imsi: { importDate: null } });
  });
});

describe('alert, source and severity', () => {
  it('reads alert sent as 1 or 0', () => {
    expect(decodeBoth({ ...baseRecord(CREATE_PDP), alert: 1 }).alert).toBe(true);
    expect(decodeBoth({ ...baseRecord(CREATE_PDP), alert: 0 }).alert).toBe(false);
  });

  it('reads event_source and event_severity carrying name instead of description', () => {
    const r: Rec = { ...baseRecord(CREATE_PDP), event_source: { id: 1, name: 'Policy Control' } };
    r['event_severity'] = { id: 1, name: 'WARN' };
    expect(decodeBoth(r)).toMatchObject({ source: { id: 1, name: 'Policy Control' }, severity: { id: 1, name: 'WARN' } });
  });

  it('matches severity on the id whatever its spelling', () => {
    for (const [sid, spelling] of [
      [1, 'WARNING'],
      [1, 'warn'],
      [2, 'CRITICAL'],
      [0, 'INFO'],
    ] as const) {
      const e = decodeBoth({ ...baseRecord(CREATE_PDP), event_severity: { id: sid, description: spelling } });
      expect(e.severity).toEqual({ id: sid, name: spelling });
    }
  });
});

describe('identifiers', () => {
  it('keeps event ids beyond 2^53 exact from text', () => {
    for (const big of ['9007199254740993', '18446744073709551615', '1234567890123456789']) {
      const line = text(baseRecord(CREATE_PDP)).replace('"id":500000000000001', `"id":${big}`);
      expect(ok(decodeEventText(line)).id).toBe(BigInt(big));
    }
  });

  it('keeps event ids beyond 2^53 exact from a bigint or a digit string value', () => {
    expect(ok(decodeEvent({ ...baseRecord(CREATE_PDP), id: 18446744073709551615n })).id).toBe(18446744073709551615n);
    expect(ok(decodeEvent({ ...baseRecord(CREATE_PDP), id: '9007199254740993' })).id).toBe(9007199254740993n);
  });

  it('keeps a bare numeric ICCID beyond 2^53 from text, digit for digit', () => {
    const line = text(baseRecord(CREATE_PDP)).replace('"iccid":"8988303000005733850"', '"iccid":89883030000057338501');
    expect(line).toContain('"iccid":89883030000057338501');
    expect(ok(decodeEventText(line)).sim?.iccid).toBe('89883030000057338501');
    const imsiLine = text(baseRecord(CREATE_PDP)).replace('"imsi":"295090004145444"}', '"imsi":295090004145444}');
    expect(ok(decodeEventText(imsiLine)).imsi?.imsi).toBe('295090004145444');
  });

  it('keeps identifiers that do not follow their textbook formats', () => {
    const r = baseRecord(CREATE_PDP);
    Object.assign(r['endpoint'] as Rec, { imei: '86773005111111A2', ip_address: '230.105.77.310' });
    for (const imsi of ['29509000414544', '29509000414544412345']) {
      (r['imsi'] as Rec)['imsi'] = imsi;
      const e = decodeBoth(r);
      expect(e.imsi?.imsi).toBe(imsi);
      expect(e.endpoint).toMatchObject({ imei: '86773005111111A2', ipAddress: '230.105.77.310' });
    }
    (r['endpoint'] as Rec)['imei'] = '86773005111111422';
    expect(decodeBoth(r).endpoint?.imei).toBe('86773005111111422');
  });
});

describe('structure', () => {
  it('does not depend on key order (event_type description first, a record starting with imsi)', () => {
    const r = baseRecord(CREATE_PDP);
    const reordered: Rec = { imsi: r['imsi'] };
    for (const key of Object.keys(r).reverse()) if (key !== 'imsi') reordered[key] = r[key];
    reordered['event_type'] = { description: 'Create PDP Context', id: CREATE_PDP };
    expect(Object.keys(reordered)[0]).toBe('imsi');
    expect(decodeBoth(reordered)).toEqual(decodeBoth(r));
  });

  it('keeps endpoint.tags as sent: a string, an object', () => {
    for (const tags of ['fleet-a,north', { team: 'x', n: [1, 2] }]) {
      const r = baseRecord(CREATE_PDP);
      (r['endpoint'] as Rec)['tags'] = tags;
      expect(decodeBoth(r).endpoint?.tags).toEqual(tags);
    }
  });

  it("ignores unknown top-level keys (an integration's keen object)", () => {
    const r = { ...baseRecord(CREATE_PDP), keen: { timestamp: '2021-10-27T08:38:03.000Z', id: 'abc' }, extra: [1] };
    expect(decodeBoth(r)).toEqual(decodeBoth(baseRecord(CREATE_PDP)));
  });
});

describe('network details', () => {
  it('reads session_id from pdp_context or directly under detail', () => {
    const inPdp = baseRecord(CREATE_PDP);
    ((inPdp['detail'] as Rec)['pdp_context'] as Rec)['session_id'] = 'a8a0c7c5-6f55-4bb2-9d4c-0c1d1b0e2f11';
    const underDetail = baseRecord(CREATE_PDP);
    (underDetail['detail'] as Rec)['session_id'] = 'b9b1d8d6-7066-4cc3-8e5d-1d2e2c1f3022';
    const session = (r: Rec) => {
      const d = decodeBoth(r).detail;
      return d?.kind === 'operator' ? d.pdpContext?.sessionId : undefined;
    };
    expect(session(inPdp)).toBe('a8a0c7c5-6f55-4bb2-9d4c-0c1d1b0e2f11');
    expect(session(underDetail)).toBe('b9b1d8d6-7066-4cc3-8e5d-1d2e2c1f3022');
  });

  it('accepts breakout_ip "unavailable" and apn null', () => {
    const r = baseRecord(CREATE_PDP);
    Object.assign((r['detail'] as Rec)['pdp_context'] as Rec, { breakout_ip: 'unavailable', apn: null });
    const e = decodeBoth(r);
    expect(classifyEvent(e).observation).toMatchObject({ apn: null, ratType: 6 });
  });

  it('reads the session volume of a Delete PDP Context', () => {
    const r: Rec = { ...baseRecord(id('deletePdpContext')), description: 'PDP Context deleted.' };
    (r['detail'] as Rec)['volume'] = { rx: 0.012, tx: '0.003', total: 0.015 };
    const e = decodeBoth(r);
    expect(e.detail).toMatchObject({ kind: 'operator', volume: { rx: 0.012, tx: 0.003, total: 0.015 } });
    expect(classifyEvent(e).type).toBe('SESSION_ENDED');
  });

  it('names known RAT codes in the catalog and keeps unknown codes as numbers', () => {
    const r = baseRecord(CREATE_PDP);
    ((r['detail'] as Rec)['pdp_context'] as Rec)['rat_type'] = 42;
    expect(classifyEvent(decodeBoth(r)).observation.ratType).toBe(42);
  });
});

describe('record-dependent types', () => {
  const TYPE_4 = id('updatePdpContext');

  it('type 4 speaking of deletion (description or event_type.description) ends the session', () => {
    const byDescription = { ...baseRecord(TYPE_4), description: 'PDP Context deleted.' };
    const byTypeName = { ...baseRecord(TYPE_4), event_type: { id: TYPE_4, description: 'Delete PDP Context' } };
    for (const r of [byDescription, byTypeName]) {
      const e = decodeBoth(r);
      expect(e.type === 'updatePdpContext' && e.deletion).toBe(true);
      expect(classifyEvent(e).type).toBe('SESSION_ENDED');
    }
  });

  it('any other type 4 is a session update', () => {
    const r = {
      ...baseRecord(TYPE_4),
      description: 'PDP Context updated.',
      event_type: { id: TYPE_4, description: 'Update PDP Context' },
    };
    const e = decodeBoth(r);
    expect(e.type === 'updatePdpContext' && e.deletion).toBe(false);
    expect(classifyEvent(e)).toMatchObject({ type: 'SESSION_UPDATED', observation: { apn: 'em', ratType: 6 } });
  });

  it('type 49 (Device offline, historical) ends the session', () => {
    const e = decodeBoth(baseRecord(id('deviceOffline')));
    expect(e.type).toBe('deviceOffline');
    expect(classifyEvent(e).type).toBe('SESSION_ENDED');
  });

  it('an id absent from the catalog (61) decodes as unknown and is recorded only', () => {
    const UNKNOWN_ID = 61;
    expect(eventTypeById(UNKNOWN_ID)).toBeUndefined();
    const e = decodeBoth(baseRecord(UNKNOWN_ID));
    expect(e).toMatchObject({ type: 'unknown', typeId: UNKNOWN_ID });
    expect(e.detail?.kind).toBe('raw');
    expect(classifyEvent(e).type).toBe('RECORDED');
  });

  it('Generic: data-disconnect descriptions end the session, SMS delivery failures change nothing', () => {
    const generic = (description: string) => classifyEvent(decodeBoth({ ...baseRecord(id('generic')), description, detail: null })).type;
    expect(generic('Disconnecting data access for endpoint, because it has been disabled.')).toBe('SESSION_ENDED');
    expect(generic('Unable to dispatch DLR for SMS 123.')).toBe('RECORDED');
    expect(generic('SMS to 4912345 cannot be forwarded.')).toBe('RECORDED');
  });

  it('Create PDP Context: a rejection for a SIM that is not activated, and an unknown reason', () => {
    const reason = (description: string) => {
      const e = decodeBoth({ ...baseRecord(CREATE_PDP), description, detail: null });
      return e.type === 'createPdpContext' && !e.outcome.accepted ? e.outcome.reason : 'accepted';
    };
    expect(reason('PDP Context Request rejected, because SIM is not activated.')).toBe('SIM_NOT_ACTIVATED');
    expect(reason('PDP Context Request rejected, because the moon is full.')).toBe('OTHER');
    expect(reason('New PDP Context successfully activated.')).toBe('accepted');
  });
});

describe('details by catalog category', () => {
  it('keeps a network detail without operator keys raw', () => {
    const r = { ...baseRecord(id('updateLocation')), detail: { foo: 1 } };
    expect(decodeBoth(r).detail).toEqual({ kind: 'raw', raw: { foo: 1 } });
  });

  it('a tariff detail without a known key is raw; a quota detail with odd values has nulls', () => {
    expect(decodeBoth({ ...baseRecord(id('tariffPlanUpdated')), detail: { other: true } }).detail?.kind).toBe('raw');
    const odd = { ...baseRecord(id('quotaThresholdReached')), detail: { quota: { volume: 'lots', expiry_date: 'soon' } } };
    expect(decodeBoth(odd).detail).toMatchObject({ kind: 'quota', volume: null, expiryDate: null, status: null });
  });

  it("does not let later changes to the caller's object change a decoded event", () => {
    const r = baseRecord(CREATE_PDP);
    const e = ok(decodeEvent(r));
    ((r['detail'] as Rec)['pdp_context'] as Rec)['apn'] = 'changed';
    (r['endpoint'] as Rec)['tags'] = 'changed';
    expect(e.detail?.kind === 'operator' && e.detail.pdpContext?.raw['apn']).toBe('em');
  });

  it('refuses a detail that is neither an object, a string nor null', () => {
    expect(err(decodeEvent({ ...baseRecord(CREATE_PDP), detail: 5 }))).toMatchObject({
      code: 'wrong_type',
      path: '$.detail',
    });
  });
});
