/**
 * Inputs that are damaged or odd, read through `replaySources` and `expandPaths`: every
 * record is accounted for, nothing is skipped silently, nothing crashes.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateFleetLog } from '@simfleet/testkit';
import { describe, expect, it } from 'vitest';
import { expandPaths } from '../../src/input/expandPaths.js';
import { detectFormat } from '../../src/input/readRecords.js';
import type { Rejection } from '../../src/replay/ReplaySession.js';
import { replaySources } from '../../src/replay/replaySources.js';
import { snapshotChunks } from '../../src/snapshot/snapshot.js';
import { tempDir } from '../support.js';

function logLines(events: number, seed: number): string[] {
  const chunks: string[] = [];
  generateFleetLog({ events, devices: 30, seed, messy: false }, (c) => chunks.push(c));
  return chunks
    .join('')
    .split('\n')
    .filter((l) => l !== '');
}

async function replayFile(path: string): Promise<{ applied: number; records: number; rejects: Rejection[]; snapshot: string }> {
  const rejects: Rejection[] = [];
  const { session, account } = await replaySources(await expandPaths([path]), { onReject: (r) => rejects.push(r) });
  return { applied: account.applied, records: account.records, rejects, snapshot: Buffer.concat([...snapshotChunks(session.fleet, account)]).toString('utf8') };
}

describe('a damaged gzip file', () => {
  const lines = logLines(3000, 11);
  const gz = gzipSync(`${lines.join('\n')}\n`);
  const cases: [string, Buffer][] = [
    ['truncated', gz.subarray(0, Math.floor(gz.length * 0.6))],
    ['without its trailer', gz.subarray(0, gz.length - 8)],
    ['with a wrong CRC', Buffer.concat([gz.subarray(0, gz.length - 8), Buffer.of(gz[gz.length - 8]! ^ 0xff), gz.subarray(gz.length - 7)])],
    ['with garbage after it', Buffer.concat([gz, Buffer.from('this is not gzip\n')])],
  ];
  for (const [name, bytes] of cases) {
    it(`${name}: keeps the records read before the damage, and rejects the rest as one range`, async () => {
      const dir = tempDir();
      const path = join(dir, 'log.ndjson.gz');
      writeFileSync(path, bytes);
      const run = await replayFile(path);
      const corrupt = run.rejects.filter((r) => r.code === 'corrupt_input');
      expect(corrupt).toHaveLength(1);
      expect(corrupt[0]!.file).toBe(path);
      expect(corrupt[0]!.reason).toMatch(/compressed byte \d+/);
      // Nothing else is rejected: no garbage records from the damaged part.
      expect(run.rejects).toHaveLength(1);
      expect(run.records).toBe(run.applied + 1);
      if (name !== 'truncated') expect(run.applied).toBeGreaterThan(0);
      // The records kept are the first ones of the file, in order.
      expect(corrupt[0]!.line).toBe(run.applied + 1);
    });
  }
});

describe('the progress of a gzip file', () => {
  it('counts the decompressed bytes besides the compressed ones', async () => {
    const dir = tempDir();
    const path = join(dir, 'blank.ndjson.gz');
    // A gzip of newlines: no records, a thousand times its size once decompressed.
    writeFileSync(path, gzipSync(Buffer.alloc(4 << 20, 0x0a)));
    let last = { bytes: 0, decompressed: 0 };
    await replaySources(await expandPaths([path]), {
      progress: () => ({
        update: (_records, bytes, decompressed) => {
          last = { bytes, decompressed: decompressed ?? 0 };
        },
        done: () => {},
      }),
    });
    expect(last.decompressed).toBe(4 << 20);
    expect(last.bytes).toBeLessThan(100_000);
  });
});

describe('an input that starts with a lot of white space', () => {
  it('is decided NDJSON after 1 MiB, without holding the rest', async () => {
    let pulled = 0;
    async function* blanks(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 10_000; i++) {
        pulled++;
        yield Buffer.alloc(16384, 0x0a);
      }
    }
    const { format } = await detectFormat(blanks());
    expect(format).toBe('ndjson');
    // 1 MiB of 16 KiB chunks, and one more: not the 160 MB of the input.
    expect(pulled).toBe(65);
  });
});

describe('the byte-order mark', () => {
  it('is dropped at the start of NDJSON and of a JSON array alike', async () => {
    const lines = logLines(40, 3);
    const dir = tempDir();
    const bom = Buffer.of(0xef, 0xbb, 0xbf);
    writeFileSync(join(dir, 'plain.ndjson'), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'bom.ndjson'), Buffer.concat([bom, Buffer.from(`${lines.join('\n')}\n`)]));
    writeFileSync(join(dir, 'bom.json'), Buffer.concat([bom, Buffer.from(`[${lines.join(',\n')}]`)]));
    const plain = await replayFile(join(dir, 'plain.ndjson'));
    for (const name of ['bom.ndjson', 'bom.json']) {
      const run = await replayFile(join(dir, name));
      expect(run.rejects, name).toEqual([]);
      expect(run.snapshot, name).toBe(plain.snapshot);
    }
  });

  it('is invalid JSON anywhere else, in NDJSON and in a JSON array alike', async () => {
    const [a, b] = logLines(2, 4);
    const dir = tempDir();
    writeFileSync(join(dir, 'mid.ndjson'), `${a}\n\ufeff${b}\n`);
    writeFileSync(join(dir, 'mid.json'), `[${a},\n\ufeff${b}]`);
    for (const name of ['mid.ndjson', 'mid.json']) {
      const run = await replayFile(join(dir, name));
      expect(
        run.rejects.map((r) => [r.line, r.code]),
        name,
      ).toEqual([[2, 'invalid_json']]);
    }
  });
});

describe('bytes that are not UTF-8', () => {
  it('reject the record with the byte offset, on the fast path, the full decoder and in a JSON array', async () => {
    const [a] = logLines(1, 5);
    const at = a!.indexOf('"iccid":"') + '"iccid":"'.length;
    const bad = Buffer.concat([Buffer.from(a!.slice(0, at)), Buffer.of(0xff), Buffer.from(a!.slice(at))]);
    // A line the fast path falls back on (an escape in a kept string), with the same bad byte.
    const escaped = Buffer.from(bad.toString('latin1').replace('"description":"', '"description":"\\u0041'), 'latin1');
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.ndjson'), Buffer.concat([bad, Buffer.of(0x0a), escaped, Buffer.of(0x0a)]));
    writeFileSync(join(dir, 'bad.json'), Buffer.concat([Buffer.from('['), bad, Buffer.from(']')]));
    const ndjson = await replayFile(join(dir, 'bad.ndjson'));
    expect(ndjson.rejects.map((r) => [r.line, r.code])).toEqual([
      [1, 'invalid_utf8'],
      [2, 'invalid_utf8'],
    ]);
    expect(ndjson.rejects[0]!.reason).toContain(`byte ${at} of the record (0xff`);
    const array = await replayFile(join(dir, 'bad.json'));
    expect(array.rejects.map((r) => r.code)).toEqual(['invalid_utf8']);
    expect(array.applied).toBe(0);
  });
});

describe('a line longer than maxLineBytes', () => {
  it('is rejected as line_too_long and streamed past, the lines around it are read', async () => {
    const [a, b] = logLines(2, 6);
    const dir = tempDir();
    const path = join(dir, 'long.ndjson');
    // Far longer than the bound and than any chunk: it must be counted, never held.
    writeFileSync(path, `${a}\n${'x'.repeat(5 << 20)}\n${b}\n`);
    const rejects: Rejection[] = [];
    const { account } = await replaySources(await expandPaths([path]), { maxLineBytes: 1 << 16, onReject: (r) => rejects.push(r) });
    expect(rejects.map((r) => [r.line, r.code])).toEqual([[2, 'line_too_long']]);
    expect(rejects[0]!.reason).toContain(`${5 << 20} bytes`);
    expect(rejects[0]!.raw.length).toBeLessThan(1000);
    expect(account.applied).toBe(2);
  });
});

describe('a directory', () => {
  it('follows symbolic links, reports loops, FIFOs and dangling links instead of skipping them silently', async () => {
    const [a] = logLines(1, 7);
    const root = tempDir();
    const dir = join(root, 'logs');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const elsewhere = join(root, 'elsewhere.ndjson');
    writeFileSync(elsewhere, `${a}\n`);
    writeFileSync(join(dir, 'sub', 'real.ndjson'), `${a}\n`);
    symlinkSync(elsewhere, join(dir, 'linked.ndjson'));
    symlinkSync(dir, join(dir, 'sub', 'loop'));
    symlinkSync(join(root, 'missing.ndjson'), join(dir, 'dangling.ndjson'));
    execFileSync('mkfifo', [join(dir, 'pipe.ndjson')]);
    const warnings: string[] = [];
    const sources = await expandPaths([dir], { warn: (line) => warnings.push(line) });
    expect(sources.map((s) => (s.kind === 'file' ? s.path : '-'))).toEqual([join(dir, 'linked.ndjson'), join(dir, 'sub', 'real.ndjson')]);
    expect(warnings).toHaveLength(3);
    expect(warnings.find((w) => w.includes('pipe.ndjson'))).toContain('a FIFO');
    expect(warnings.find((w) => w.includes('dangling.ndjson'))).toContain('a symbolic link to nothing');
    expect(warnings.find((w) => w.includes('loop'))).toContain('a loop');
    // Without a place to report them, they are an error.
    await expect(expandPaths([dir])).rejects.toThrow(/skipped/);
  });
});
