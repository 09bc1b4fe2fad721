/**
 * Worker threads change nothing but speed: `--threads 1` and `--threads 2` give the
 * same bytes (snapshot, rejects with their line numbers and order, the summary and the
 * accounting line) on a messy log big enough to be split, with bad lines placed so
 * that they land in both halves.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { simfleet, tempDir } from './support.js';

let dir: string;
let log: string;

beforeAll(() => {
  dir = tempDir();
  const generated = simfleet(['generate', '--events', '3000', '--devices', '150', '--seed', '5', '--messy', '--out', join(dir, 'gen.ndjson')]);
  expect(generated.status, generated.stderr).toBe(0);
  const lines = readFileSync(join(dir, 'gen.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const bad = [
    '{"id": 1, "timestamp": "2021-10-27T00:00:00Z"',
    'not json at all',
    '{"id":"x1","timestamp":"2021-10-27T00:00:00Z","event_type":{"id":1}}',
    '{"id":77,"timestamp":"2021-02-30T00:00:00Z","event_type":{"id":1}}',
    '{"id":78,"timestamp":"2021-10-27T00:00:00Z","event_type":{"id":9999},"endpoint":{"id":5}}',
    '   ',
    '{"id":79,"timestamp":"2021-10-27T00:00:00Z","event_type":{"id":1},"endpoint":null}',
  ];
  const out: string[] = [];
  lines.forEach((line, i) => {
    out.push(line);
    if (i % 500 === 3) out.push(...bad);
    // Duplicates across the halves.
    if (i % 700 === 11) out.push(lines[(i * 7) % lines.length] as string);
  });
  log = join(dir, 'log.ndjson');
  writeFileSync(log, `${out.join('\n')}\r\n`);
  // Big enough to be split between workers (ParallelReplay.MIN_PARALLEL_BYTES).
  expect(statSync(log).size).toBeGreaterThan(1 << 20);
}, 30_000);

function replay(threads: number, extra: string[] = [], env: Record<string, string> = {}): { stdout: string; stderr: string; rejects: string } {
  const rejects = join(dir, `rejects-${threads}-${extra.join('_').replace(/[^\w]/g, '')}-${Object.values(env).join('_')}.ndjson`);
  const run = simfleet(['replay', log, '--json', '--quiet', '--threads', String(threads), '--rejects', rejects, ...extra], { env });
  expect(run.status, run.stderr).toBe(0);
  return { stdout: run.stdout, stderr: run.stderr, rejects: readFileSync(rejects, 'utf8') };
}

describe('simfleet replay --threads', () => {
  it('gives byte-identical snapshots, rejects and accounting with 1 and 2 threads', () => {
    const one = replay(1);
    const two = replay(2);
    expect(two.stdout).toBe(one.stdout);
    expect(two.rejects).toBe(one.rejects);
    expect(two.stderr).toBe(one.stderr);
    // The bad lines are really there, in both halves, with their file line numbers.
    const lines = one.rejects
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; reason: string });
    expect(lines.length).toBeGreaterThanOrEqual(12);
    expect(new Set(lines.map((l) => l.line)).size).toBe(lines.length);
    const snapshot = JSON.parse(one.stdout) as {
      counts: { records: number; applied: number; duplicates: number; rejected: number };
      report: { unknownEventTypes: Record<string, number> };
    };
    expect(snapshot.counts.duplicates).toBeGreaterThan(0);
    expect(snapshot.report.unknownEventTypes['9999']).toBeGreaterThan(0);
    expect(snapshot.counts.records).toBe(snapshot.counts.applied + snapshot.counts.duplicates + snapshot.counts.rejected);
  }, 30_000);

  it('gives the same bytes when each worker decodes many small ranges in turn (--range-bytes)', () => {
    const one = replay(1);
    // ~3.5 MB in 64 KiB ranges: dozens of jobs per worker, merged in file order.
    const small = replay(2, ['--range-bytes', String(64 * 1024)]);
    expect(small.stdout).toBe(one.stdout);
    expect(small.rejects).toBe(one.rejects);
    expect(small.stderr).toBe(one.stderr);
    // Workers keep their string pool across ranges and send only new strings; a tiny cap
    // makes them start new pools over and over (the main thread drops retired remaps).
    const capped = replay(2, ['--range-bytes', String(64 * 1024)], { SIMFLEET_WORKER_POOL_STRINGS: '50' });
    expect(capped.stdout).toBe(one.stdout);
    expect(capped.rejects).toBe(one.rejects);
  }, 90_000);

  it('gives the same bytes with --until and in the human summary', () => {
    const until = ['--until', '2021-10-27T06:00:00Z'];
    expect(replay(2, until).stdout).toBe(replay(1, until).stdout);
    const summary = (threads: string): string => {
      const run = simfleet(['replay', log, '--quiet', '--threads', threads]);
      expect(run.status, run.stderr).toBe(0);
      return run.stdout + run.stderr;
    };
    expect(summary('2')).toBe(summary('1'));
  }, 30_000);

  it('rejects a thread count that is not a positive integer', () => {
    const run = simfleet(['replay', log, '--threads', '0']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--threads');
  });
});
