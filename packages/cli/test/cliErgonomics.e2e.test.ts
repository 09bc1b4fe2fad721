/**
 * The command line as a new user meets it: version, help, messages for mistakes, pipes
 * that close early, inputs with nothing in them, --until, and the summary's wording.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, simfleet, tempDir } from './support.js';

const BIN = join(REPO, 'packages/cli/dist/bin.js');
const DATA = join(REPO, 'examples/data');

/** Runs simfleet with stdout piped, closes the pipe after `keep` bytes, and reports how it ended. */
function readThenClose(args: readonly string[], keep: number): Promise<{ status: number | null; stderr: string; received: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, FORCE_COLOR: '0' } });
    let received = 0;
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= keep) child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr, received }));
  });
}

/** Every `--flag` a help text names. */
const flagsOf = (help: string): Set<string> => new Set(help.match(/--[a-z][a-z-]*/g) ?? []);

describe('simfleet --version and help', () => {
  it('prints the package version', () => {
    const version = JSON.parse(readFileSync(join(REPO, 'packages/cli/package.json'), 'utf8')).version as string;
    const run = simfleet(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`simfleet ${version}\n`);
  });

  it("lists every command's options in the top-level usage", () => {
    const usage = simfleet(['--help']).stdout;
    const listed = flagsOf(usage);
    for (const command of ['replay', 'device', 'generate', 'serve', 'fetch']) {
      const help = simfleet([command, '--help']);
      expect(help.status, command).toBe(0);
      const missing = [...flagsOf(help.stdout)].filter((flag) => flag !== '--help' && !listed.has(flag));
      expect(missing, `${command} options missing from 'simfleet --help'`).toEqual([]);
    }
  });

  it('serve --help lists the routes', () => {
    const help = simfleet(['serve', '--help']).stdout;
    for (const route of [
      'POST /events',
      'GET /fleet/summary',
      'GET /fleet/snapshot',
      'GET /endpoints',
      'GET /endpoints/:id',
      'GET /transitions',
      'GET /healthz',
      'GET /metrics',
    ]) {
      const [method, path] = route.split(' ');
      expect(help, route).toMatch(new RegExp(`^  ${method} +${path} `, 'm'));
    }
  });

  it('replay --help documents the exit statuses and how events after --until are counted', () => {
    const help = simfleet(['replay', '--help']).stdout;
    expect(help).toMatch(/4 nothing applied/);
    expect(help).toMatch(/after_until/);
    expect(help).toMatch(/without a zone is UTC/);
  });
});

describe('messages for mistakes', () => {
  it('says a negative --events is not allowed (not "ambiguous")', () => {
    const run = simfleet(['generate', '--events', '-5', '--devices', '3']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("simfleet: generate: --events does not take negative numbers, got '-5'\n");
  });

  it('names an unknown option once, with balanced quotes and where to look', () => {
    for (const command of ['replay', 'device', 'generate', 'serve']) {
      const run = simfleet([command, '--jsn']);
      expect(run.status, command).toBe(1);
      const first = run.stderr.split('\n')[0]!;
      expect(first, command).toContain("unknown option '--jsn'");
      expect((first.match(/'/g) ?? []).length % 2, first).toBe(0);
      expect(run.stderr, command).not.toMatch(/\n\s+at /);
    }
  });

  it('says a missing option value is missing', () => {
    const run = simfleet(['replay', DATA, '--until']);
    expect(run.stderr).toBe('simfleet: replay: --until expects a value\n');
  });
});

describe('pipes that close early', () => {
  it('replay --json | head -1 ends quietly with status 0', async () => {
    const run = await readThenClose(['replay', DATA, '--json', '--quiet'], 1);
    expect(run.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(run.status).toBe(0);
  });

  it('generate | head -c 100 reports what it wrote, not what it planned', async () => {
    const run = await readThenClose(['generate', '--events', '200000', '--devices', '1000'], 100);
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/EPIPE|\n\s+at /);
    const reported = /; (\d+) of 200000 events \((\d+) bytes\) were written in full/.exec(run.stderr);
    expect(reported, run.stderr).not.toBeNull();
    // Whole chunks written before the reader left: never more bytes than the reader was sent.
    expect(Number(reported![1])).toBeLessThan(200000);
    expect(Number(reported![2])).toBeLessThanOrEqual(run.received);
    expect(run.stderr).not.toMatch(/^generated 200000 events/m);
  });
});

describe('inputs with nothing to apply', () => {
  it('a README fed to replay warns and exits 4', () => {
    const run = simfleet(['replay', join(REPO, 'README.md'), '--quiet']);
    expect(run.status).toBe(4);
    expect(run.stderr).toMatch(/warning: nothing applied: \d+ records read/);
  });

  it('an empty file warns and exits 4', () => {
    const file = join(tempDir(), 'empty.ndjson');
    writeFileSync(file, '');
    const run = simfleet(['replay', file, '--quiet']);
    expect(run.status).toBe(4);
    expect(run.stderr).toMatch(/warning: nothing applied: 0 records read/);
  });
});

describe('--until', () => {
  let dir: string;
  let log: string;
  beforeAll(() => {
    dir = tempDir();
    log = join(dir, 'log.ndjson');
    expect(simfleet(['generate', '--events', '3000', '--devices', '40', '--seed', '3', '--out', log]).status).toBe(0);
  });

  it('a bare date is midnight UTC, and a time without a zone is UTC', () => {
    const midnight = simfleet(['replay', log, '--json', '--until', '2021-01-01T00:00:00Z']).stdout;
    expect(midnight.length).toBeGreaterThan(0);
    expect(simfleet(['replay', log, '--json', '--until', '2021-01-01']).stdout).toBe(midnight);
    expect(simfleet(['replay', log, '--json', '--until', '2021-01-01T00:00:00']).stdout).toBe(midnight);
    expect(simfleet(['replay', log, '--json', '--until', '2021-01-01T01:00:00+01:00']).stdout).toBe(midnight);
  });

  it('refuses what is not a time with one clear line', () => {
    for (const bad of ['2021-13-01', 'yesterday', '12:00']) {
      const run = simfleet(['replay', log, '--until', bad]);
      expect(run.status, bad).toBe(1);
      expect(run.stderr, bad).toBe(
        `simfleet: --until expects a date or an ISO-8601 time like 2021-10-27, 2021-10-27T12:00:00 (UTC) or 2021-10-27T12:00:00+02:00, got '${bad}'\n`,
      );
    }
  });

  it('reports events after --until apart from bad records, and --strict passes on them', () => {
    const first = JSON.parse(readFileSync(log, 'utf8').split('\n')[0]!) as { timestamp: string };
    const cut = new Date(Date.parse(first.timestamp) + 3600_000).toISOString();
    const run = simfleet(['replay', log, '--until', cut, '--strict', '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    const afterUntil = Number(/after --until\s+(\d+)/.exec(run.stdout)?.[1]);
    expect(afterUntil).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/^ {2}rejected\s+0$/m);
    expect(run.stderr).toContain(`(${afterUntil} of them after --until)`);

    // A bad record still fails --strict, and is counted apart from them.
    const withBad = join(dir, 'with-bad.ndjson');
    writeFileSync(withBad, `${readFileSync(log, 'utf8')}{not json\n`);
    const strict = simfleet(['replay', withBad, '--until', cut, '--strict', '--quiet']);
    expect(strict.status).toBe(3);
    expect(strict.stdout).toMatch(/^ {2}rejected\s+1$/m);
    expect(Number(/after --until\s+(\d+)/.exec(strict.stdout)?.[1])).toBe(afterUntil);
  });
});

describe('the summary', () => {
  it('says how many of how many it lists, what the status means, and what unknown event types are', () => {
    const run = simfleet(['replay', DATA, '--quiet']);
    expect(run.status).toBe(0);
    const organisations = Number(/ endpoints in (\d+) organisations/.exec(run.stdout)?.[1]);
    const listed = /^By organisation \(top (\d+) of (\d+) organisations; (\d+) without endpoints\)$/m.exec(run.stdout);
    expect(listed, run.stdout).not.toBeNull();
    expect(Number(listed![2])).toBe(organisations);
    expect(Number(listed![1]) + Number(listed![3])).toBe(organisations);
    expect(run.stdout).toMatch(/^By status \(effective: DELETED > SUSPENDED > DISABLED > BLOCKED, else the connectivity state\)$/m);
    expect(run.stdout).toContain('Event types not in the catalog (applied and counted, but they change no state):');
    expect(run.stdout).toMatch(/^ {2}type 29 +4 events$/m);
  });
});
