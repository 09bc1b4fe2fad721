/// <reference lib="dom" />
/**
 * The overview of `simfleet serve --pg` charts and lists the changes of the PostgreSQL
 * tables (the real server of the test setup), not only those this server saw: the tables
 * are written by `simfleet replay --pg` in another process before serve starts, and by a
 * plain SQL insert while it runs. The chart's counts equal SQL's count of the same buckets
 * and the in-memory chart of the same records; the recent list equals the newest rows of
 * the `transitions` view, without an event type (the tables hold none), said so to
 * assistive technology; in Chromium the chart and the list update live after a POST.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventTypeByKey } from '@simfleet/core';
import { freshDatabase } from '@simfleet/postgres/testing';
import { generateFleetLog } from '@simfleet/testkit';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runServe } from '../../src/serve/serveCommand.js';
import type { RunningServer } from '../../src/serve/startServer.js';
import { capture } from '../serve/captureIo.js';
import { api, TOKEN, testServer, waitFor } from '../serve/httpClient.js';
import { simfleet, tempDir } from '../support.js';
import { launchChromium, postLines, signIn } from './browser.js';

/** `simfleet serve --pg URL` in this process, on a free port. */
async function servePg(dbUrl: string): Promise<RunningServer> {
  const io = capture();
  const abort = new AbortController();
  const exit = runServe(['--port', '0', '--token', TOKEN, '--pg', dbUrl], { ...io, env: {}, signal: abort.signal });
  await waitFor(async () => io.out().includes('\n') || io.err().includes('\n'), 30_000);
  const url = /listening on (\S+)/.exec(io.out())?.[1];
  if (url === undefined) throw new Error(`serve --pg did not start: ${io.err()}`);
  return {
    url,
    close: async () => {
      abort.abort();
      await exit;
    },
  };
}

interface ChartData {
  readonly bucketSeconds: number;
  readonly times: readonly number[];
  readonly into: Readonly<Record<'OFFLINE' | 'ATTACHED' | 'ONLINE', readonly number[]>>;
}

interface ListedChange {
  readonly key: string;
  readonly event: string;
}

const overview = async (server: RunningServer): Promise<string> => {
  const res = await api(server, '/', { headers: { accept: 'text/html' } });
  expect(res.status).toBe(200);
  return res.text();
};

/** The chart's data block of an overview. */
const chartOf = (page: string): ChartData =>
  JSON.parse(/<script type="application\/json" id="chart-data">(.*?)<\/script>/s.exec(page)?.[1] ?? 'null') as ChartData;

/** The recent list of an overview: `endpoint region from to event` per row, and its event cell. */
function recentOf(page: string): ListedChange[] {
  const table = /<table class="transitions">(.*?)<\/table>/s.exec(page)?.[1] ?? '';
  return [
    ...table.matchAll(
      /<tr><td>.*?<\/td><td><a href="\/dashboard\/endpoints\/(\d+)">\d+<\/a><\/td><td>(\w+)<\/td><td class="change">(.*?)<\/td><td class="event">(.*?)<\/td><\/tr>/gs,
    ),
  ].map((m) => {
    const [from, to] = [...(m[3] ?? '').matchAll(/class="badge s-(\w+)"/g)].map((b) => b[1]);
    return { key: `${m[1]} ${m[2]} ${from} ${to} ${/#(\d+)/.exec(m[4] ?? '')?.[1]}`, event: m[4] ?? '' };
  });
}

const total = (chart: ChartData): number => Object.values(chart.into).reduce((n, column) => n + column.reduce((a, b) => a + b, 0), 0);

/** "Event type not known", as the list shows it: a dash with its words for assistive technology. */
const UNKNOWN_TYPE = '<span class="event-type none" role="img" aria-label="event type not known"';

const REGIONS = `ARRAY['connectivity','sim','endpoint','block','dataQuota','smsQuota','status']::text[]`;

describe('the overview of serve --pg charts and lists the changes in PostgreSQL', () => {
  let dbUrl: string;
  let db: pg.Client;
  let pgServer: RunningServer;
  let memory: Awaited<ReturnType<typeof testServer>>;
  let lines: string[];

  /** The newest `n` rows of the `transitions` view, as the recent list orders them. */
  const newestInSql = async (n: number): Promise<string[]> => {
    const { rows } = await db.query<{ k: string }>(
      `SELECT endpoint_id || ' ' || region || ' ' || from_state || ' ' || to_state || ' ' || event_id AS k FROM simfleet.transitions
       ORDER BY at DESC, event_id DESC, endpoint_id DESC, array_position(${REGIONS}, region) DESC LIMIT $1`,
      [n],
    );
    return rows.map((r) => r.k);
  };

  /** SQL's count of connectivity changes per bucket of the chart's width, keyed `start state`. */
  const bucketsInSql = async (bucketSeconds: number): Promise<Map<string, number>> => {
    const { rows } = await db.query<{ start: string; to_state: string; n: string }>(
      `SELECT extract(epoch FROM date_bin(make_interval(secs => $1), at, 'epoch'))::bigint AS start, to_state, count(*) AS n
       FROM simfleet.transitions WHERE region = 'connectivity' GROUP BY 1, 2`,
      [bucketSeconds],
    );
    return new Map(rows.map((r) => [`${r.start} ${r.to_state}`, Number(r.n)]));
  };

  beforeAll(async () => {
    dbUrl = await freshDatabase(inject('pgUrl'), 'cli_dashboard_pg_overview');
    db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    let log = '';
    generateFleetLog({ events: 6000, devices: 400, seed: 9, organisations: 3, messy: false }, (c) => {
      log += c;
    });
    lines = log.split('\n').filter((l) => l.trim() !== '');
    // Another process writes the tables before serve starts: serve has seen none of it.
    const dir = tempDir();
    writeFileSync(join(dir, 'fleet.ndjson'), log);
    const replay = simfleet(['replay', join(dir, 'fleet.ndjson'), '--pg', dbUrl, '--out', join(dir, 'snapshot.json')]);
    expect(replay.status, replay.stderr).toBe(0);
    // The same records, in a server that charts them from memory.
    memory = await testServer();
    await postLines(memory, lines, 1000);
    pgServer = await servePg(dbUrl);
  });
  afterAll(async () => {
    await db?.end();
    await pgServer?.close();
    await memory?.close();
  });

  it('lists the newest changes of the tables, which this server never saw, without an event type', async () => {
    const page = await overview(pgServer);
    const listed = recentOf(page);
    expect(listed).toHaveLength(25);
    expect(listed.map((c) => c.key)).toEqual(await newestInSql(25));
    for (const c of listed) {
      expect(c.event).toContain(UNKNOWN_TYPE);
      expect(c.event).toContain('>—</span>');
    }
    // The in-memory server ingested them itself and names each event's type.
    const named = recentOf(await overview(memory));
    expect(named).toHaveLength(25);
    for (const c of named) expect(c.event).toMatch(/^<span class="event-type">[A-Z][^<]+<\/span> /);
  });

  it('charts the connectivity changes of the tables: the counts of SQL for the same buckets, and of the in-memory chart', async () => {
    const page = await overview(pgServer);
    const chart = chartOf(page);
    expect(chart.times.length).toBeGreaterThan(1);
    const sql = await bucketsInSql(chart.bucketSeconds);
    const sqlTotal = [...sql.values()].reduce((a, b) => a + b, 0);
    expect(sqlTotal).toBeGreaterThan(100);
    expect(total(chart)).toBe(sqlTotal);
    for (const [state, column] of Object.entries(chart.into)) {
      expect(column).toEqual(chart.times.map((start) => sql.get(`${start} ${state}`) ?? 0));
    }
    expect(page).toContain(`from the newest ${sqlTotal.toLocaleString('en').replaceAll(',', '\u202f')} connectivity changes in the PostgreSQL tables.`);
    // The server that ingested the same records kept all of their transitions, and draws the same chart.
    const fromMemory = await overview(memory);
    const kept = /from the last ([\d\u202f]+) transitions the server kept in memory \(of ([\d\u202f]+) since it started\)/.exec(fromMemory);
    expect(kept).not.toBeNull();
    expect(kept?.[1]).toBe(kept?.[2]);
    expect(chartOf(fromMemory)).toEqual(chart);
  });

  it('shows a change another process writes while it runs, first in the list and counted in its bucket', async () => {
    const { rows } = await db.query<{ id: string; at: Date }>(
      'SELECT (SELECT min(endpoint_id) FROM simfleet.endpoints) AS id, (SELECT max(at) FROM simfleet.transitions) AS at',
    );
    const id = Number(rows[0]?.id);
    const at = new Date((rows[0]!.at as Date).getTime() + 1000);
    const before = chartOf(await overview(pgServer));
    await db.query(`INSERT INTO simfleet.endpoint_transitions VALUES ($1, 'connectivity', 'ATTACHED', 'ONLINE', $2, 99999999990)`, [id, at]);
    try {
      const page = await overview(pgServer);
      const [first] = recentOf(page);
      expect(first?.key).toBe(`${id} connectivity ATTACHED ONLINE 99999999990`);
      expect(first?.event).toContain(UNKNOWN_TYPE);
      const after = chartOf(page);
      expect(total(after)).toBe(total(before) + 1);
      const sql = await bucketsInSql(after.bucketSeconds);
      expect(after.into.ONLINE).toEqual(after.times.map((start) => sql.get(`${start} ONLINE`) ?? 0));
      const bucket = Math.floor(at.getTime() / 1000 / after.bucketSeconds) * after.bucketSeconds;
      expect(after.times.at(-1)).toBe(bucket);
    } finally {
      await db.query('DELETE FROM simfleet.endpoint_transitions WHERE event_id = 99999999990');
    }
  });

  describe('in Chromium', () => {
    let browser: Browser;
    let page: Page;
    beforeAll(async () => {
      browser = await launchChromium();
      page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await signIn(page, pgServer, '/');
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('updates the chart and the recent list live after a POST, naming the type of the event it ingested', async () => {
      await page.locator('#live-state[data-state="live"]').waitFor();
      await page.locator('#chart canvas').waitFor();
      const chartText = () => page.locator('#chart-data').textContent();
      const before = JSON.parse((await chartText()) ?? 'null') as ChartData;
      const unknown = page.locator('#recent td.event [role="img"][aria-label="event type not known"]');
      expect(await unknown.count()).toBe(25);
      // After every change in the tables: the log's times are years before this machine's clock.
      const endpoint = 880_000_101;
      const time = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000).toISOString();
      const event = `{"id":8800000101,"timestamp":"${time}","description":"live","event_type":{"id":${eventTypeByKey('updateLocation').id}},"organisation":{"id":77},"endpoint":{"id":${endpoint}}}`;
      await postLines(pgServer, [event]);
      const firstRow = page.locator('#recent table.transitions tbody tr').first();
      await waitFor(async () => ((await firstRow.locator('td').nth(1).textContent()) ?? '').trim() === String(endpoint), 15_000);
      expect((await firstRow.locator('td.event').textContent())?.trim()).toMatch(new RegExp(`^${eventTypeByKey('updateLocation').name} #8800000101$`));
      await waitFor(async () => total(JSON.parse((await chartText()) ?? 'null') as ChartData) === total(before) + 1, 15_000);
      const after = JSON.parse((await chartText()) ?? 'null') as ChartData;
      expect(after.times.at(-1)).toBe(Math.floor(Date.parse(time) / 1000 / after.bucketSeconds) * after.bucketSeconds);
      expect(await unknown.count()).toBeLessThan(25);
    });
  });
});
