import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, shuffled, simfleet, stateOf, tempDir } from './support.js';

const schema = JSON.parse(readFileSync(join(REPO, 'packages/cli/schema/snapshot-v1.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true }).compile(schema);

interface Snapshot {
  schema: string;
  asOf: string | null;
  counts: { records: number; applied: number; duplicates: number; rejected: number };
  report: { rejectedByReason: Record<string, number>; unknownEventTypes: Record<string, number> };
  endpoints: Array<Record<string, unknown> & { endpointId: number; status: string; connectivity: string }>;
}

function snapshotOf(text: string): Snapshot {
  const parsed = JSON.parse(text) as Snapshot;
  if (!validate(parsed)) throw new Error(`snapshot violates the schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  return parsed;
}

function accounted(s: Snapshot): void {
  expect(s.counts.records).toBe(s.counts.applied + s.counts.duplicates + s.counts.rejected);
}

let dir: string;
let logLines: string[];
let baseline: string;

beforeAll(() => {
  dir = tempDir();
  const generated = simfleet(['generate', '--events', '4000', '--devices', '60', '--seed', '7', '--out', join(dir, 'log.ndjson')]);
  expect(generated.status, generated.stderr).toBe(0);
  logLines = readFileSync(join(dir, 'log.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const run = simfleet(['replay', join(dir, 'log.ndjson'), '--json']);
  expect(run.status, run.stderr).toBe(0);
  baseline = run.stdout;
});

describe('simfleet replay', () => {
  it('replays the bundled sample data into a valid, fully accounted snapshot', () => {
    const run = simfleet(['replay', 'examples/data', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const s = snapshotOf(run.stdout);
    expect(s.schema).toBe('simfleet/snapshot@1');
    expect(s.endpoints.length).toBeGreaterThan(1000);
    accounted(s);
    expect(run.stderr).toMatch(/^records \d+ = applied \d+ \+ duplicates \d+ \+ rejected \d+$/m);
    const ids = s.endpoints.map((e) => e.endpointId);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // The seed's accepted Create PDP Context is the newest network event of endpoint 11089066… but a
    // later Generic data-disconnect (same day, 12:38) ended the session: the seeds' own story.
    const seedDevice = s.endpoints.find((e) => e.endpointId === 11089066);
    expect(seedDevice).toMatchObject({ connectivity: 'ATTACHED', iccid: '8988303000005733850' });
  });

  it('prints a human summary with counts by status, connectivity, operator, country and organisation', () => {
    const run = simfleet(['replay', join(dir, 'log.ndjson')]);
    expect(run.status).toBe(0);
    for (const heading of ['By status', 'By connectivity', 'By operator', 'By country', 'By organisation', 'Records']) {
      expect(run.stdout).toContain(heading);
    }
    expect(run.stderr).toContain(`records ${logLines.length} = applied`);
  });

  it('gives byte-identical snapshots for shuffled input split over NDJSON, gzip and newest-first JSON array files', () => {
    const mixed = shuffled(logLines, 42);
    const third = Math.floor(mixed.length / 3);
    const split = tempDir();
    writeFileSync(join(split, 'a.ndjson'), `${mixed.slice(0, third).join('\n')}\n`);
    writeFileSync(join(split, 'b.jsonl.gz'), gzipSync(`${mixed.slice(third, 2 * third).join('\r\n')}\r\n`));
    const page = mixed.slice(2 * third).sort((x, y) => timestampOf(y) - timestampOf(x));
    writeFileSync(join(split, 'c.json'), `[\n  ${page.join(',\n  ')}\n]\n`);
    const run = simfleet(['replay', split, '--json']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(baseline);
  });

  it('applies duplicated records once and keeps the state byte-identical', () => {
    const doubled = shuffled([...logLines, ...logLines.slice(0, 500)], 9);
    const file = join(tempDir(), 'dup.ndjson');
    writeFileSync(file, doubled.join('\n'));
    const run = simfleet(['replay', file, '--json']);
    const s = snapshotOf(run.stdout);
    expect(s.counts.duplicates).toBe(500);
    accounted(s);
    expect(stateOf(run.stdout)).toBe(stateOf(baseline));
  });

  it('accounts for malformed lines, wrong types, unknown event types and invalid timestamps, with line numbers', () => {
    const good = logLines.slice(0, 20);
    const template = JSON.parse(good[0]!) as Record<string, unknown>;
    const lines = [
      ...good.slice(0, 5),
      '{"id": 1, "timestamp": ', // line 6: truncated JSON
      JSON.stringify({ ...template, id: 'x-not-an-id' }), // line 7: wrong type
      JSON.stringify({ ...template, id: 990000000000001, event_type: { id: 61, description: 'Mystery' } }), // line 8: unknown type
      JSON.stringify({ ...template, id: 990000000000002, timestamp: '2021-13-45T99:00:00Z' }), // line 9: invalid timestamp
      '',
      ...good.slice(5),
    ];
    const d = tempDir();
    writeFileSync(join(d, 'bad.ndjson'), lines.join('\n'));
    const run = simfleet(['replay', join(d, 'bad.ndjson'), '--json', '--rejects', join(d, 'rejects.ndjson')]);
    expect(run.status).toBe(0);
    const s = snapshotOf(run.stdout);
    accounted(s);
    expect(s.counts.records).toBe(lines.filter((l) => l !== '').length);
    expect(s.counts.rejected).toBe(3);
    expect(s.report.unknownEventTypes).toEqual({ '61': 1 });
    const rejects = readFileSync(join(d, 'rejects.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects.map((r) => r.line)).toEqual([6, 7, 9]);
    expect(rejects.map((r) => r.code)).toEqual(['invalid_json', 'wrong_type', 'invalid_timestamp']);
    for (const r of rejects) {
      expect(r.file).toBe(join(d, 'bad.ndjson'));
      expect(r.raw).toBe(lines[r.line - 1]);
      expect(r.reason.length).toBeGreaterThan(10);
    }
    expect(simfleet(['replay', join(d, 'bad.ndjson'), '--strict', '--quiet']).status).toBe(3);
  });

  it('--until gives the state of the log prefix up to that instant', () => {
    const sorted = [...logLines].sort((a, b) => timestampOf(a) - timestampOf(b));
    const cut = timestampOf(sorted[Math.floor(sorted.length / 2)]!);
    const until = new Date(cut).toISOString();
    const prefix = join(tempDir(), 'prefix.ndjson');
    writeFileSync(prefix, logLines.filter((l) => timestampOf(l) <= cut).join('\n'));
    const limited = simfleet(['replay', join(dir, 'log.ndjson'), '--json', '--until', until]);
    const reference = simfleet(['replay', prefix, '--json']);
    const s = snapshotOf(limited.stdout);
    expect(s.report.rejectedByReason['after_until']).toBe(logLines.length - logLines.filter((l) => timestampOf(l) <= cut).length);
    expect(stateOf(limited.stdout)).toBe(stateOf(reference.stdout));
  });

  it('reads stdin and writes --out', () => {
    const out = join(tempDir(), 'snap.json');
    const run = simfleet(['replay', '-', '--out', out, '--quiet'], { input: `${logLines.join('\n')}\n` });
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(baseline);
  });

  it('fails with one line and exit 1 on unusable arguments', () => {
    const missing = simfleet(['replay', 'no/such/file.ndjson']);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('no/such/file.ndjson');
    const badUntil = simfleet(['replay', join(dir, 'log.ndjson'), '--until', 'yesterday']);
    expect(badUntil.status).toBe(1);
    expect(badUntil.stderr).toContain('--until');
    expect(simfleet(['replay', '--frobnicate', 'x']).status).toBe(1);
  });
});

describe('simfleet device', () => {
  it('shows the state changes of one endpoint with the events that caused them', () => {
    const run = simfleet(['device', '11089066', 'examples/data']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('endpoint 11089066 "Test Sim 2": ');
    expect(run.stdout).toMatch(/connectivity\s+OFFLINE → ATTACHED\s+Update GPRS location/);
    expect(run.stdout).toMatch(/ATTACHED → ONLINE\s+Create PDP Context #137112624332866\s+\(after /);
    const json = JSON.parse(simfleet(['device', '11089066', 'examples/data', '--json']).stdout);
    expect(json.changes.length).toBeGreaterThan(1);
    expect(json.name).toBe('Test Sim 2');
  });
});

function timestampOf(line: string): number {
  return Date.parse((JSON.parse(line) as { timestamp: string }).timestamp.replace(/\+0000$/, 'Z'));
}
