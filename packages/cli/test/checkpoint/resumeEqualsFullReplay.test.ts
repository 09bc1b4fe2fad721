/**
 * The checkpoint contract, in-process: replaying A, checkpointing, then resuming with B
 * gives byte for byte the snapshot of replaying A and B at once — over random logs,
 * random split points (several in a chain), shuffled lines (so B holds events older
 * than the checkpoint), duplicates across the splits (exact copies, and copies of an id
 * with other content), unknown event types, malformed records and `--until`.
 */
import { decodeCheckpoint, encodeCheckpoint } from '@simfleet/core';
import { generateFleetLog } from '@simfleet/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkpointHasher } from '../../src/checkpoint/checkpointHasher.js';
import { ReplaySession } from '../../src/replay/ReplaySession.js';
import { snapshotChunks } from '../../src/replay/snapshot.js';

interface Line {
  readonly text: string;
  /** Through the byte fast path (NDJSON) or as a record (JSON array element). */
  readonly via: 'bytes' | 'record';
}

const MALFORMED = ['{"id": 5, "timestamp":', 'null', '[1,2]', '{"id":"x","timestamp":"2021-10-27T08:00:00Z"}', '   '];

const logArb = fc
  .record({
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    events: fc.integer({ min: 1, max: 300 }),
    devices: fc.integer({ min: 1, max: 30 }),
    messy: fc.boolean(),
    duplicates: fc.array(fc.nat(), { maxLength: 40 }),
    /** Copies of records under an unknown event type id: same event id, other content. */
    retyped: fc.array(fc.tuple(fc.nat(), fc.constantFrom(999, 4242)), { maxLength: 6 }),
    malformed: fc.array(fc.constantFrom(...MALFORMED), { maxLength: 5 }),
    shuffleSeed: fc.nat(),
    viaRecord: fc.array(fc.nat(), { maxLength: 30 }),
  })
  .map((o) => {
    const chunks: string[] = [];
    generateFleetLog({ events: o.events, devices: o.devices, seed: o.seed, messy: o.messy }, (c) => chunks.push(c));
    const texts = chunks.join('').split('\n').filter((l) => l !== '');
    for (const d of o.duplicates) texts.push(texts[d % texts.length]!);
    for (const [r, typeId] of o.retyped) texts.push(texts[r % texts.length]!.replace(/"event_type":\{"id":\d+/, `"event_type":{"id":${typeId}`));
    texts.push(...o.malformed);
    const lines: Line[] = shuffle(texts, o.shuffleSeed).map((text) => ({ text, via: 'bytes' }));
    for (const v of o.viaRecord) lines[v % lines.length] = { text: lines[v % lines.length]!.text, via: 'record' };
    return lines;
  });

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let a = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    const j = a % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function feed(session: ReplaySession, lines: readonly Line[], file: string): void {
  lines.forEach((l, i) => {
    if (l.via === 'record') {
      if (l.text.trim() !== '') session.ingest({ text: l.text, line: i + 1 }, file);
      return;
    }
    const bytes = Buffer.from(l.text);
    session.ingestLine(bytes, 0, bytes.length, file, i + 1);
  });
}

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
