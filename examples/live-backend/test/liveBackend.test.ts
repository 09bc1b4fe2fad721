import { eventTypeByKey, type KnownEventTypeKey } from '@simfleet/core';
import { describe, expect, it } from 'vitest';
import { runLiveBackend } from '../src/runLiveBackend.js';

const line = (id: number, key: KnownEventTypeKey, endpointId: number, second: number, description = 'x'): string =>
  `{"id":${id},"timestamp":"2022-05-01T10:00:${String(second).padStart(2, '0')}.000Z","description":"${description}","event_type":{"id":${eventTypeByKey(key).id}},"organisation":{"id":1},"endpoint":{"id":${endpointId}}}`;

const LOG = [
  line(1, 'updateLocation', 10, 0),
  line(2, 'updateLocation', 20, 1),
  line(3, 'createPdpContext', 10, 2, 'New PDP Context successfully activated'),
  line(4, 'deletePdpContext', 10, 3),
  line(5, 'purgeLocation', 20, 4),
  '{"id":6,"timestamp":"not a time","event_type":{"id":1}}',
];

describe('examples/live-backend', () => {
  it('replays a log into simfleet serve and prints the transitions that stream back', async () => {
    const printed: string[] = [];
    const result = await runLiveBackend({ lines: LOG, speed: Number.POSITIVE_INFINITY, regions: ['connectivity'], print: (l) => printed.push(l) });
    expect(result).toMatchObject({ posted: 6, accepted: 5, rejected: 1, summary: { totals: { endpoints: 2 } } });
    const changes = printed.filter((l) => l.includes('→'));
    expect(changes).toEqual([
      '2022-05-01T10:00:00.000Z  endpoint        10  connectivity OFFLINE → ATTACHED',
      '2022-05-01T10:00:01.000Z  endpoint        20  connectivity OFFLINE → ATTACHED',
      '2022-05-01T10:00:02.000Z  endpoint        10  connectivity ATTACHED → ONLINE',
      '2022-05-01T10:00:03.000Z  endpoint        10  connectivity ONLINE → ATTACHED',
      '2022-05-01T10:00:04.000Z  endpoint        20  connectivity ATTACHED → OFFLINE',
    ]);
    expect(printed.some((l) => l.startsWith('rejected record') && l.includes('invalid_timestamp'))).toBe(true);
  });

  it('paces by event time and ends in the same state', async () => {
    const printed: string[] = [];
    // 4 s of event time at 40x: about 0.1 s.
    const result = await runLiveBackend({ lines: LOG.slice(0, 5), speed: 40, print: (l) => printed.push(l) });
    expect(result.summary.byStatus).toMatchObject({ ATTACHED: 1, OFFLINE: 1 });
    expect(printed.filter((l) => l.includes('connectivity ')).length).toBe(5);
  });
});
