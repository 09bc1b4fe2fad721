/**
 * Every example record of emnify's event-type documentation (test/fixtures/seed-events.ndjson)
 * decodes to its documented type and fields. Expectations are written from the records
 * (ids, ISO times via Date.parse), not from the decoder.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KnownEventTypeKey } from '../../src/catalog/eventTypes.js';
import type { RejectionReason } from '../../src/catalog/rejectionReasons.js';
import { classifyEvent } from '../../src/decode/classifyEvent.js';
import { decodeEvent } from '../../src/decode/decodeEvent.js';
import { decodeEventText } from '../../src/decode/decodeEventText.js';
import { encodeEvent } from '../../src/decode/encodeEvent.js';
import { stringifyJson } from '../../src/decode/stringifyJson.js';
import type { DeviceEventType } from '../../src/machine/deviceEvent.js';
import type { EmnifyEvent } from '../../src/model/event.js';
import { err, fixturesDir, ok, printedWithRawBreaks, seedExamples } from './support.js';

interface Expected {
  readonly type: KnownEventTypeKey;
  readonly timestamp: string;
  readonly device: DeviceEventType;
  readonly endpointId: number | null;
  readonly organisationId: number;
  readonly detail: NonNullable<EmnifyEvent['detail']>['kind'] | null;
  readonly check?: (event: EmnifyEvent) => void;
}

const rejected =
  (reason: RejectionReason) =>
  (e: EmnifyEvent): void => {
    expect(e.type === 'createPdpContext' && e.outcome).toEqual({ accepted: false, reason });
    expect(e.alert).toBe(true);
    expect(e.source).toEqual({ id: 1, name: 'Policy Control' });
    expect(classifyEvent(e).observation.rejectionReason).toBe(reason);
  };

/** Keyed by event id: every seed example has its own. */
const EXPECTED: Record<string, Expected> = {
  '137310633115684': {
    type: 'generic',
    timestamp: '2021-10-27T11:59:29.000Z',
    device: 'SESSION_ENDED',
    endpointId: 11089066,
    organisationId: 654321,
    detail: null,
    check: (e) => {
      expect(e.type === 'generic' && e.dataDisconnect).toBe(true);
      expect(e.sim).toEqual({
        id: 3577707,
        iccid: '8988303000005733850',
        msisdn: null,
        productionDate: Date.parse('2020-12-23T13:02:11.000Z'),
      });
      expect(e.imsi).toEqual({ id: 10770316, imsi: '295090004145444', importDate: Date.parse('2020-12-23T13:02:11Z') });
      expect(e.severity).toEqual({ id: 1, name: 'Warn' });
    },
  },
  '137349286510607': {
    type: 'generic',
    timestamp: '2021-10-27T12:38:44.000Z',
    device: 'SESSION_ENDED',
    endpointId: 11089066,
    organisationId: 654321,
    detail: null,
    check: (e) => expect(e.type === 'generic' && e.dataDisconnect).toBe(true),
  },
  '201370709': {
    type: 'updateLocation',
    timestamp: '2017-10-26T07:28:00.000Z',
    device: 'ATTACH',
    endpointId: 274887,
    organisationId: 839921,
    detail: 'operator',
    check: (e) => {
      expect(e.imsi?.importDate).toBe(Date.parse('2016-12-27T10:09:23.000Z'));
      expect(e.description).toBe("New location received from VLR for IMSI='901430111111111', now\nattached to VLR='491720000095'.");
      const d = e.detail?.kind === 'operator' ? e.detail : null;
      expect(d).toMatchObject({ operatorId: 3, name: 'Vodafone', mnc: '02', tapcode: 'DEUD2', pdpContext: null });
      expect(d?.country).toEqual({ id: 74, name: 'Germany', countryCode: '49', mcc: '262', isoCode: 'de' });
      expect(classifyEvent(e).observation.operator).toEqual({ name: 'Vodafone', mcc: '262', mnc: '02', country: 'de' });
    },
  },
  '133107715407872': {
    type: 'updateGprsLocation',
    timestamp: '2021-10-24T12:44:09.901Z',
    device: 'ATTACH',
    endpointId: 11089066,
    organisationId: 12033,
    detail: 'operator',
    check: (e) => expect(e.endpoint?.imei).toBe('8693700220077770'),
  },
  '137241622976969': {
    type: 'purgeLocation',
    timestamp: '2021-10-27T10:49:23.673Z',
    device: 'PURGE',
    endpointId: 11088066,
    organisationId: 12021,
    detail: null,
  },
  '133107610288660': {
    type: 'purgeGprsLocation',
    timestamp: '2021-10-24T12:43:51.486Z',
    device: 'PURGE',
    endpointId: 11089066,
    organisationId: 13032,
    detail: null,
  },
  '137112624332866': {
    type: 'createPdpContext',
    timestamp: '2021-10-27T08:38:02.000Z',
    device: 'SESSION_CREATED',
    endpointId: 11089066,
    organisationId: 12033,
    detail: 'operator',
    check: (e) => {
      expect(e.type === 'createPdpContext' && e.outcome).toEqual({ accepted: true });
      const pdp = e.detail?.kind === 'operator' ? e.detail.pdpContext : null;
      expect(pdp).toMatchObject({
        apn: 'em',
        ratType: 2,
        ueIpAddress: '100.112.45.209',
        mcc: '262',
        mnc: '02',
        imsi: '295090004145444',
        sessionId: null,
        tunnelCreated: Date.parse('2021-10-27T08:38:02Z'),
      });
      expect(pdp?.raw['rac']).toBeNull();
      const observed = classifyEvent(e).observation;
      expect(observed).toMatchObject({ ratType: 2, apn: 'em', rejectionReason: null, ipAddress: '100.102.41.209' });
      expect(observed.operator).toEqual({ name: 'Vodafone', mcc: '262', mnc: '02', country: 'de' });
    },
  },
  '199107522174999': {
    type: 'createPdpContext',
    timestamp: '2021-10-24T12:43:51.000Z',
    device: 'SESSION_REJECTED',
    endpointId: 11089089,
    organisationId: 1222,
    detail: null,
    check: rejected('DATA_SERVICE_DISABLED'),
  },
  '1371111119611': {
    type: 'createPdpContext',
    timestamp: '2021-10-27T08:55:59.000Z',
    device: 'SESSION_REJECTED',
    endpointId: 11096,
    organisationId: 133,
    detail: null,
    check: rejected('NO_QUOTA'),
  },
  '137146490142720': {
    type: 'createPdpContext',
    timestamp: '2021-10-27T09:12:27.000Z',
    device: 'SESSION_REJECTED',
    endpointId: 11089066,
    organisationId: 12033,
    detail: null,
    check: rejected('QUOTA_EXHAUSTED_BLOCKED'),
  },
  '213045251604518': {
    type: 'passwordResetRequested',
    timestamp: '2021-12-20T00:00:43.000Z',
    device: 'RECORDED',
    endpointId: null,
    organisationId: 654321,
    detail: 'user',
    check: (e) => {
      expect(e.user).toEqual({ id: 123456, name: 'Sample User', username: 'abc@cde.com' });
      expect(e.detail).toMatchObject({ id: 123456, username: 'abc@cde.com', name: 'Sample User', organisationId: 654321 });
      expect(e.source).toEqual({ id: 2, name: 'API' });
    },
  },
  '213052601483453': {
    type: 'userVerificationRequested',
    timestamp: '2021-12-20T00:08:10.000Z',
    device: 'RECORDED',
    endpointId: null,
    organisationId: 2,
    detail: 'user',
    check: (e) => expect(e.detail).toMatchObject({ id: null, username: null, organisationId: null }),
  },
  '148688626139183': {
    type: 'selfSignup',
    timestamp: '2021-11-04T12:53:47.000Z',
    device: 'RECORDED',
    endpointId: null,
    organisationId: 14210,
    detail: null,
    check: (e) => expect(e.user?.username).toBe('john.doe@company.com'),
  },
  '213518499823660': {
    type: 'userInvited',
    timestamp: '2021-12-20T08:02:06.000Z',
    device: 'RECORDED',
    endpointId: null,
    organisationId: 654321,
    // User invited is an organisation/billing type: its detail is kept raw.
    detail: 'raw',
    check: (e) => expect(e.detail?.kind === 'raw' && e.detail.raw['userFederated']).toBe(false),
  },
  '213779836256315': {
    type: 'tariffPlanUpdated',
    timestamp: '2021-12-20T12:27:56.000Z',
    device: 'RECORDED',
    endpointId: null,
    organisationId: 654321,
    detail: 'tariffPlan',
    check: (e) =>
      expect(e.detail).toMatchObject({
        id: 301,
        name: 'Standard EUR',
        startDate: Date.parse('2021-12-20T12:27:56Z'),
        endDate: null,
      }),
  },
  '213779836977183': {
    type: 'usageTariffUpdated',
    timestamp: '2021-12-20T12:27:57.000Z',
    device: 'RECORDED',
    endpointId: null,
    organisationId: 654321,
    detail: 'inclusiveVolume',
    check: (e) =>
      expect(e.detail).toMatchObject({
        id: 3540,
        volume: 0.25,
        ratezone: 'EU28',
        startDate: Date.parse('2021-12-01T00:00:00Z'),
        endDate: null,
      }),
  },
  '213775802007594': {
    type: 'orderSubmitted',
    timestamp: '2021-12-20T12:23:51.000Z',
    device: 'RECORDED',
    endpointId: null,
    organisationId: 654321,
    detail: 'simOrder',
    check: (e) => expect(e.detail).toMatchObject({ id: 16235491, statusId: null }),
  },
  '213516899172361': {
    type: 'orderUpdated',
    timestamp: '2021-12-20T08:00:28.000Z',
    device: 'RECORDED',
    endpointId: null,
    organisationId: 1,
    detail: 'simOrder',
    check: (e) => expect(e.detail).toMatchObject({ id: 16235491, statusId: 2 }),
  },
};

const examples = seedExamples();

describe('seed fixtures', () => {
  it('are the sample log the README replays, byte for byte (scripts/build-sample-data.mjs copies them)', () => {
    const sample = readFileSync(new URL('../../../../examples/data/seed-events.ndjson', import.meta.url));
    expect(sample.equals(readFileSync(`${fixturesDir}seed-events.ndjson`))).toBe(true);
  });

  it('holds every example, one per expectation, and every seed-documented example type', () => {
    expect(examples).toHaveLength(18);
    const ids = examples.map((e) => /"id":\s*(\d+)/.exec(e.text)?.[1]);
    expect(new Set(ids)).toEqual(new Set(Object.keys(EXPECTED)));
  });

  it.each(examples.map((e) => [`line ${e.line}: ${/"event_type":\{"id":\d+,"description":"([^"]*)"/.exec(e.text)?.[1]}`, e] as const))(
    '%s decodes',
    (_name, example) => {
      const event = ok(decodeEventText(example.text, { line: example.line }));
      const expected = EXPECTED[event.id.toString()];
      if (expected === undefined) throw new Error(`no expectation for event ${event.id}`);
      expect(event.type).toBe(expected.type);
      expect(event.timestamp).toBe(Date.parse(expected.timestamp));
      expect(event.endpoint?.id ?? null).toBe(expected.endpointId);
      expect(event.organisation?.id).toBe(expected.organisationId);
      expect(event.detail?.kind ?? null).toBe(expected.detail);
      expected.check?.(event);
      const device = classifyEvent(event);
      expect(device).toMatchObject({ type: expected.device, at: event.timestamp, eventId: event.id });
      expect(device.endpointId).toBe(expected.endpointId);
      // The same record as a JSON value decodes identically, and encodes back to itself.
      expect(ok(decodeEvent(JSON.parse(example.text)))).toEqual(event);
      expect(ok(decodeEvent(encodeEvent(event)))).toEqual(event);
      expect(ok(decodeEventText(stringifyJson(encodeEvent(event))))).toEqual(event);
    },
  );
});

describe('the Update location example as the documentation prints it (a raw line break in a string)', () => {
  const record = examples.find((e) => e.text.includes('"Update location"'));
  if (record === undefined) throw new Error('Update location example missing');
  const printed = printedWithRawBreaks(record.text);
  const lines = printed.split('\n');
  const breakLine = lines.findIndex((l) => l.endsWith(' now')) + 1;

  it('is invalid JSON, located at the break: the line it ends, just past its last character', () => {
    expect(breakLine).toBe(4);
    const error = err(decodeEventText(printed));
    expect(error.code).toBe('invalid_json');
    expect(error.path).toBe('$');
    expect(error.line).toBe(breakLine);
    expect(error.column).toBe((lines[breakLine - 1] ?? '').length + 1);
    expect(error.found).toMatch(/^line break U\+000A/);
    expect(error.message).toContain(`(line ${breakLine}, column ${error.column})`);
  });

  it('reports the line in its file when given the line the record starts on', () => {
    const error = err(decodeEventText(printed, { line: 35 }));
    expect(error.line).toBe(35 + breakLine - 1);
    expect(error.column).toBe((lines[breakLine - 1] ?? '').length + 1);
  });

  it('as one NDJSON record broken over two lines, the error is at the end of line 1', () => {
    const broken = record.text.replace('\\n', '\n');
    const [first, second] = broken.split('\n');
    expect(second).toMatch(/^attached to VLR/);
    const error = err(decodeEventText(broken, { line: 7 }));
    expect({ code: error.code, line: error.line, column: error.column }).toEqual({
      code: 'invalid_json',
      line: 7,
      column: (first ?? '').length + 1,
    });
  });

  it('decodes as the fixture holds it (the break escaped)', () => {
    const event = ok(decodeEventText(record.text));
    expect(event.type).toBe('updateLocation');
    expect(event.id).toBe(201370709n);
    expect(event.description).toContain('now\nattached');
  });
});
