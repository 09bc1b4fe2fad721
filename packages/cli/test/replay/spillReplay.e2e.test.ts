/**
 * `simfleet replay --max-rows N` as a user runs it: with a budget far below the log's
 * events (so rows are spilled to disk and merged), with one and two worker threads, the
 * snapshot and the accounting line are byte-identical to the in-memory replay's.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { shuffled, simfleet, tempDir } from '../support.js';

let log: string;

beforeAll(() => {
  const dir = tempDir();
  const generated = simfleet(['generate', '--events', '4000', '--devices', '120', '--seed', '9', '--messy', '--out', join(dir, 'gen.ndjson')]);
  expect(generated.status, generated.stderr).toBe(0);
  const lines = readFileSync(join(dir, 'gen.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  // Shuffled, with duplicates, copies of an id at another time, and a bad line.
  const extra = lines.filter((_, i) => i % 37 === 0);
  const retimed = lines.filter((_, i) => i % 53 === 0).map((l) => l.replace(/"timestamp":"[^"]*"/, '"timestamp":"2021-10-26T00:00:00.000Z"'));
  log = join(dir, 'log.ndjson');
  writeFileSync(log, `${shuffled([...lines, ...extra, ...retimed, 'not json'], 17).join('\n')}\n`);
  expect(statSync(log).size).toBeGreaterThan(1 << 20);
}, 30_000);

describe('simfleet replay --max-rows', () => {
  it('gives the in-memory snapshot and accounting with a tiny budget, on 1 and 2 threads', () => {
    const reference = simfleet(['replay', log, '--json', '--quiet', '--threads', '1']);
    expect(reference.status, reference.stderr).toBe(0);
    expect(reference.stdout).toContain('"endpointId"');
    for (const threads of ['1', '2']) {
      const spilled = simfleet(['replay', log, '--json', '--quiet', '--threads', threads, '--max-rows', '500']);
      expect(spilled.status, spilled.stderr).toBe(0);
      expect(spilled.stdout).toBe(reference.stdout);
      expect(spilled.stderr).toBe(reference.stderr);
    }
  });

  it('refuses a budget that is not a positive integer', () => {
    const run = simfleet(['replay', log, '--max-rows', '0']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/--max-rows expects a positive integer/);
  });
});
