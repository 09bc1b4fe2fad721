import { eventTypeByKey } from '@simfleet/core';
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type DecodeReject, decodeEvents } from '../src/index.js';

const createPdp = eventTypeByKey('createPdpContext').id;
const purge = eventTypeByKey('purgeLocation').id;

const record = (id: string, type: number, description: string, endpointId = 11089066): string =>
  `{"id":${id},"timestamp":"2021-10-27T08:38:02.000Z","alert":false,"description":"${description}","event_type":{"id":${type},"description":"x"},"event_source":{"id":0,"description":"Network"},"event_severity":{"id":0,"description":"Info"},"organisation":{"id":12033,"name":"Test Org"},"endpoint":{"id":${endpointId},"name":"Test Sim 2","ip_address":"100.102.41.209","imei":"8693700220003770","tags":null}}`;

describe('decodeEvents', () => {
  it('decodes text lines into classified events, rejects with line numbers, blank lines counted', async () => {
    const lines = [
      record('137112624332866', createPdp, 'New PDP Context successfully activated'),
      '',
      '{"id":1,"timestamp":"not a time","event_type":{"id":1}}',
      record('9007199254740993', purge, 'VLR location information has been purged'),
      '{"id":2,',
    ];
    const rejects: DecodeReject[] = [];
    const events = await lastValueFrom(from(lines).pipe(decodeEvents({ rejects: (r) => rejects.push(r) }), toArray()));
    expect(events.map((e) => [e.type, e.eventId, e.endpointId, e.record.type])).toEqual([
      ['SESSION_CREATED', 137112624332866n, 11089066, 'createPdpContext'],
      // An id beyond 2^53 keeps its digits.
      ['PURGE', 9007199254740993n, 11089066, 'purgeLocation'],
    ]);
    expect(events[0]?.at).toBe(Date.UTC(2021, 9, 27, 8, 38, 2));
    expect(rejects.map((r) => [r.index, r.line, r.error.code, r.count])).toEqual([
      [2, 3, 'invalid_timestamp', 1],
      [4, 5, 'invalid_json', 2],
    ]);
    expect(rejects[0]?.error.path).toBe('$.timestamp');
    expect(rejects[1]?.input).toBe('{"id":2,');
  });

  it('decodes JSON values, rejecting those that are not events', async () => {
    const rejects: DecodeReject[] = [];
    const values: unknown[] = [
      { id: 5n, timestamp: '2021-10-27T08:38:02Z', event_type: { id: purge }, endpoint: { id: 3 } },
      [1, 2],
      { id: 2 ** 53 + 2, timestamp: '2021-10-27T08:38:02Z', event_type: { id: purge } },
    ];
    const events = await lastValueFrom(from(values).pipe(decodeEvents({ rejects: (r) => rejects.push(r) }), toArray()));
    expect(events.map((e) => [e.type, e.eventId, e.endpointId])).toEqual([['PURGE', 5n, 3]]);
    expect(rejects.map((r) => [r.index, r.line, r.error.code])).toEqual([
      [1, null, 'not_an_object'],
      [2, null, 'unsafe_integer'],
    ]);
  });
});
