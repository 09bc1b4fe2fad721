import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, simfleet, stateOf, tempDir } from '../support.js';
import { APP_TOKEN, EmnifyTestApi } from './emnifyTestApi.js';
import { fleetEvents, idsOf, sortedIds } from './fetchFixture.js';
import { simfleetAsync, startServe, startSimfleet } from './spawnSimfleet.js';

const servers: EmnifyTestApi[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A test API whose list grows at the front while the client pages, with a fault of each kind on the way. */
async function busyApi(total: number, initial: number, seed: number): Promise<{ api: EmnifyTestApi; all: ReturnType<typeof fleetEvents> }> {
  const all = fleetEvents(total, seed, 40);
  const arriving = all.slice(initial);
  const api = await EmnifyTestApi.start({
    perPageCap: 25,
    tokenTtlSeconds: 2,
    beforeEventRequest: (server, n) => {
      if (n > 1 && arriving.length > 0) server.add(arriving.splice(0, 7));
    },
  });
  servers.push(api);
  api.add(all.slice(0, initial));
  const page = (p: string) => (r: { params: URLSearchParams }) => r.params.get('page') === p && r.params.get('per_page') !== '1';
  api.fault('http429', page('2'), 1, '1');
  api.fault('http503', page('3'));
  api.fault('truncated', page('4'));
  api.fault('malformedHtml', page('5'));
  return { api, all };
}

describe('simfleet fetch (the built binary)', () => {
  it('fetches a shifting, faulty API completely, and replay of the file equals replay of the source', async () => {
    const { api, all } = await busyApi(600, 450, 21);
    const dir = tempDir();
    const out = join(dir, 'fetched.ndjson');
    const run = await simfleetAsync(['fetch', '--api', api.url, '--out', out, '--state', join(dir, 'state.json')], { EMNIFY_APPLICATION_TOKEN: APP_TOKEN });
    expect(run.status, run.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(idsOf(lines).sort()).toEqual(sortedIds(all));
    expect(run.stderr).toMatch(/= 600 new \+ \d+ duplicates \+ 0 rejected; 600 written; complete through /);
    expect(run.stderr).toMatch(/the server counts 600 events for the query; delivered over every run with this state: 600 \(complete\)/);
    expect(run.stderr).toMatch(/HTTP 429 \(rate limited\); retrying in 1\.0 s/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(api.authentications).toBeGreaterThan(1);

    const source = join(dir, 'source.ndjson');
    writeFileSync(source, `${all.map((e) => e.text).join('\n')}\n`);
    const fromFetch = simfleet(['replay', out, '--json', '--quiet']);
    const fromSource = simfleet(['replay', source, '--json', '--quiet']);
    expect(fromFetch.status, fromFetch.stderr).toBe(0);
    expect(fromSource.status).toBe(0);
    expect(fromFetch.stdout).toContain('"counts": {"records":600,"applied":600,"duplicates":0,"rejected":0}');
    expect(stateOf(fromFetch.stdout)).toBe(stateOf(fromSource.stdout));

    // A second run with the state fetches nothing again and leaves the file as it was.
    const again = await simfleetAsync(['fetch', '--api', api.url, '--app-token', APP_TOKEN, '--out', out, '--state', join(dir, 'state.json')]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/= 0 new \+ \d+ duplicates/);
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(600);
  }, 120_000);

  it('--to posts the events into a running simfleet serve: its state equals replay of the same events', async () => {
    const { api, all } = await busyApi(300, 200, 22);
    const serve = await startServe('serve-token-1');
    try {
      const run = await simfleetAsync(['fetch', '--api', api.url, '--app-token', APP_TOKEN, '--to', serve.url, '--token', 'serve-token-1']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/300 accepted by serve;/);
      const get = async (path: string): Promise<unknown> => (await fetch(`${serve.url}${path}`, { headers: { authorization: 'Bearer serve-token-1' } })).json();
      // serve applies as it receives: its snapshot is replay's for the same records.
      const summary = (await get('/fleet/summary')) as { pipeline: { applied: number; tooLate: number; duplicates: number } };
      expect(summary.pipeline).toMatchObject({ applied: 300, tooLate: 0, duplicates: 0 });
      const dir = tempDir();
      const source = join(dir, 'source.ndjson');
      writeFileSync(source, `${all.map((e) => e.text).join('\n')}\n`);
      const replayed = simfleet(['replay', source, '--json', '--quiet']);
      expect(replayed.status).toBe(0);
      const live = await (await fetch(`${serve.url}/fleet/snapshot`, { headers: { authorization: 'Bearer serve-token-1' } })).text();
      expect(live).toContain('"endpointId"');
      expect(stateOf(live)).toBe(stateOf(replayed.stdout));
    } finally {
      await serve.stop();
    }
  }, 120_000);

  it('--follow keeps polling until SIGTERM, then exits 0 with every event written', async () => {
    const all = fleetEvents(60, 23);
    const api = await EmnifyTestApi.start({ perPageCap: 20 });
    servers.push(api);
    api.add(all.slice(0, 30));
    const dir = tempDir();
    const out = join(dir, 'follow.ndjson');
    const { child, done } = startSimfleet(['fetch', '--api', api.url, '--app-token', APP_TOKEN, '--out', out, '--follow', '--interval', '0.2']);
    const lineCount = (): number => readFileSync(out, 'utf8').split('\n').length - 1;
    const waitFor = async (n: number): Promise<void> => {
      for (let i = 0; i < 200; i++) {
        try {
          if (lineCount() >= n) return;
        } catch {}
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await waitFor(30);
    api.add(all.slice(30));
    await waitFor(60);
    child.kill('SIGTERM');
    const run = await done;
    expect(run.status, run.stderr).toBe(0);
    expect(idsOf(readFileSync(out, 'utf8').trimEnd().split('\n')).sort()).toEqual(sortedIds(all));
  }, 60_000);

  it('shows a progress bar with pages and events on a terminal', async () => {
    const api = await EmnifyTestApi.start({ perPageCap: 5 });
    servers.push(api);
    api.add(fleetEvents(60, 25));
    const dir = tempDir();
    const bin = join(REPO, 'packages/cli/dist/bin.js');
    // util-linux `script` gives the command a pseudo-terminal, as a user's shell would.
    const command = `'${process.execPath}' '${bin}' fetch --api ${api.url} --app-token ${APP_TOKEN} --out '${join(dir, 'tty.ndjson')}'`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      screen += chunk;
    });
    const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(status, screen).toBe(0);
    // Each update clears the line first (carriage return, erase line), then redraws it.
    expect(screen).toContain('\r\u001b[2K[');
    expect(screen).toMatch(/\[[#.]{20}\] page \d+\/12 · pages \d+ · events [\d,]+ · duplicates \d+ · sweep 1/);
    expect(screen).toMatch(/= 60 new \+/);
  });

  it('reports a failed final count without failing the fetch', async () => {
    const api = await EmnifyTestApi.start({ perPageCap: 10 });
    servers.push(api);
    api.add(fleetEvents(15, 26));
    api.fault('http422', (r) => r.params.get('per_page') === '1');
    const dir = tempDir();
    const run = await simfleetAsync(['fetch', '--api', api.url, '--app-token', APP_TOKEN, '--out', join(dir, 'out.ndjson')]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/could not ask the server's count to check against: GET .*per_page=1.*: HTTP 422/);
    expect(readFileSync(join(dir, 'out.ndjson'), 'utf8').trimEnd().split('\n')).toHaveLength(15);
  });

  it('stops on a refused application token with one line and exit 1', async () => {
    const api = await EmnifyTestApi.start();
    servers.push(api);
    const dir = tempDir();
    const run = await simfleetAsync(['fetch', '--api', api.url, '--app-token', 'nope', '--out', join(dir, 'x.ndjson')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^simfleet fetch: POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/authenticate: HTTP 401: the application token was refused/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('stops with one line when the output or the state cannot be written', async () => {
    const api = await EmnifyTestApi.start();
    servers.push(api);
    api.add(fleetEvents(5));
    const full = await simfleetAsync(['fetch', '--api', api.url, '--app-token', APP_TOKEN, '--out', '/dev/full']);
    expect(full.status).toBe(1);
    expect(full.stderr).toMatch(/^simfleet fetch: \/dev\/full: ENOSPC/);
    expect(full.stderr.trim().split('\n')).toHaveLength(1);
    const dir = tempDir();
    const state = join(dir, 'missing-dir', 'state.json');
    const run = await simfleetAsync(['fetch', '--api', api.url, '--app-token', APP_TOKEN, '--out', join(dir, 'out.ndjson'), '--state', state]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^simfleet fetch: \S+missing-dir\/state\.json: ENOENT/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses unusable arguments with one line and exit 1', () => {
    const cases: [string[], RegExp][] = [
      [['fetch', '--out', 'x.ndjson'], /needs an application token/],
      [['fetch', '--app-token', 't'], /exactly one of --out FILE or --to URL/],
      [['fetch', '--app-token', 't', '--out', 'x', '--from', 'yesterday'], /--from expects an ISO-8601 instant/],
      [['fetch', '--app-token', 't', '--out', 'x', '--follow', '--until', '2021-10-27T00:00:00Z'], /cannot be combined with --until/],
      [['fetch', '--app-token', 't', '--to', 'http://127.0.0.1:9'], /--to needs serve's bearer token/],
      [['fetch', '--app-token', 't', '--out', 'x', '--type', 'pdp'], /--type expects event type ids/],
      [['fetch', '--app-token', 't', '--out', 'x', '--bogus'], /^simfleet: fetch: unknown option '--bogus' \(see 'simfleet fetch --help'\)/],
    ];
    for (const [args, message] of cases) {
      const run = simfleet(args, { env: { EMNIFY_APPLICATION_TOKEN: '', SIMFLEET_TOKEN: '' } });
      expect(run.status, args.join(' ')).toBe(1);
      expect(run.stderr, args.join(' ')).toMatch(message);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('--rejects lists records it cannot place, and --strict exits 3 for them', async () => {
    const events = fleetEvents(20, 24);
    const api = await EmnifyTestApi.start({ perPageCap: 8 });
    servers.push(api);
    const noId = events[3]!.text.replace(/,"id":\d+,"event_type"/, ',"event_type"');
    api.add([...events.slice(0, 3), { ...events[3]!, text: noId }, ...events.slice(4)]);
    const dir = tempDir();
    const rejects = join(dir, 'rejects.ndjson');
    const run = await simfleetAsync(['fetch', '--api', api.url, '--app-token', APP_TOKEN, '--out', join(dir, 'out.ndjson'), '--rejects', rejects, '--strict']);
    expect(run.status, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/= 19 new \+ \d+ duplicates \+ 1 rejected/);
    const lines = readFileSync(rejects, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { request?: unknown; index?: unknown; reason?: unknown; raw?: unknown });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ reason: 'no integer id (found nothing)', raw: noId });
    expect(String(lines[0]?.request)).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/event\?page=\d/);
    expect(readFileSync(join(dir, 'out.ndjson'), 'utf8').trimEnd().split('\n')).toHaveLength(19);
  });

  it('refuses a state file written for another query', async () => {
    const api = await EmnifyTestApi.start();
    servers.push(api);
    api.add(fleetEvents(5));
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const first = await simfleetAsync(['fetch', '--api', api.url, '--app-token', APP_TOKEN, '--out', join(dir, 'a.ndjson'), '--state', state]);
    expect(first.status, first.stderr).toBe(0);
    const other = await simfleetAsync(['fetch', '--api', api.url, '--app-token', APP_TOKEN, '--out', join(dir, 'a.ndjson'), '--state', state, '--type', '3']);
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/was written for another query/);
  });
});
