/**
 * `simfleet serve --pg` against the real PostgreSQL of the test setup: after POSTs in any
 * order, the `endpoints` table equals `GET /fleet/snapshot` row for row and equals
 * `simfleet replay --pg` of the same records; in-order delivery gives replay's transitions
 * too; an outage is caught up (the backlog bounded: past it, POSTs get 503); an unusable
 * database is one line and exit 1 before listening.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { dumpFleetTables, endpointRowsAsJson, freshDatabase } from '@simfleet/postgres/testing';
import { generateFleetLog, seededShuffle } from '@simfleet/testkit';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../src/main.js';
import { ServePostgres } from '../../src/postgres/servePostgres.js';
import { runServe } from '../../src/serve/serveCommand.js';
import { startServer } from '../../src/serve/startServer.js';
import { startSimfleet } from '../fetch/spawnSimfleet.js';
import { capture } from '../serve/captureIo.js';

const TOKEN = 't0ken';
const auth = { authorization: `Bearer ${TOKEN}` };

let url: string;
let lines: string[];
let logFile: string;

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not in time`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A running `simfleet serve` (in this process, on a free port). */
async function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ url: string; stop: () => Promise<number>; err: () => string }> {
  const io = capture();
  const abort = new AbortController();
  const exit = runServe(['--port', '0', '--token', TOKEN, ...args], { ...io, env, signal: abort.signal });
  await waitFor(async () => io.out().includes('\n') || io.err().includes('\n'), 'listening');
  const base = /listening on (\S+)/.exec(io.out())?.[1];
  if (base === undefined) throw new Error(`serve did not start: ${io.err()}`);
  return {
    url: base,
    err: io.err,
    stop: async () => {
      abort.abort();
      return exit;
    },
  };
}

async function post(base: string, batch: readonly string[]): Promise<number> {
  const res = await fetch(`${base}/events`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: batch.join('\n') });
  await res.arrayBuffer();
  return res.status;
}

async function getJson(base: string, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, { headers: auth });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

type PgStatus = { state: string; pendingTransitions: number; pendingEndpoints: number; writes: number; lastError: string | null };
const pgStatus = async (base: string): Promise<PgStatus> => (await getJson(base, '/healthz'))['postgres'] as PgStatus;
const caughtUp = (base: string) => waitFor(async () => (await pgStatus(base)).state === 'current', 'tables caught up');

/** The snapshot's endpoint entries, one JSON text per endpoint, as `GET /fleet/snapshot` prints them. */
async function snapshotEndpoints(base: string): Promise<string[]> {
  const res = await fetch(`${base}/fleet/snapshot`, { headers: auth });
  expect(res.status).toBe(200);
  return (await res.text())
    .split('\n')
    .filter((line) => line.startsWith('    {'))
    .map((line) => line.trim().replace(/,$/, ''));
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('pgUrl') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function replayPg(schema: string, file: string): Promise<void> {
  const io = capture();
  expect(
    await main(['replay', file, '--quiet', '--threads', '1', '--pg', url, '--pg-schema', schema], { ...io, stdin: new PassThrough(), env: {} }),
    io.err(),
  ).toBe(0);
}

/** Servers started as processes and not seen to exit: killed after each test. */
const running = new Set<ReturnType<typeof startSimfleet>['child']>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
});

/** `simfleet serve …` as a child process, with its URL once it listens. */
async function spawnServe(args: readonly string[]) {
  const started = startSimfleet(args);
  running.add(started.child);
  void started.done.then(() => running.delete(started.child));
  let out = '';
  const base = await new Promise<string>((resolve, reject) => {
    started.child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    started.done.then((r) => reject(new Error(`serve exited ${r.status} before listening: ${r.stderr}`)));
  });
  return { ...started, url: base };
}

beforeAll(async () => {
  url = await freshDatabase(inject('pgUrl'), 'cli_serve_pg');
  let text = '';
  generateFleetLog({ events: 6000, devices: 400, seed: 21, organisations: 3, messy: false }, (c) => {
    text += c;
  });
  lines = text.split('\n').filter((l) => l.trim() !== '');
  // The log ends with an organisation block, after every other event: it changes member
  // rows that no event of its batch names.
  const last = JSON.parse(lines[lines.length - 1] as string) as { timestamp: string; id: number };
  const template = JSON.parse(lines.find((l) => JSON.parse(l).endpoint == null) as string) as Record<string, unknown>;
  lines.push(
    JSON.stringify({
      ...template,
      timestamp: new Date(Date.parse(last.timestamp) + 60_000).toISOString(),
      id: last.id + 1000,
      description: 'Organisation blocked.',
      event_type: { id: 12, description: 'Organisation blocked' },
    }),
  );
  const dir = await mkdtemp(join(tmpdir(), 'simfleet-serve-pg-'));
  logFile = join(dir, 'log.ndjson');
  await writeFile(logFile, `${lines.join('\n')}\n`);
  await replayPg('replayed', logFile);
});

describe('simfleet serve --pg', () => {
  it('shuffled batches: the endpoints table equals GET /fleet/snapshot and replay --pg of the same records', async () => {
    const server = await serve(['--pg', url, '--pg-schema', 'shuffled', '--reorder-horizon', 'P3650D']);
    const block = lines[lines.length - 1] as string;
    const delivery = seededShuffle(lines.slice(0, -1), 7);
    // Every 9th record twice: a webhook retry.
    delivery.push(...lines.filter((_, i) => i % 9 === 0 && i < lines.length - 1));
    for (let i = 0; i < delivery.length; i += 173) expect(await post(server.url, delivery.slice(i, i + 173))).toBe(202);
    // The organisation block alone, last.
    expect(await post(server.url, [block])).toBe(202);
    delivery.push(block);
    await caughtUp(server.url);
    const snapshot = await snapshotEndpoints(server.url);
    expect(snapshot.length).toBeGreaterThan(350);
    const table = await endpointRowsAsJson(url, 'shuffled');
    expect(table).toEqual(snapshot);
    expect(table).toEqual(await endpointRowsAsJson(url, 'replayed'));
    expect(await dumpFleetTables(url, 'shuffled', ['endpoints', 'transitions', 'progress'])).toBe(
      await dumpFleetTables(url, 'replayed', ['endpoints', 'transitions', 'progress']),
    );
    const summary = await getJson(server.url, '/fleet/summary');
    expect(summary['postgres']).toMatchObject({ state: 'current', schema: 'shuffled', pendingTransitions: 0, lastError: null });
    expect(await server.stop()).toBe(0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const progress = await client.query("SELECT position FROM shuffled.progress WHERE stream = 'live'");
      expect(progress.rows[0].position).toMatchObject({ records: delivery.length, applied: lines.length, duplicates: delivery.length - lines.length });
      // Late events re-folded devices: their corrections are rows too, keyed by the late event.
      const { rows } = await client.query('SELECT count(*)::int AS n FROM shuffled.transitions');
      expect(rows[0].n).toBeGreaterThan(table.length);
    } finally {
      await client.end();
    }
  });

  it('in-order delivery from SIMFLEET_PG_URL: every table but progress equals replay --pg, transitions included', async () => {
    const server = await serve(['--pg-schema', 'in_order'], { SIMFLEET_PG_URL: url });
    for (let i = 0; i < lines.length; i += 500) expect(await post(server.url, lines.slice(i, i + 500))).toBe(202);
    await caughtUp(server.url);
    expect(await server.stop()).toBe(0);
    expect(await dumpFleetTables(url, 'in_order', ['progress'])).toBe(await dumpFleetTables(url, 'replayed', ['progress']));
  });

  it('a database that is down is caught up when it returns; past the bounded backlog POSTs get 503, nothing is lost', async () => {
    const outageUrl = await freshDatabase(inject('pgUrl'), 'cli_serve_outage');
    const logs: string[] = [];
    const sink = await ServePostgres.open({ pg: outageUrl }, {}, { log: (m) => logs.push(m), maxBacklogTransitions: 1000, retryMs: 50, maxRetryMs: 200 });
    if (sink === undefined) throw new Error('no sink');
    const server = await startServer({ port: 0, host: '127.0.0.1', token: TOKEN, reorderHorizonMs: 3650 * 86_400_000, sink, log: (m) => logs.push(m) });
    const half = lines.length / 2;
    // Each batch written before the next: the backlog never nears its bound while the database is up.
    for (let i = 0; i < half; i += 100) {
      expect(await post(server.url, lines.slice(i, i + 100))).toBe(202);
      await caughtUp(server.url);
    }
    // The database goes away: no new connections, and the open one is cut.
    await admin('ALTER DATABASE cli_serve_outage WITH ALLOW_CONNECTIONS false');
    await admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'cli_serve_outage'");
    const refused: string[][] = [];
    for (let i = half; i < lines.length; i += 50) {
      const batch = lines.slice(i, i + 50);
      const status = await post(server.url, batch);
      expect([202, 503]).toContain(status);
      if (status === 503) refused.push(batch);
    }
    const down = await pgStatus(server.url);
    expect(down).toMatchObject({ state: 'unreachable' });
    expect(down.pendingTransitions).toBeGreaterThanOrEqual(1000);
    expect(typeof down.lastError).toBe('string');
    expect(refused.length).toBeGreaterThan(0);
    expect((await getJson(server.url, '/fleet/summary'))['postgres']).toMatchObject({ state: 'unreachable' });
    await admin('ALTER DATABASE cli_serve_outage WITH ALLOW_CONNECTIONS true');
    await caughtUp(server.url);
    // What was refused is sent again, as a webhook sender does after a 503 (and again while the backlog is full).
    for (const batch of refused) {
      for (let tries = 0; (await post(server.url, batch)) !== 202; tries++) {
        expect(tries).toBeLessThan(20);
        await caughtUp(server.url);
      }
    }
    await caughtUp(server.url);
    const snapshot = await snapshotEndpoints(server.url);
    await server.close();
    await sink.close();
    const table = await endpointRowsAsJson(outageUrl, 'simfleet');
    expect(table).toEqual(snapshot);
    expect(table).toEqual(await endpointRowsAsJson(url, 'replayed'));
    expect(logs.some((m) => /--pg: .*accepting on, \d+ transitions waiting, retrying/.test(m))).toBe(true);
    expect(logs).toContain('simfleet serve: --pg: schema simfleet is written again');
  });

  it('SIGKILL mid-stream, restarted with the same --data-dir and --pg: the tables equal replay of every record', async () => {
    const restartUrl = await freshDatabase(inject('pgUrl'), 'cli_serve_restart');
    const dataDir = await mkdtemp(join(tmpdir(), 'simfleet-serve-pg-data-'));
    const args = [
      'serve',
      '--port',
      '0',
      '--token',
      TOKEN,
      '--data-dir',
      dataDir,
      '--pg',
      restartUrl,
      '--pg-schema',
      'restarted',
      '--reorder-horizon',
      'P3650D',
    ];
    const first = await spawnServe(args);
    const delivery = seededShuffle(lines, 3);
    const [half, threeQuarters] = [Math.floor(delivery.length / 2), Math.floor((delivery.length * 3) / 4)];
    for (let i = 0; i < half; i += 200) expect(await post(first.url, delivery.slice(i, Math.min(half, i + 200)))).toBe(202);
    await caughtUp(first.url);
    // The database goes away; a quarter more is accepted (journaled) but not written; then SIGKILL.
    await admin('ALTER DATABASE cli_serve_restart WITH ALLOW_CONNECTIONS false');
    await admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'cli_serve_restart'");
    for (let i = half; i < threeQuarters; i += 200) expect(await post(first.url, delivery.slice(i, Math.min(threeQuarters, i + 200)))).toBe(202);
    expect((await pgStatus(first.url)).pendingEndpoints).toBeGreaterThan(0);
    first.child.kill('SIGKILL');
    await first.done;
    await admin('ALTER DATABASE cli_serve_restart WITH ALLOW_CONNECTIONS true');
    // The restart recovers the journal and writes every row of the recovered fleet.
    const second = await spawnServe(args);
    await caughtUp(second.url);
    expect(await endpointRowsAsJson(restartUrl, 'restarted')).toEqual(await snapshotEndpoints(second.url));
    for (let i = threeQuarters; i < delivery.length; i += 200) expect(await post(second.url, delivery.slice(i, i + 200))).toBe(202);
    await caughtUp(second.url);
    const snapshot = await snapshotEndpoints(second.url);
    second.child.kill('SIGTERM');
    expect((await second.done).status).toBe(0);
    const table = await endpointRowsAsJson(restartUrl, 'restarted');
    expect(table).toEqual(snapshot);
    expect(table).toEqual(await endpointRowsAsJson(url, 'replayed'));
  });

  it('bad credentials or a missing database: one line, exit 1, before listening', async () => {
    const missing = new URL(inject('pgUrl'));
    missing.pathname = '/no_such_database';
    const io = capture();
    const code = await runServe(['--port', '0', '--token', TOKEN, '--pg', missing.toString()], { ...io, env: {} });
    expect(code).toBe(1);
    expect(io.out()).toBe('');
    expect(io.err()).toMatch(/^simfleet serve: --pg: .*no_such_database.*\n$/);
    const nobody = new URL(inject('pgUrl'));
    nobody.username = 'nobody';
    const io2 = capture();
    expect(await runServe(['--port', '0', '--token', TOKEN, '--pg', nobody.toString()], { ...io2, env: {} })).toBe(1);
    expect(io2.err()).toMatch(/^simfleet serve: --pg: [^\n]*\n$/);
    const io3 = capture();
    expect(await runServe(['--port', '0', '--token', TOKEN, '--pg-schema', 'x'], { ...io3, env: {} })).toBe(1);
    expect(io3.err()).toBe('simfleet serve: --pg-schema needs --pg URL (or SIMFLEET_PG_URL)\n');
  });
});
