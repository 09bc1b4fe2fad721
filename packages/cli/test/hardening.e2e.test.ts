/**
 * `simfleet replay` against hostile or unlucky users, through the built binary: outputs
 * that would destroy an input, full and read-only disks, unreadable inputs, a directory
 * where a file belongs, too many threads, Ctrl-C during a spilling replay, a damaged gzip.
 * Each failure is one line on stderr naming the file (exit 1), never a stack trace, and
 * leaves no partial output and no temporary file behind.
 *
 * The disk cases mount small tmpfs file systems (the tests run as root, as the project's
 * machines do) and unmount them after.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, simfleet, tempDir } from './support.js';

let dir: string;
let log: string;
let logBytes: Buffer;
const mounts: string[] = [];

/** A tmpfs of `size` mounted at a fresh directory (`ro`: read-only). */
function mountTmpfs(size: string, readOnly = false): string {
  const at = join(dir, `mnt-${mounts.length}`);
  mkdirSync(at);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${readOnly ? ',ro' : ''}`, 'tmpfs', at]);
  mounts.push(at);
  return at;
}

/** Exactly one line on stderr, with no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

beforeAll(() => {
  dir = tempDir();
  log = join(dir, 'log.ndjson');
  const generated = simfleet(['generate', '--events', '3000', '--devices', '50', '--seed', '9', '--out', log]);
  expect(generated.status, generated.stderr).toBe(0);
  logBytes = readFileSync(log);
});

afterAll(() => {
  for (const at of mounts) spawnSync('umount', [at]);
});

describe('an output that is an input', () => {
  for (const flag of ['--rejects', '--out', '--checkpoint']) {
    it(`${flag} INPUT is refused before anything is opened, and the input is untouched`, () => {
      const run = simfleet(['replay', log, flag, log, '--quiet']);
      expect(run.status).toBe(1);
      expect(oneLine(run.stderr)).toContain(`${flag} ${log} is the input '${log}'`);
      expect(readFileSync(log).equals(logBytes)).toBe(true);
    });
  }

  it('is recognised through another spelling of its path and through a symbolic link', () => {
    const link = join(dir, 'link.ndjson');
    if (!existsSync(link)) execFileSync('ln', ['-s', log, link]);
    for (const spelling of [join(dir, '.', 'log.ndjson'), link]) {
      const run = simfleet(['replay', log, '--rejects', spelling, '--quiet']);
      expect(run.status).toBe(1);
      expect(oneLine(run.stderr)).toContain('is the input');
    }
    expect(readFileSync(log).equals(logBytes)).toBe(true);
  });

  it('two outputs on one file are refused', () => {
    const out = join(dir, 'same.json');
    const run = simfleet(['replay', log, '--out', out, '--rejects', out, '--quiet']);
    expect(run.status).toBe(1);
    expect(oneLine(run.stderr)).toContain(`--rejects ${out} is the same file as --out ${out}`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('a full disk', () => {
  it('--out: one line naming the file, exit 1, no partial snapshot, no temporary file; a previous snapshot survives', () => {
    const full = mountTmpfs('64k');
    const out = join(full, 'snapshot.json');
    writeFileSync(out, 'previous');
    // 14 of the 16 pages taken: the snapshot's temporary file gets one page (4 KiB) before the disk is full.
    writeFileSync(join(full, 'filler'), Buffer.alloc(14 * 4096));
    const run = simfleet(['replay', log, '--out', out, '--quiet']);
    expect(run.status).toBe(1);
    const line = oneLine(run.stderr);
    expect(line).toContain(`cannot write '${out}'`);
    expect(line).toContain('ENOSPC');
    expect(readFileSync(out, 'utf8')).toBe('previous');
    expect(readdirSync(full).sort()).toEqual(['filler', 'snapshot.json']);
  });

  it('--rejects and --checkpoint: one line naming the file, exit 1', () => {
    const full = mountTmpfs('64k');
    // Enough rejects to overflow 64 KiB: every line of the log, made invalid.
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, logBytes.toString('utf8').replaceAll('{"id"', '{"id":'));
    const rejects = simfleet(['replay', bad, '--rejects', join(full, 'rejects.ndjson'), '--quiet']);
    expect(rejects.status).toBe(1);
    expect(oneLine(rejects.stderr)).toMatch(/cannot write '.*rejects\.ndjson': no space left on the device \(ENOSPC\)/);
    const checkpoint = simfleet(['replay', log, '--checkpoint', join(full, 'fleet.ckpt'), '--quiet']);
    expect(checkpoint.status).toBe(1);
    expect(oneLine(checkpoint.stderr)).toMatch(/fleet\.ckpt.*ENOSPC/);
    expect(readdirSync(full)).toEqual([]);
  });
});

describe('generate --out on a full device', () => {
  it('is one line naming the file, exit 1', () => {
    const run = simfleet(['generate', '--events', '100000', '--devices', '10', '--out', '/dev/full']);
    expect(run.status).toBe(1);
    expect(oneLine(run.stderr)).toBe("simfleet: cannot write '/dev/full': no space left on the device (ENOSPC): free some space or choose another file system");
  });

  it('on a full file system: exit 1, no partial log, no temporary file; a previous log survives', () => {
    const full = mountTmpfs('256k');
    const out = join(full, 'log.ndjson');
    writeFileSync(out, 'previous');
    // ~1.2 MB of log for a 256 KiB file system: the first block written fills it.
    const run = simfleet(['generate', '--events', '1000', '--devices', '10', '--out', out]);
    expect(run.status).toBe(1);
    expect(oneLine(run.stderr)).toBe(`simfleet: cannot write '${out}': no space left on the device (ENOSPC): free some space or choose another file system`);
    expect(readFileSync(out, 'utf8')).toBe('previous');
    expect(readdirSync(full)).toEqual(['log.ndjson']);
  });

  it('into a missing directory: one line before anything is generated, nothing created', () => {
    const out = join(dir, 'missing', 'log.ndjson');
    const run = simfleet(['generate', '--events', '10', '--devices', '2', '--out', out]);
    expect(run.status).toBe(1);
    expect(oneLine(run.stderr)).toContain(`cannot write '${out}'`);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`interrupted by ${signal}: no partial log and no temporary file`, async () => {
      const target = join(dir, `gen-${signal}`);
      mkdirSync(target);
      const out = join(target, 'log.ndjson');
      const child = spawn(process.execPath, [join(REPO, 'packages/cli/dist/bin.js'), 'generate', '--events', '20000000', '--devices', '1000', '--out', out], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      // Wait until the temporary file holds some of the log, then interrupt.
      const temp = (): string[] => readdirSync(target).filter((n) => n.startsWith('.log.ndjson.tmp-'));
      const deadline = Date.now() + 20_000;
      while (!(temp().length === 1 && statSync(join(target, temp()[0] ?? '')).size > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(temp()).toHaveLength(1);
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
      child.kill(signal);
      expect(await exited).toBe(signal);
      expect(readdirSync(target)).toEqual([]);
    });
  }
});

describe('a read-only file system', () => {
  it('is reported before the replay starts, for each output', () => {
    const ro = mountTmpfs('1m', true);
    for (const flag of ['--out', '--rejects', '--checkpoint']) {
      const run = simfleet(['replay', log, flag, join(ro, 'x'), '--quiet']);
      expect(run.status, flag).toBe(1);
      const line = oneLine(run.stderr);
      expect(line).toContain(join(ro, 'x'));
      expect(line).toContain('EROFS');
      // Before replaying: no accounting line was printed.
      expect(line).not.toContain('records');
    }
  });
});

describe('unusable inputs', () => {
  it('an unreadable file: one line naming it, exit 1', () => {
    const locked = join(dir, 'locked.ndjson');
    writeFileSync(locked, logBytes);
    chmodSync(locked, 0o000);
    // As an unprivileged user: root reads any file.
    const run = spawnSync(process.execPath, [join(REPO, 'packages/cli/dist/bin.js'), 'replay', locked, '--quiet'], {
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
      cwd: '/',
    });
    expect(run.status).toBe(1);
    expect(oneLine(run.stderr)).toBe(`simfleet: cannot read '${locked}': permission denied (EACCES): check the permissions or choose another path`);
  });

  it('--from a directory: one line naming it, exit 1', () => {
    const run = simfleet(['replay', log, '--from', dir, '--quiet']);
    expect(run.status).toBe(1);
    expect(oneLine(run.stderr)).toContain(`cannot read '${dir}': is a directory (EISDIR)`);
  });

  it('a damaged gzip: the records before the damage are kept, the rest is one reject, reported once', () => {
    const gz = gzipSync(logBytes);
    const damaged = join(dir, 'damaged.ndjson.gz');
    writeFileSync(damaged, gz.subarray(0, Math.floor(gz.length * 0.7)));
    const rejects = join(dir, 'damaged.rejects.ndjson');
    const run = simfleet(['replay', damaged, '--rejects', rejects, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const lines = readFileSync(rejects, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ file: damaged, code: 'corrupt_input' });
    const snapshot = JSON.parse(run.stdout) as { counts: { records: number; applied: number; rejected: number } };
    expect(snapshot.counts.rejected).toBe(1);
    expect(snapshot.counts.applied).toBeGreaterThan(1000);
    expect(snapshot.counts.records).toBe(snapshot.counts.applied + 1);
  });
});

describe('--threads', () => {
  it('above the cores is capped, with a warning, and gives the same snapshot', () => {
    const base = simfleet(['replay', log, '--json', '--threads', '1']);
    const many = simfleet(['replay', log, '--json', '--threads', '64']);
    expect(many.status, many.stderr).toBe(0);
    expect(many.stderr).toMatch(/--threads 64 is more than the \d+ cores of this machine; using \d+/);
    expect(many.stdout).toBe(base.stdout);
  });
});

describe('an interrupted replay', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`removes its spill directory on ${signal}`, async () => {
      const tmp = join(dir, `tmp-${signal}`);
      mkdirSync(tmp);
      const child = spawn(process.execPath, [join(REPO, 'packages/cli/dist/bin.js'), 'replay', '-', '--max-rows', '10', '--quiet'], {
        env: { ...process.env, TMPDIR: tmp },
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      // Enough rows to spill; stdin stays open, so the replay waits for more.
      child.stdin.write(logBytes.subarray(0, 200_000));
      const deadline = Date.now() + 20_000;
      while (readdirSync(tmp).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(readdirSync(tmp).some((n) => n.startsWith('simfleet-spill-'))).toBe(true);
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
      child.kill(signal);
      expect(await exited).toBe(signal);
      expect(readdirSync(tmp)).toEqual([]);
    });
  }
});

describe('the snapshot of a valid input', () => {
  it('is written atomically to --out and equals --json', () => {
    const out = join(dir, 'snap.json');
    const run = simfleet(['replay', log, '--out', out, '--json', '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(run.stdout);
    expect(statSync(out).isFile()).toBe(true);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
