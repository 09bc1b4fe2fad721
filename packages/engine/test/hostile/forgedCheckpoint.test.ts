/**
 * A checkpoint whose header counts were changed and whose CRC was then recomputed (as
 * anyone can) passes the CRC; loading it must still refuse it, because its counts cannot
 * be true: every record read is a row, a dropped duplicate or a rejection.
 */
import { encodeCheckpoint } from '@simfleet/core/checkpoint';
import { describe, expect, it } from 'vitest';
import { checkpointHasher } from '../../src/checkpoint/checkpointHasher.js';
import { ReplayCheckpoints } from '../../src/checkpoint/ReplayCheckpoints.js';
import { ReplaySession } from '../../src/replay/ReplaySession.js';
import { MemoryCheckpointStore } from '../checkpoint/MemoryCheckpointStore.js';
import { feed } from '../messyLog.js';

const LINES = [
  '{"id":1,"timestamp":"2021-10-27T08:00:00Z","event_type":{"id":1},"endpoint":{"id":7}}',
  '{"id":2,"timestamp":"2021-10-27T08:01:00Z","event_type":{"id":4242},"endpoint":{"id":7}}',
  '{"id":3,"timestamp":"2021-10-27T08:02:00Z","event_type":{"id":1}}',
  'not json',
].map((text) => ({ text, via: 'bytes' as const }));

async function openWith(change: (account: Record<string, unknown>) => void): Promise<ReplayCheckpoints> {
  const session = new ReplaySession();
  feed(session, LINES, 'log.ndjson');
  const { columns, account } = session.checkpointState();
  const forged = { ...account } as Record<string, unknown>;
  change(forged);
  const header = { createdAt: '2024-01-01T00:00:00.000Z', until: null, account: forged as unknown as typeof account, inputs: [] };
  const store = new MemoryCheckpointStore();
  await store.write('cp', encodeCheckpoint({ header, columns }, checkpointHasher));
  return ReplayCheckpoints.open({ sources: [], until: undefined, from: { store, name: 'cp', label: 'cp' } });
}

describe('loading a checkpoint', () => {
  it('takes an honest one', async () => {
    await expect(openWith(() => {})).resolves.toBeInstanceOf(ReplayCheckpoints);
  });

  it.each([
    ['more records than rows, duplicates and rejections', (a: Record<string, unknown>) => (a['records'] = 40), /records 40 ≠ rows 3/],
    [
      'fewer rejections than their reasons',
      (a: Record<string, unknown>) => {
        a['rejected'] = 0;
        a['records'] = 3;
      },
      /rejections by reason sum to 1, not rejected 0/,
    ],
    ['more unknown types than accepted records', (a: Record<string, unknown>) => (a['unknownEventTypes'] = [[4242, 9]]), /9 events of unknown types/],
    ['more events without an endpoint than accepted records', (a: Record<string, unknown>) => (a['eventsWithoutEndpoint'] = 5), /5 events without an endpoint/],
  ])('refuses one with %s, saying why', async (_name, change, reason) => {
    await expect(openWith(change)).rejects.toThrow(reason);
  });
});
