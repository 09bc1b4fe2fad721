import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, simfleet, tempDir } from './support.js';

const BIN = join(REPO, 'packages/cli/dist/bin.js');

describe('simfleet generate', () => {
  it('writes the same bytes to a pipe (stdout) as to --out, several chunks long', () => {
    const dir = tempDir();
    const args = ['generate', '--events', '6000', '--devices', '300', '--seed', '3'];
    const toFile = simfleet([...args, '--out', join(dir, 'log.ndjson')]);
    expect(toFile.status, toFile.stderr).toBe(0);
    const file = readFileSync(join(dir, 'log.ndjson'));
    // ~7 MB: more than one 1 MiB chunk, and far more than a pipe holds, so the writer must wait for the reader.
    expect(file.length).toBeGreaterThan(3 << 20);
    const piped = spawnSync(process.execPath, [BIN, ...args], { maxBuffer: 64 << 20 });
    expect(piped.status, String(piped.stderr)).toBe(0);
    expect(Buffer.compare(piped.stdout, file)).toBe(0);
    expect(String(piped.stderr)).toMatch(/^generated 6000 events \(\d+\.\d MB\) for 300 devices in /);
  });

  it('stops quietly when the reader closes the pipe early', () => {
    const run = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" generate --events 200000 --devices 1000 --seed 1 | head -c 100`], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^\{"timestamp":"2021-10-27T00:00:00\.\d{3}Z"/);
    expect(run.stdout.length).toBe(100);
    expect(run.stderr).not.toMatch(/EPIPE|Error/);
  });
});
