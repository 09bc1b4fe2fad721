/**
 * A replay whose rows exceed `maxRowsInMemory` spills sorted runs to disk and merges them
 * (SpillFile.ts, externalFinish.ts): the snapshot, the accounting and each device's
 * transitions must be exactly those of the in-memory replay — over random logs with
 * shuffles, duplicated lines, copies of an id with other timestamps and content,
 * malformed lines and `--until`; through checkpoints too; and no spill file survives.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { decodeCheckpoint, encodeCheckpoint, type Transition } from '@simfleet/core';
import { generateFleetLog } from '@simfleet/testkit';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReplayCheckpoints } from '../../src/checkpoint/ReplayCheckpoints.js';
import { checkpointHasher } from '../../src/checkpoint/checkpointHasher.js';
import type { CliIo } from '../../src/cliIo.js';
import { expandPaths, type InputSource } from '../../src/input/expandPaths.js';
import { type ReplayOptions, ReplaySession } from '../../src/replay/ReplaySession.js';
import { runReplayOver } from '../../src/replay/runReplayOver.js';
import { snapshotChunks } from '../../src/replay/snapshot.js';
import { MemoryCheckpointStore } from '../checkpoint/MemoryCheckpointStore.js';
import { tempDir } from '../support.js';

interface Line {
  readonly text: string;
  readonly via: 'bytes' | 'record';
}

const MALFORMED = ['{"id": 5, "timestamp":', 'null', '[1,2]', '{"id":"x","timestamp":"2021-10-27T08:00:00Z"}', '   '];

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

const logArb = fc
  .record({
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    events: fc.integer({ min: 1, max: 250 }),
    devices: fc.integer({ min: 1, max: 25 }),
    messy: fc.boolean(),
    duplicates: fc.array(fc.nat(), { maxLength: 40 }),
    /** Same event id, other content (an unknown type id). */
    retyped: fc.array(fc.tuple(fc.nat(), fc.constantFrom(999, 4242)), { maxLength: 6 }),
    /** Same event id, another timestamp (earlier or later). */
    retimed: fc.array(fc.tuple(fc.nat(), fc.constantFrom('2021-10-26T23:59:59.000Z', '2021-10-27T02:00:00.000Z', '2021-10-28T00:00:00.000Z')), {
      maxLength: 6,
    }),
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
    for (const [r, at] of o.retimed) texts.push(texts[r % texts.length]!.replace(/"timestamp":"[^"]*"/, `"timestamp":"${at}"`));
    texts.push(...o.malformed);
    const lines: Line[] = shuffle(texts, o.shuffleSeed).map((text) => ({ text, via: 'bytes' }));
    for (const v of o.viaRecord) lines[v % lines.length] = { text: lines[v % lines.length]!.text, via: 'record' };
    return lines;
  });

const untilArb = fc.option(fc.integer({ min: 0, max: 4 * 3600 }), { nil: undefined }).map((s) => (s === undefined ? undefined : Date.UTC(2021, 9, 27) + s * 1000));

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

interface Outcome {
  readonly snapshot: string;
  /** Each device's transitions, in the order they were reported. */
  readonly transitions: Map<number, string[]>;
  readonly spilled: boolean;
  /** Rows ingested: applied + duplicates. */
  readonly rows: number;
}

function replay(lines: readonly Line[], options: ReplayOptions): Outcome {
  const transitions = new Map<number, string[]>();
  const onTransition = (t: Transition): void => {
    const list = transitions.get(t.endpointId) ?? [];
    list.push(`${t.region}:${t.from}>${t.to}@${t.at}#${t.eventId}`);
    transitions.set(t.endpointId, list);
  };
  const session = new ReplaySession({ ...options, onTransition });
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

describe('runReplayOver with a tiny budget', () => {
  const io = (): CliIo => ({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });
  let sources: InputSource[];
  let clean: string;

  async function run(extra: { maxRowsInMemory?: number; checkpoints?: ReplayCheckpoints }): Promise<string> {
    const { session, account } = await runReplayOver(sources, io(), { quiet: true, threads: 1, spillDirectory: spillRoot, ...extra });
    return [...snapshotChunks(session.fleet, account)].join('');
  }

  beforeAll(async () => {
    const dir = tempDir();
    const chunks: string[] = [];
    generateFleetLog({ events: 2000, devices: 60, seed: 23, messy: true }, (c) => chunks.push(c));
    const lines = chunks.join('').split('\n').filter((l) => l !== '');
    writeFileSync(join(dir, 'a.ndjson'), `${shuffle(lines.slice(0, 1200), 3).join('\n')}\nnot json\n${lines[7]}\n`);
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
    await expect(runReplayOver(missing, io(), { quiet: true, threads: 1, spillDirectory: spillRoot, maxRowsInMemory: 10 })).rejects.toThrow();
    expect(existsSync(spillRoot)).toBe(true);
    expect(readdirSync(spillRoot)).toEqual([]);
  });
});
