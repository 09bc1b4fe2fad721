/**
 * `replay --format json|ndjson|csv|table` and the endpoint filters: json is the snapshot
 * contract byte for byte; the other formats show the snapshot's endpoints, filtered.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, simfleet } from './support.js';

const DATA = join(REPO, 'examples/data');

interface Endpoint {
  endpointId: number;
  status: string;
  organisationId: number | null;
  operator: { name: string | null; country: string | null } | null;
}

let snapshotText = '';
let endpoints: Endpoint[] = [];

beforeAll(() => {
  const run = simfleet(['replay', DATA, '--json', '--quiet']);
  expect(run.status, run.stderr).toBe(0);
  snapshotText = run.stdout;
  endpoints = (JSON.parse(snapshotText) as { endpoints: Endpoint[] }).endpoints;
});

/** The snapshot's endpoint lines, as written (one entry per line). */
const snapshotLines = (text: string): string[] =>
  text
    .split('\n')
    .filter((line) => line.startsWith('    {"endpointId"'))
    .map((line) => line.trim().replace(/,$/, ''));

describe('replay --format', () => {
  it('json is the --json snapshot, byte for byte', () => {
    expect(simfleet(['replay', DATA, '--format', 'json', '--quiet']).stdout).toBe(snapshotText);
  });

  it("ndjson is one line per endpoint, each exactly the snapshot's entry", () => {
    const run = simfleet(['replay', DATA, '--format', 'ndjson', '--quiet']);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').filter((l) => l !== '')).toEqual(snapshotLines(snapshotText));
  });

  it('csv has a header and one row per endpoint, operator fields spread into columns', () => {
    const run = simfleet(['replay', DATA, '--format', 'csv', '--quiet']);
    const rows = run.stdout.split('\n').filter((l) => l !== '');
    const header = rows[0]!.split(',');
    expect(header.slice(0, 4)).toEqual(['endpointId', 'status', 'connectivity', 'since']);
    expect(header).toContain('operatorCountry');
    expect(header).not.toContain('operator');
    expect(rows.length - 1).toBe(endpoints.length);
    const first = rows[1]!.split(',');
    expect(Number(first[0])).toBe(endpoints[0]!.endpointId);
    expect(first[1]).toBe(endpoints[0]!.status);
  });

  it('table prints aligned columns with a header', () => {
    const rows = simfleet(['replay', DATA, '--format', 'table', '--quiet'])
      .stdout.split('\n')
      .filter((l) => l !== '');
    expect(rows[0]).toMatch(/^ENDPOINT +STATUS +CONNECTIVITY +SINCE +ORGANISATION +OPERATOR +COUNTRY$/);
    expect(rows.length - 1).toBe(endpoints.length);
    expect(rows[1]!.startsWith(String(endpoints[0]!.endpointId))).toBe(true);
    expect(rows[1]!.indexOf(endpoints[0]!.status)).toBe(rows[0]!.indexOf('STATUS'));
  });

  it('refuses an unknown format and --json with another format', () => {
    expect(simfleet(['replay', DATA, '--format', 'xml']).stderr).toBe("simfleet: --format expects one of json, ndjson, csv, table, got 'xml'\n");
    const both = simfleet(['replay', DATA, '--json', '--format', 'csv']);
    expect(both.status).toBe(1);
    expect(both.stderr).toContain('--json is --format json');
  });
});

describe('replay endpoint filters', () => {
  const ndjson = (args: string[]): Endpoint[] => {
    const run = simfleet(['replay', DATA, '--format', 'ndjson', '--quiet', ...args]);
    expect(run.status, run.stderr).toBe(0);
    return run.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Endpoint);
  };

  it('--status keeps the endpoints of those effective statuses (case-insensitive, lists and repeats)', () => {
    const expected = endpoints.filter((e) => e.status === 'ONLINE' || e.status === 'DELETED').map((e) => e.endpointId);
    expect(expected.length).toBeGreaterThan(0);
    expect(ndjson(['--status', 'online,DELETED']).map((e) => e.endpointId)).toEqual(expected);
    expect(ndjson(['--status', 'ONLINE', '--status', 'deleted']).map((e) => e.endpointId)).toEqual(expected);
  });

  it('--organisation, --operator and --country select by the snapshot fields, and all given filters must match', () => {
    const org = endpoints.find((e) => e.organisationId !== null)!.organisationId!;
    expect(ndjson(['--organisation', String(org)]).map((e) => e.endpointId)).toEqual(
      endpoints.filter((e) => e.organisationId === org).map((e) => e.endpointId),
    );
    const operator = endpoints.find((e) => e.operator?.name === 'AT&T Mobility')!.operator!.name!;
    expect(ndjson(['--operator', 'at&t mobility']).map((e) => e.endpointId)).toEqual(
      endpoints.filter((e) => e.operator?.name === operator).map((e) => e.endpointId),
    );
    const both = endpoints.filter((e) => e.operator?.country === 'gb' && e.status === 'ONLINE').map((e) => e.endpointId);
    expect(both.length).toBeGreaterThan(0);
    expect(ndjson(['--country', 'GB', '--status', 'online']).map((e) => e.endpointId)).toEqual(both);
    expect(ndjson(['--country', 'unknown']).map((e) => e.endpointId)).toEqual(
      endpoints.filter((e) => (e.operator?.country ?? null) === null).map((e) => e.endpointId),
    );
  });

  it('refuses bad filter values, and filters on the snapshot or the summary, with one line', () => {
    expect(simfleet(['replay', DATA, '--format', 'csv', '--status', 'FOO']).stderr).toBe(
      "simfleet: --status expects one of DELETED, SUSPENDED, DISABLED, BLOCKED, ONLINE, ATTACHED, OFFLINE, got 'FOO'\n",
    );
    expect(simfleet(['replay', DATA, '--format', 'csv', '--organisation', 'acme']).status).toBe(1);
    for (const args of [['--json'], ['--format', 'json'], []]) {
      const run = simfleet(['replay', DATA, ...args, '--status', 'ONLINE']);
      expect(run.status, args.join(' ')).toBe(1);
      expect(run.stderr).toContain('filter the endpoints of --format ndjson, csv or table');
    }
  });
});
