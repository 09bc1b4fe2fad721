/**
 * The report's `unknownEventTypes` and `eventsWithoutEndpoint` count events, not copies:
 * a re-sent line is one event, whether the copies are in memory, spilled to disk, or on
 * both sides of a checkpoint.
 */
import { decodeCheckpoint, encodeCheckpoint } from '@simfleet/core/checkpoint';
import { describe, expect, it } from 'vitest';
import { checkpointHasher } from '../../src/checkpoint/checkpointHasher.js';
import { type ReplayAccount, ReplaySession } from '../../src/replay/ReplaySession.js';
import { feed, type Line } from '../messyLog.js';
import { shuffled } from '../support.js';

const UNKNOWN = '{"id":11,"timestamp":"2021-10-27T08:00:00Z","event_type":{"id":4242},"endpoint":{"id":7}}';
const NO_ENDPOINT = '{"id":12,"timestamp":"2021-10-27T08:01:00Z","event_type":{"id":1}}';
const OTHER = (id: number): string => `{"id":${id},"timestamp":"2021-10-27T08:02:00Z","event_type":{"id":1},"endpoint":{"id":${id}}}`;

/** Each of the two special events three times (once through the full decoder), among others, shuffled. */
function lines(seed: number): Line[] {
  const texts = [UNKNOWN, UNKNOWN, UNKNOWN, NO_ENDPOINT, NO_ENDPOINT, NO_ENDPOINT, ...Array.from({ length: 20 }, (_, i) => OTHER(100 + i))];
  return shuffled(texts, seed).map((text, i) => ({ text, via: i % 3 === 0 ? 'record' : 'bytes' }));
}

function report(account: ReplayAccount): unknown {
  return { unknown: account.unknownEventTypes, withoutEndpoint: account.eventsWithoutEndpoint, duplicates: account.duplicates };
}

const EXPECTED = { unknown: { 4242: 1 }, withoutEndpoint: 1, duplicates: 4 };

describe('the report of a log with re-sent lines', () => {
  it('counts each event once, in memory and spilled', () => {
    for (const seed of [1, 2, 3]) {
      for (const maxRowsInMemory of [undefined, 1, 5]) {
        const session = new ReplaySession({ maxRowsInMemory });
        feed(session, lines(seed), 'log.ndjson');
        expect(report(session.finish()), `seed ${seed}, budget ${maxRowsInMemory}`).toEqual(EXPECTED);
      }
    }
  });

  it('counts each event once when its copies are on both sides of a checkpoint', () => {
    for (let split = 1; split < 26; split += 4) {
      const all = lines(7);
      const first = new ReplaySession();
      feed(first, all.slice(0, split), 'log.ndjson');
      const { columns, account } = first.checkpointState();
      const header = { createdAt: '2024-01-01T00:00:00.000Z', until: null, account, inputs: [] };
      const decoded = decodeCheckpoint(encodeCheckpoint({ header, columns }, checkpointHasher), checkpointHasher);
      if (!decoded.ok) throw decoded.error;
      const resumed = new ReplaySession({ pool: decoded.value.pool });
      resumed.restoreCheckpoint(decoded.value);
      feed(resumed, all.slice(split), 'log.ndjson');
      expect(report(resumed.finish()), `split at ${split}`).toEqual(EXPECTED);
    }
  });
});
