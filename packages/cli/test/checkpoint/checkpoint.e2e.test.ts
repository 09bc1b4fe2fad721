/**
 * Checkpoints through the real `simfleet` binary (built: `pnpm build`): resume after a
 * split, refusal of damaged or foreign checkpoints, and a run SIGKILLed at random moments
 * then resumed, compared byte for byte with a clean run.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventColumns, getCompiledMachine, StringPool } from '@simfleet/core';
import { encodeCheckpoint } from '@simfleet/core/checkpoint';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointHasher } from '@simfleet/engine';
import { REPO, shuffled, simfleet, tempDir } from '../support.js';

const BIN = join(REPO, 'packages/cli/dist/bin.js');

let dir: string;
let log: string;

beforeAll(() => {
  dir = tempDir();
  log = join(dir, 'log.ndjson');
  const generated = simfleet(['generate', '--events', '40000', '--devices', '400', '--seed', '21', '--out', log]);
  expect(generated.status, generated.stderr).toBe(0);
}, 60_000);

describe('simfleet replay --from / --checkpoint', () => {
  it('replay A --checkpoint cp, then --from cp B, equals replaying A and B', () => {
    const lines = shuffled(
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .slice(0, 3000),
      5,
    );
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    // B: events older than A's newest (shuffled), plus duplicates of A's records.
    writeFileSync(a, `${lines.slice(0, 1800).join('\n')}\n`);
    writeFileSync(b, `${[...lines.slice(1800), ...lines.slice(0, 200)].join('\n')}\n`);
    const cp = join(dir, 'ab.ckpt');
    const first = simfleet(['replay', a, '--checkpoint', cp, '--quiet']);
    expect(first.status, first.stderr).toBe(0);
    const resumed = simfleet(['replay', '--from', cp, b, '--json', '--quiet']);
    expect(resumed.status, resumed.stderr).toBe(0);
    const full = simfleet(['replay', a, b, '--json', '--quiet']);
    expect(resumed.stdout).toBe(full.stdout);
    expect(JSON.parse(full.stdout).counts.duplicates).toBe(200);
  }, 60_000);

  it('refuses corrupt, truncated and other-statechart-version checkpoints with exit 1 and a reason', () => {
    const cp = join(dir, 'good.ckpt');
    const small = join(dir, 'small.ndjson');
    writeFileSync(small, `${readFileSync(log, 'utf8').split('\n').slice(0, 300).join('\n')}\n`);
    expect(simfleet(['replay', small, '--checkpoint', cp, '--quiet']).status).toBe(0);
    const bytes = readFileSync(cp);
    const variants: [string, Uint8Array, RegExp][] = [];
    const corrupt = Buffer.from(bytes);
    corrupt[Math.floor(corrupt.length / 2)]! ^= 0x40;
    variants.push(['corrupt', corrupt, /corrupt: checksum mismatch/]);
    variants.push(['truncated', bytes.subarray(0, bytes.length - 100), /truncated/]);
    // A checkpoint of format version 3 (its string index twice the slots).
    const version3 = Buffer.from(bytes);
    version3.writeUInt32LE(3, 8);
    variants.push(['version3', version3, /checkpoint format version 3 is not supported \(this simfleet reads version 4\): replay from the logs/]);
    // (Wrong magic and other format versions: test/checkpoint/checkpointFormat.test.ts in core.)
    const compiled = getCompiledMachine();
    const other = { ...compiled, status: compiled.status.map((s, i) => (i === 1 ? (s + 1) % 7 : s)) };
    const header = {
      createdAt: '2024-01-01T00:00:00.000Z',
      until: null,
      account: { records: 0, rejected: 0, rejectedByReason: [], unknownEventTypes: [], eventsWithoutEndpoint: 0, duplicatesRemoved: 0 },
      inputs: [],
    };
    const foreign = encodeCheckpoint({ header, columns: new EventColumns(new StringPool()) }, checkpointHasher, { compiled: other });
    variants.push(['machine', foreign, /another statechart version.*replay from the logs/]);
    for (const [name, content, message] of variants) {
      const path = join(dir, `${name}.ckpt`);
      writeFileSync(path, content);
      const run = simfleet(['replay', '--from', path, small, '--json']);
      expect(run.status, name).toBe(1);
      expect(run.stdout, name).toBe('');
      expect(run.stderr, name).toMatch(message);
      expect(run.stderr.trim().split('\n'), name).toHaveLength(1);
    }
  }, 60_000);

  it('survives SIGKILL at random moments: the last checkpoint resumes to the clean result', async () => {
    const clean = simfleet(['replay', log, '--json', '--quiet', '--threads', '1']);
    expect(clean.status, clean.stderr).toBe(0);
    const cp = join(dir, 'killed.ckpt');
    const args = (): string[] => [
      'replay',
      ...(existsSync(cp) ? ['--from', cp] : []),
      log,
      '--checkpoint',
      cp,
      '--checkpoint-every',
      '2000',
      '--threads',
      '1',
      '--json',
      '--quiet',
    ];
    const version = (): number => (existsSync(cp) ? statSync(cp).mtimeMs : -1);
    // Each run resumes from the previous run's checkpoint and is killed at a seeded random
    // moment after it wrote at least one checkpoint of its own (often mid-way through the next).
    let seed = 0x5eed;
    const delays: number[] = [];
    const killed: boolean[] = [];
    for (let kill = 0; kill < 3; kill++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const delay = seed % 400;
      delays.push(delay);
      const before = version();
      const child = spawn(process.execPath, [BIN, ...args()], { cwd: REPO, stdio: 'ignore' });
      let done = false;
      const exited = new Promise<void>((resolve) =>
        child.once('exit', () => {
          done = true;
          resolve();
        }),
      );
      for (let waited = 0; !done && version() === before && waited < 20_000; waited += 10) await sleep(10);
      await sleep(delay);
      killed.push(!done);
      child.kill('SIGKILL');
      await exited;
    }
    // The runs did not all finish before their kill: resuming really continued killed runs.
    expect(killed.some((k) => k)).toBe(true);
    const resumed = simfleet(args());
    expect(resumed.status, `${resumed.stderr} (kills after ${delays.join(', ')} ms)`).toBe(0);
    expect(resumed.stdout === clean.stdout, `kills after ${delays.join(', ')} ms`).toBe(true);
  }, 120_000);
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
