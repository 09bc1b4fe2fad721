import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { eventTypeByKey } from '@simfleet/core';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { runServe } from '../../src/serve/serveCommand.js';
import { capture } from './captureIo.js';

async function until(condition: () => boolean): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 5000) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('runServe (simfleet serve)', () => {
  it('prints the listening address (port 0 picks one), serves with the env token, stops on signal', async () => {
    const io = capture();
    const stop = new AbortController();
    const exit = runServe(['--port', '0', '--host', '127.0.0.1'], { ...io, env: { SIMFLEET_TOKEN: 'from-env' }, signal: stop.signal });
    await until(() => io.out().includes('\n'));
    const match = /^listening on (http:\/\/127\.0\.0\.1:(\d+))\n$/.exec(io.out());
    expect(match).not.toBeNull();
    expect(Number(match?.[2])).toBeGreaterThan(0);
    const url = match?.[1] as string;
    expect((await fetch(`${url}/fleet/summary`, { headers: { authorization: 'Bearer from-env' } })).status).toBe(200);
    expect((await fetch(`${url}/fleet/summary`)).status).toBe(401);
    stop.abort();
    expect(await exit).toBe(0);
  });

  it('prefers --token over SIMFLEET_TOKEN, and accepts --flag=value', async () => {
    const io = capture();
    const stop = new AbortController();
    const exit = runServe(['--port=0', '--token=flag-token'], { ...io, env: { SIMFLEET_TOKEN: 'env-token' }, signal: stop.signal });
    await until(() => io.out().includes('\n'));
    const url = /listening on (\S+)/.exec(io.out())?.[1] as string;
    expect((await fetch(`${url}/fleet/summary`, { headers: { authorization: 'Bearer flag-token' } })).status).toBe(200);
    expect((await fetch(`${url}/fleet/summary`, { headers: { authorization: 'Bearer env-token' } })).status).toBe(401);
    stop.abort();
    expect(await exit).toBe(0);
  });

  it('refuses to start without a token', async () => {
    const io = capture();
    expect(await runServe(['--port', '0'], { ...io, env: {} })).toBe(1);
    expect(io.err()).toContain('SIMFLEET_TOKEN');
    expect(io.out()).toBe('');
  });

  describe('--from CHECKPOINT', () => {
    const dirs: string[] = [];
    afterAll(async () => {
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    });
    const attach = eventTypeByKey('updateLocation').id;
    const pdp = eventTypeByKey('createPdpContext').id;
    const purge = eventTypeByKey('purgeLocation').id;

    it('starts from the state of a `simfleet replay --checkpoint` file, and live events continue it', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'simfleet-serve-'));
      dirs.push(dir);
      const log = join(dir, 'log.ndjson');
      await writeFile(
        log,
        [
          `{"id":1,"timestamp":"2021-10-27T08:38:02Z","event_type":{"id":${attach}},"endpoint":{"id":5}}`,
          `{"id":2,"timestamp":"2021-10-27T08:39:02Z","event_type":{"id":${pdp}},"description":"New PDP Context successfully activated","endpoint":{"id":5}}`,
          `{"id":3,"timestamp":"2021-10-27T08:40:00Z","event_type":{"id":${attach}},"endpoint":{"id":6}}`,
        ].join('\n'),
      );
      const checkpoint = join(dir, 'fleet.ckpt');
      const replayIo = capture();
      expect(await main(['replay', log, '--checkpoint', checkpoint, '--quiet'], { ...replayIo, stdin: new PassThrough(), env: {} })).toBe(0);

      const io = capture();
      const stop = new AbortController();
      const exit = runServe(['--port', '0', '--token', 't', '--from', checkpoint], { ...io, env: {}, signal: stop.signal });
      await until(() => io.out().includes('\n'));
      expect(io.err()).toContain('2 endpoints, as of 2021-10-27T08:40:00.000Z');
      const url = /listening on (\S+)/.exec(io.out())?.[1] as string;
      const get = async (path: string): Promise<Record<string, unknown> & { connectivity?: unknown }> =>
        (await (await fetch(`${url}${path}`, { headers: { authorization: 'Bearer t' } })).json()) as Record<string, unknown> & { connectivity?: unknown };
      expect(await get('/endpoints/5')).toMatchObject({ connectivity: 'ONLINE', sessions: 1, lastEventId: 2 });
      expect(await get('/fleet/summary')).toMatchObject({ totals: { endpoints: 2 }, eventTime: '2021-10-27T08:40:00.000Z' });

      const posted = await fetch(`${url}/events`, {
        method: 'POST',
        headers: { authorization: 'Bearer t' },
        body: `{"id":4,"timestamp":"2021-10-27T09:00:00Z","event_type":{"id":${purge}},"endpoint":{"id":5}}`,
      });
      expect(posted.status).toBe(202);
      // The live purge continues the checkpoint's device: ONLINE → OFFLINE.
      let state = await get('/endpoints/5');
      for (let tries = 0; state.connectivity !== 'OFFLINE' && tries < 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        state = await get('/endpoints/5');
      }
      expect(state).toMatchObject({ connectivity: 'OFFLINE', sessions: 1, lastEventId: 4 });
      stop.abort();
      expect(await exit).toBe(0);
    });

    it('refuses a missing or corrupt checkpoint with a message', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'simfleet-serve-'));
      dirs.push(dir);
      const corrupt = join(dir, 'bad.ckpt');
      await writeFile(corrupt, 'not a checkpoint at all');
      for (const [path, message] of [
        [join(dir, 'missing.ckpt'), 'no such checkpoint'],
        [corrupt, 'bad_magic'],
      ] as const) {
        const io = capture();
        expect(await runServe(['--port', '0', '--token', 't', '--from', path], { ...io, env: {} })).toBe(1);
        expect(io.err()).toContain(`--from ${path}: `);
        expect(io.err()).toContain(message);
        expect(io.out()).toBe('');
      }
    });
  });

  it('reports bad flags with the usage', async () => {
    for (const argv of [['--port', 'x'], ['--port', '70000'], ['--bogus'], ['--host']]) {
      const io = capture();
      expect(await runServe(argv, { ...io, env: { SIMFLEET_TOKEN: 't' } })).toBe(1);
      expect(io.err()).toContain('usage: simfleet serve');
    }
  });

  it('reports an address it cannot bind', async () => {
    const first = capture();
    const stop = new AbortController();
    const running = runServe(['--port', '0', '--token', 't'], { ...first, env: {}, signal: stop.signal });
    await until(() => first.out().includes('\n'));
    const port = /:(\d+)\n/.exec(first.out())?.[1] as string;
    const second = capture();
    expect(await runServe(['--port', port, '--token', 't'], { ...second, env: {} })).toBe(1);
    expect(second.err()).toContain('cannot listen');
    stop.abort();
    expect(await running).toBe(0);
  });
});
