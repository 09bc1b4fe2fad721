import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { generateFleetLog } from '@simfleet/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { runServe } from '../../src/serve/serveCommand.js';
import { capture } from './captureIo.js';

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 20_000) throw new Error(`${what}: not in time`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function replayJson(args: string[]): Promise<string> {
  const io = capture();
  expect(await main(['replay', ...args, '--json', '--quiet'], { ...io, stdin: new PassThrough(), env: {} }), io.err()).toBe(0);
  return io.out();
}

describe('simfleet serve --checkpoint', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('checkpoints every accepted record periodically and on stop; resuming equals replaying everything it received', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'simfleet-serve-ckpt-'));
    dirs.push(dir);
    const chunks: string[] = [];
    generateFleetLog({ events: 600, devices: 20, seed: 11 }, (c) => chunks.push(c));
    const lines = chunks
      .join('')
      .split('\n')
      .filter((l) => l !== '');
    // First part replayed into a checkpoint; the service continues from it.
    const first = lines.slice(0, 200);
    const live = lines.slice(200);
    await writeFile(join(dir, 'first.ndjson'), first.join('\n'));
    await writeFile(join(dir, 'all.ndjson'), lines.join('\n'));
    const start = join(dir, 'start.ckpt');
    expect(await main(['replay', join(dir, 'first.ndjson'), '--checkpoint', start, '--quiet'], { ...capture(), stdin: new PassThrough(), env: {} })).toBe(0);

    const out = join(dir, 'live.ckpt');
    const io = capture();
    const stop = new AbortController();
    const exit = runServe(['--port', '0', '--token', 't', '--from', start, '--checkpoint', out, '--checkpoint-every', '50'], {
      ...io,
      env: {},
      signal: stop.signal,
    });
    await waitFor(() => io.out().includes('\n'), 'listening');
    const url = /listening on (\S+)/.exec(io.out())?.[1] as string;
    // Live delivery: newest-first pages of 40, with one page sent twice (a retransmission).
    const pages: string[][] = [];
    for (let i = 0; i < live.length; i += 40) pages.push(live.slice(i, i + 40).reverse());
    pages.splice(3, 0, pages[2] as string[]);
    for (const page of pages) {
      const res = await fetch(`${url}/events`, { method: 'POST', headers: { authorization: 'Bearer t' }, body: `[${page.join(',')}]` });
      expect(res.status).toBe(202);
    }
    await waitFor(() => existsSync(out), 'a periodic checkpoint while running');
    stop.abort();
    expect(await exit).toBe(0);

    const resumed = await replayJson(['--from', out]);
    const full = await replayJson([join(dir, 'all.ndjson')]);
    // Same state, byte for byte; the counts differ only by the retransmitted page.
    const state = (text: string): string => text.slice(text.indexOf('  "endpoints": ['));
    expect(state(resumed)).toBe(state(full));
    const counts = (text: string) => (JSON.parse(text) as { counts: Record<string, number> }).counts;
    expect(counts(resumed)).toEqual({ ...counts(full), records: lines.length + 40, duplicates: 40 });
  });

  it('needs --checkpoint for the checkpoint timing flags', async () => {
    const io = capture();
    expect(await runServe(['--port', '0', '--token', 't', '--checkpoint-every', '5'], { ...io, env: {} })).toBe(1);
    expect(io.err()).toContain('need --checkpoint FILE');
  });
});
