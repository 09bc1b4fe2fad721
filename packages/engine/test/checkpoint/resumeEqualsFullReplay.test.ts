/**
 * The checkpoint contract, in-process: replaying A, checkpointing, then resuming with B
 * gives byte for byte the snapshot of replaying A and B at once — over random logs,
 * random split points (several in a chain), shuffled lines (so B holds events older
 * than the checkpoint), duplicates across the splits (exact copies, and copies of an id
 * with other content), unknown event types, malformed records and `--until`.
 */
import { decodeCheckpoint, encodeCheckpoint } from '@simfleet/core/checkpoint';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkpointHasher } from '../../src/checkpoint/checkpointHasher.js';
import { ReplaySession } from '../../src/replay/ReplaySession.js';
import { snapshotChunks } from '../../src/snapshot/snapshot.js';
import { feed, messyLogArb } from '../messyLog.js';

const logArb = messyLogArb({ maxEvents: 300, maxDevices: 30, retimed: false });

function snapshotOf(session: ReplaySession): string {
  const account = session.finish();
  return [...snapshotChunks(session.fleet, account)].join('');
}

/** Checkpoint bytes of a session, then a new session resumed from them (as `--from` does). */
function throughCheckpoint(session: ReplaySession, until: number | undefined): ReplaySession {
  const { columns, account } = session.checkpointState();
  const header = { createdAt: '2024-01-01T00:00:00.000Z', until: until ?? null, account, inputs: [] };
  const decoded = decodeCheckpoint(encodeCheckpoint({ header, columns }, checkpointHasher), checkpointHasher);
  if (!decoded.ok) throw decoded.error;
  const resumed = new ReplaySession({ pool: decoded.value.pool, ...(until === undefined ? {} : { until }) });
  resumed.restoreCheckpoint(decoded.value);
  return resumed;
}

describe('resuming from a checkpoint', () => {
  it('gives the snapshot of a full replay, byte for byte, whatever the splits', () => {
    fc.assert(
      fc.property(
        logArb,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
        fc.option(fc.integer({ min: 0, max: 4 * 3600 }), { nil: undefined }),
        (lines, cutFractions, untilSeconds) => {
          const until = untilSeconds === undefined ? undefined : Date.UTC(2021, 9, 27) + untilSeconds * 1000;
          const options = until === undefined ? {} : { until };
          const full = new ReplaySession(options);
          feed(full, lines, 'all.ndjson');
          const expected = snapshotOf(full);

          const cuts = cutFractions.map((f) => Math.floor(f * lines.length)).sort((a, b) => a - b);
          let session = new ReplaySession(options);
          let from = 0;
          for (const cut of cuts) {
            feed(session, lines.slice(from, cut), 'part.ndjson');
            session = throughCheckpoint(session, until);
            from = cut;
          }
          feed(session, lines.slice(from), 'rest.ndjson');
          expect(snapshotOf(session)).toBe(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('resumes from a checkpoint taken before anything was read', () => {
    const empty = throughCheckpoint(new ReplaySession(), undefined);
    const account = empty.finish();
    expect(account).toMatchObject({ records: 0, applied: 0, duplicates: 0, rejected: 0 });
  });
});
