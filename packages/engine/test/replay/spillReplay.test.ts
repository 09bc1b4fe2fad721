/**
 * A replay whose rows exceed `maxRowsInMemory` spills sorted runs to disk and merges them
 * (SpillFile.ts, externalFinish.ts): the snapshot, the accounting and each device's
 * transitions must be exactly those of the in-memory replay — over random logs with
 * shuffles, duplicated lines, copies of an id with other timestamps and content,
 * malformed lines and `--until`; through checkpoints too; and no spill file survives.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandOrganisationTransition, type OrganisationTransition, type Transition } from '@simfleet/core';
import { decodeCheckpoint, encodeCheckpoint } from '@simfleet/core/checkpoint';
import { generateFleetLog } from '@simfleet/testkit';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointHasher } from '../../src/checkpoint/checkpointHasher.js';
import { ReplayCheckpoints } from '../../src/checkpoint/ReplayCheckpoints.js';
import { expandPaths, type InputSource } from '../../src/input/expandPaths.js';
import { type ReplayOptions, ReplaySession } from '../../src/replay/ReplaySession.js';
import { replaySources } from '../../src/replay/replaySources.js';
import { snapshotChunks } from '../../src/snapshot/snapshot.js';
import { MemoryCheckpointStore } from '../checkpoint/MemoryCheckpointStore.js';
import { feed, type Line, messyLogArb } from '../messyLog.js';
import { shuffled, tempDir } from '../support.js';

const logArb = messyLogArb({ maxEvents: 250, maxDevices: 25, retimed: true });

const untilArb = fc
  .option(fc.integer({ min: 0, max: 4 * 3600 }), { nil: undefined })
  .map((s) => (s === undefined ? undefined : Date.UTC(2021, 9, 27) + s * 1000));

interface Outcome {
  readonly snapshot: string;
  /** Each device's transitions, in the order they were reported. */
  readonly transitions: Map<number, string[]>;
  readonly spilled: boolean;
  /** Rows ingested: applied + duplicates. */
  readonly rows: number;
}

/** Organisation changes reported once (`replay(…, { once: true })`), over every run. */
let organisationChanges = 0;

function replay(lines: readonly Line[], options: ReplayOptions, { once = false } = {}): Outcome {
  const transitions = new Map<number, string[]>();
  const onTransition = (t: Transition): void => {
    const list = transitions.get(t.endpointId) ?? [];
    list.push(`${t.region}:${t.from}>${t.to}@${t.at}#${t.eventId}`);
    transitions.set(t.endpointId, list);
  };
  // Reported once, expanded here: each device's changes must come out as onTransition alone gives them.
  const onOrganisationTransition = (change: OrganisationTransition): void => {
    organisationChanges++;
    for (const t of expandOrganisationTransition(change)) onTransition(t);
  };
  const session = new ReplaySession({ ...options, onTransition, ...(once ? { onOrganisationTransition } : {}) });
  feed(session, lines, 'all.ndjson');
  const spilled = session.spilled;
  const account = session.finish();
  return { snapshot: [...snapshotChunks(session.fleet, account)].join(''), transitions, spilled, rows: account.applied + account.duplicates };
}

let spillRoot: string;
beforeAll(() => {
  spillRoot = tempDir();
});

describe('a replay over its row budget', () => {
  it('gives the in-memory snapshot, accounting and transitions, byte for byte', () => {
    fc.assert(
      fc.property(logArb, untilArb, fc.constantFrom(1, 7, 1000), fc.constantFrom(1, 3, 8192), (lines, until, budget, blockRows) => {
        const base = until === undefined ? {} : { until };
        const expected = replay(lines, base);
        const spilled = replay(lines, { ...base, maxRowsInMemory: budget, spillBlockRows: blockRows, spillDirectory: spillRoot });
        expect(spilled.snapshot).toBe(expected.snapshot);
        expect(spilled.transitions).toEqual(expected.transitions);
        expect(spilled.spilled).toBe(expected.rows >= budget);
        // finish() removed its directory.
        expect(readdirSync(spillRoot)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("reports organisation changes once through the spill as in memory: expanded, each device's transitions are the same", () => {
    fc.assert(
      fc.property(logArb, fc.constantFrom(1, 7, 1000), (lines, budget) => {
        const expected = replay(lines, {});
        const once = replay(lines, {}, { once: true });
        const spilled = replay(lines, { maxRowsInMemory: budget, spillBlockRows: 3, spillDirectory: spillRoot }, { once: true });
        expect(once.transitions).toEqual(expected.transitions);
        expect(spilled.transitions).toEqual(expected.transitions);
        expect(spilled.snapshot).toBe(expected.snapshot);
      }),
      { numRuns: 40 },
    );
    // Random logs need not block an organisation with members; a generated one does, every run
    // (else the property could pass without ever reporting an organisation change through the spill).
    const chunks: string[] = [];
    generateFleetLog({ events: 1500, devices: 30, seed: 23 }, (c) => chunks.push(c));
    const generated: Line[] = chunks
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((text) => ({ text, via: 'bytes' }));
    const expected = replay(generated, {});
    organisationChanges = 0;
    const spilled = replay(generated, { maxRowsInMemory: 100, spillBlockRows: 3, spillDirectory: spillRoot }, { once: true });
    expect(spilled.spilled).toBe(true);
    expect(organisationChanges).toBeGreaterThan(0);
    expect(spilled.transitions).toEqual(expected.transitions);
    expect(spilled.snapshot).toBe(expected.snapshot);
  });

  it('does not spill under the budget (the in-memory path stays as it is)', () => {
    const session = new ReplaySession({ maxRowsInMemory: 1000, spillDirectory: spillRoot });
    feed(session, [{ text: '{"id": 5, "timestamp":', via: 'bytes' }], 'x');
    expect(session.spilled).toBe(false);
    expect(session.finish().records).toBe(1);
  });

  it('resumes through checkpoints written with spilled runs, to the full replay', () => {
    fc.assert(
      fc.property(
        logArb,
        untilArb,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(1, 7, 1000),
        (lines, until, cutFractions, budget) => {
          const base = until === undefined ? {} : { until };
          const expected = replay(lines, base).snapshot;
          const options = { ...base, maxRowsInMemory: budget, spillBlockRows: 3, spillDirectory: spillRoot };
          const cuts = cutFractions.map((f) => Math.floor(f * lines.length)).sort((a, b) => a - b);
          let session = new ReplaySession(options);
          let from = 0;
          for (const cut of cuts) {
            feed(session, lines.slice(from, cut), 'part.ndjson');
            const { columns, account } = session.checkpointState();
            const header = { createdAt: '2024-01-01T00:00:00.000Z', until: until ?? null, account, inputs: [] };
            const decoded = decodeCheckpoint(encodeCheckpoint({ header, columns }, checkpointHasher), checkpointHasher);
            if (!decoded.ok) throw decoded.error;
            session.dispose();
            session = new ReplaySession({ ...options, pool: decoded.value.pool });
            session.restoreCheckpoint(decoded.value);
            from = cut;
          }
          feed(session, lines.slice(from), 'rest.ndjson');
          const account = session.finish();
          expect([...snapshotChunks(session.fleet, account)].join('')).toBe(expected);
          expect(readdirSync(spillRoot)).toEqual([]);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('replaySources with a tiny budget', () => {
  let sources: InputSource[];
  let clean: string;

  async function run(extra: { maxRowsInMemory?: number; checkpoints?: ReplayCheckpoints }): Promise<string> {
    const { session, account } = await replaySources(sources, { threads: 1, spillDirectory: spillRoot, ...extra });
    return [...snapshotChunks(session.fleet, account)].join('');
  }

  beforeAll(async () => {
    const dir = tempDir();
    const chunks: string[] = [];
    generateFleetLog({ events: 2000, devices: 60, seed: 23, messy: true }, (c) => chunks.push(c));
    const lines = chunks
      .join('')
      .split('\n')
      .filter((l) => l !== '');
    writeFileSync(join(dir, 'a.ndjson'), `${shuffled(lines.slice(0, 1200), 3).join('\n')}\nnot json\n${lines[7]}\n`);
    writeFileSync(join(dir, 'b.json'), `[\n${[...lines.slice(1200), lines[1300]!].reverse().join(',\n')}\n]\n`);
    sources = await expandPaths([join(dir, 'a.ndjson'), join(dir, 'b.json')]);
    clean = await run({});
  });

  it('equals the in-memory run, and so does resuming from every periodic checkpoint', async () => {
    expect(await run({ maxRowsInMemory: 97 })).toBe(clean);
    const store = new MemoryCheckpointStore();
    const writing = await ReplayCheckpoints.open({ sources, until: undefined, out: { store, name: 'cp', label: 'cp' }, every: 300 });
    expect(await run({ maxRowsInMemory: 97, checkpoints: writing })).toBe(clean);
    expect(store.history.length).toBeGreaterThan(3);
    for (const bytes of store.history) {
      const from = new MemoryCheckpointStore();
      await from.write('cp', bytes);
      const resumed = await ReplayCheckpoints.open({ sources, until: undefined, from: { store: from, name: 'cp', label: 'cp' } });
      expect(await run({ maxRowsInMemory: 97, checkpoints: resumed })).toBe(clean);
    }
    expect(readdirSync(spillRoot)).toEqual([]);
  });

  it('removes its spill directory when the input fails', async () => {
    const missing: InputSource[] = [...sources, { kind: 'file', path: join(spillRoot, 'nope.ndjson'), size: 0 }];
    await expect(replaySources(missing, { threads: 1, spillDirectory: spillRoot, maxRowsInMemory: 10 })).rejects.toThrow();
    expect(existsSync(spillRoot)).toBe(true);
    expect(readdirSync(spillRoot)).toEqual([]);
  });
});
