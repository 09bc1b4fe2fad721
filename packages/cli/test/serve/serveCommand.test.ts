import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runServe } from '../../src/serve/serveCommand.js';

interface Captured {
  readonly stdout: PassThrough;
  readonly stderr: PassThrough;
  out(): string;
  err(): string;
}

function capture(): Captured {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return { stdout, stderr, out: () => out, err: () => err };
}

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

  it('says clearly that --from is not supported yet', async () => {
    const io = capture();
    expect(await runServe(['--port', '0', '--token', 't', '--from', 'state.ckpt'], { ...io, env: {} })).toBe(1);
    expect(io.err()).toMatch(/--from state\.ckpt: .*not supported yet/);
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
