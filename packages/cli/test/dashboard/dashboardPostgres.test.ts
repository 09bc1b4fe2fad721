/// <reference lib="dom" />
/**
 * The dashboard of `simfleet serve --pg` reads PostgreSQL (the real one of the test setup):
 * for the same records its tables, pages, CSV and device pages equal those of a server
 * reading its live store; a row changed only in the database shows on the pages (so they
 * are read from there); a page loaded right after a POST shows it; and in Chromium the
 * counts equal `/fleet/summary`, a filter, a device page, the CSV and a live update work.
 */
import { readFileSync } from 'node:fs';
import { eventTypeByKey, type FleetSummary } from '@simfleet/core';
import { freshDatabase } from '@simfleet/postgres/testing';
import { generateFleetLog } from '@simfleet/testkit';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runServe } from '../../src/serve/serveCommand.js';
import type { RunningServer } from '../../src/serve/startServer.js';
import { capture } from '../serve/captureIo.js';
import { api, TOKEN, testServer, waitFor } from '../serve/httpClient.js';
import { launchChromium, postLines, signIn } from './browser.js';

/** `simfleet serve --pg URL` in this process, on a free port. */
async function servePg(dbUrl: string): Promise<RunningServer & { err: () => string }> {
  const io = capture();
  const abort = new AbortController();
  const exit = runServe(['--port', '0', '--token', TOKEN, '--pg', dbUrl], { ...io, env: {}, signal: abort.signal });
  await waitFor(async () => io.out().includes('\n') || io.err().includes('\n'), 30_000);
  const url = /listening on (\S+)/.exec(io.out())?.[1];
  if (url === undefined) throw new Error(`serve --pg did not start: ${io.err()}`);
  return {
    url,
    err: io.err,
    close: async () => {
      abort.abort();
      await exit;
    },
  };
}

const text = async (server: RunningServer, path: string): Promise<string> => {
  const res = await api(server, path);
  expect(res.status, path).toBe(200);
  return res.text();
};

/** The part of a page both sources must render alike. */
function region(page: string, start: string, end: string): string {
  const from = page.indexOf(start);
  expect(from, start).toBeGreaterThanOrEqual(0);
  return page.slice(from, page.indexOf(end, from) + end.length);
}

const results = (page: string): string => region(page, '<div id="results" data-live-region>', '</nav>\n</div>');
const facts = (page: string): string => region(page, '<dl class="facts">', '</dl>');
const timeline = (page: string): string => region(page, '<table class="timeline">', '</table>');
const rowIds = (page: string): number[] => [...page.matchAll(/<th scope="row"><a href="\/dashboard\/endpoints\/(\d+)"/g)].map((m) => Number(m[1]));
const number = (t: string | null): number => Number((t ?? '').replace(/[^\d]/g, ''));

/** An event time after the generated log's and before this machine's clock (later ones are refused). */
const NOW_MINUTE = Math.floor(Date.now() / 60_000) * 60_000;
const recent = (minutesAgo: number): string => new Date(NOW_MINUTE - minutesAgo * 60_000).toISOString();

const line = (id: number, key: Parameters<typeof eventTypeByKey>[0], endpointId: number, time: string, imei = ''): string =>
  `{"id":${id},"timestamp":"${time}","description":"live","event_type":{"id":${eventTypeByKey(key).id}},"organisation":{"id":77},"endpoint":{"id":${endpointId}${imei === '' ? '' : `,"imei":"${imei}"`}}}`;

describe('the dashboard of serve --pg reads PostgreSQL', () => {
  let dbUrl: string;
  let db: pg.Client;
  let pgServer: Awaited<ReturnType<typeof servePg>>;
  let memory: Awaited<ReturnType<typeof testServer>>;
  let lines: string[];

  const caughtUp = (): Promise<void> =>
    waitFor(async () => ((await (await api(pgServer, '/healthz')).json()) as { postgres: { state: string } }).postgres.state === 'current', 30_000);

  beforeAll(async () => {
    dbUrl = await freshDatabase(inject('pgUrl'), 'cli_dashboard_pg');
    db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    let log = '';
    generateFleetLog({ events: 8000, devices: 500, seed: 5, organisations: 3, messy: false }, (c) => {
      log += c;
    });
    lines = log.split('\n').filter((l) => l.trim() !== '');
    [pgServer, memory] = await Promise.all([servePg(dbUrl), testServer()]);
    // The same records in the same batches: the same live state on both.
    await Promise.all([postLines(pgServer, lines, 1000), postLines(memory, lines, 1000)]);
    await caughtUp();
  });
  afterAll(async () => {
    await db?.end();
    await pgServer?.close();
    await memory?.close();
  });

  it('says where it reads from, and its counts equal /fleet/summary', async () => {
    const page = await text(pgServer, '/');
    expect(page).toContain('Read from PostgreSQL, schema simfleet');
    expect(await text(memory, '/')).toContain('Read from the live state of this server');
    const summary = (await (await api(pgServer, '/fleet/summary')).json()) as FleetSummary;
    for (const [status, n] of Object.entries(summary.byStatus)) {
      const shown = new RegExp(`data-count="status:${status}">.*?<span class="card-value">([^<]*)</span>`).exec(page)?.[1] ?? null;
      expect(number(shown), status).toBe(n);
    }
    for (const [state, n] of Object.entries(summary.byConnectivity)) {
      const shown = new RegExp(`data-count="connectivity:${state}">.*?<span class="card-value">([^<]*)</span>`).exec(page)?.[1] ?? null;
      expect(number(shown), state).toBe(n);
    }
    expect(number(/data-count="total">([^<]*)</.exec(page)?.[1] ?? null)).toBe(summary.totals.endpoints);
    // The totals (organisations, newest event time) and the breakdowns are the same on both servers.
    expect(region(page, '<section id="totals"', '</section>')).toBe(region(await text(memory, '/'), '<section id="totals"', '</section>'));
    for (const id of ['by-operator', 'by-country', 'by-organisation']) {
      const start = `<section aria-labelledby="${id}-h"`;
      expect(region(page, start, '</section>'), id).toBe(region(await text(memory, '/'), start, '</section>'));
    }
  });

  it('filters, sorts and pages in the database exactly as the live store does', async () => {
    const summary = (await (await api(memory, '/fleet/summary')).json()) as FleetSummary;
    const operator = Object.keys(summary.byOperator).find((o) => o !== 'unknown') ?? 'unknown';
    const country = Object.keys(summary.byCountry)[0] ?? 'unknown';
    const organisation = Object.keys(summary.byOrganisation)[0] ?? 'unknown';
    const anEndpoint = (await (await api(memory, '/endpoints?limit=1')).json()) as { items: { endpointId: number; iccid: string | null }[] };
    const iccidPart = anEndpoint.items[0]?.iccid?.slice(-6) ?? '1';
    const named = (await (await api(memory, `/endpoints/${anEndpoint.items[0]?.endpointId}`)).json()) as { name: string | null };
    expect(named.name).not.toBeNull();
    const namePart = encodeURIComponent((named.name as string).split(' ')[0]?.toUpperCase() ?? '');
    const queries = [
      '',
      'status=OFFLINE',
      'status=ONLINE,ATTACHED&per=25&page=3',
      'connectivity=ONLINE&sort=since&dir=desc',
      `operator=${encodeURIComponent(operator)}&sort=lastEvent`,
      `country=${country}&sort=organisation&dir=desc&per=100`,
      `organisation=${organisation}&sort=operator`,
      'organisation=unknown',
      'operator=unknown&sort=country&dir=desc',
      `q=${iccidPart}`,
      `q=${namePart}&sort=lastEvent&dir=desc`,
      'q=12&sort=status&per=200',
      'sort=connectivity&dir=desc&page=2',
      'sort=lastEvent&dir=desc&page=999',
      'sort=id&dir=desc&per=25',
      'q=no-such-text',
    ];
    for (const q of queries) {
      const fromPg = await text(pgServer, `/dashboard/endpoints?${q}`);
      const fromMemory = await text(memory, `/dashboard/endpoints?${q}`);
      expect(results(fromPg), q).toBe(results(fromMemory));
      if (q === '') expect(rowIds(fromPg).length).toBe(50);
    }
  });

  it('exports the same CSV, and the same device pages with their event type names', async () => {
    for (const q of ['', 'status=OFFLINE', 'q=7&connectivity=ATTACHED']) {
      expect(await text(pgServer, `/dashboard/endpoints.csv?${q}`), q).toBe(await text(memory, `/dashboard/endpoints.csv?${q}`));
    }
    const busiest = await db.query<{ endpoint_id: string }>('SELECT endpoint_id FROM simfleet.transitions GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 3');
    for (const { endpoint_id: id } of busiest.rows) {
      const fromPg = await text(pgServer, `/dashboard/endpoints/${id}`);
      const fromMemory = await text(memory, `/dashboard/endpoints/${id}`);
      expect(facts(fromPg), id).toBe(facts(fromMemory));
      expect(timeline(fromPg), id).toBe(timeline(fromMemory));
      expect(timeline(fromPg)).toMatch(/<span class="event-type">[A-Z][^<]+<\/span>/);
    }
    expect((await api(pgServer, '/dashboard/endpoints/424242424')).status).toBe(404);
  });

  it('GET /endpoints?q= finds what the dashboard search finds (every page of it)', async () => {
    for (const q of ['12', '8988', '35', 'unit%2043', 'no-such-text']) {
      const csv = (await text(memory, `/dashboard/endpoints.csv?q=${q}`)).trimEnd().split('\r\n').slice(1);
      const viaApi: number[] = [];
      for (let cursor: string | null = null; ; ) {
        const res = await api(memory, `/endpoints?q=${q}&limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { items: { endpointId: number }[]; nextCursor: string | null };
        viaApi.push(...body.items.map((i) => i.endpointId));
        if (body.nextCursor === null) break;
        cursor = body.nextCursor;
      }
      expect(viaApi, q).toEqual(csv.filter((r) => r !== '').map((r) => Number(r.split(',')[0])));
      if (q === '12' || q === 'unit%2043') expect(viaApi.length, q).toBeGreaterThan(0);
    }
  });

  it('shows a row changed only in the database: the pages are read from there', async () => {
    const { rows } = await db.query<{ endpoint_id: string }>('SELECT endpoint_id FROM simfleet.endpoints ORDER BY endpoint_id LIMIT 1');
    const id = Number(rows[0]?.endpoint_id);
    const live = (await (await api(pgServer, `/endpoints/${id}`)).json()) as { imei: string | null };
    await db.query(`UPDATE simfleet.endpoints SET imei = 'only-in-pg-4711' WHERE endpoint_id = $1`, [id]);
    await db.query(`INSERT INTO simfleet.endpoint_transitions VALUES ($1, 'sim', 'ACTIVATED', 'SUSPENDED', '2099-01-01T00:00:00Z', 99999999999)`, [id]);
    try {
      expect(rowIds(await text(pgServer, '/dashboard/endpoints?q=only-in-pg-4711'))).toEqual([id]);
      expect(rowIds(await text(memory, '/dashboard/endpoints?q=only-in-pg-4711'))).toEqual([]);
      expect(await text(pgServer, `/dashboard/endpoints.csv?q=only-in-pg-4711`)).toContain(',only-in-pg-4711,');
      const device = await text(pgServer, `/dashboard/endpoints/${id}`);
      expect(facts(device)).toContain('only-in-pg-4711');
      expect(timeline(device)).toContain('#99999999999');
      // The API keeps answering from the live state.
      expect(((await (await api(pgServer, `/endpoints/${id}`)).json()) as { imei: string | null }).imei).toBe(live.imei);
    } finally {
      await db.query('UPDATE simfleet.endpoints SET imei = $2 WHERE endpoint_id = $1', [id, live.imei]);
      await db.query('DELETE FROM simfleet.endpoint_transitions WHERE event_id = 99999999999');
    }
  });

  it('shows what a POST just ingested: a read waits for the pending write', async () => {
    const endpoint = 880_000_001;
    await postLines(pgServer, [line(8_800_000_001, 'updateLocation', endpoint, recent(60), '358000000000001')]);
    // No wait for the writer here: the page itself waits for it.
    const device = await text(pgServer, `/dashboard/endpoints/${endpoint}`);
    expect(facts(device)).toContain('358000000000001');
    expect(timeline(device)).toContain(`${eventTypeByKey('updateLocation').name}</span> <span class="mono">#8800000001`);
    const overview = await text(pgServer, '/');
    expect(overview).toContain(`/dashboard/endpoints/${endpoint}`);
  });

  it('answers 503 in one line while the database cannot be read, and recovers', async () => {
    // Renamed away and back: the reads fail meanwhile, the page says why.
    await db.query('ALTER TABLE simfleet.endpoints RENAME TO endpoints_away');
    try {
      const res = await api(pgServer, '/dashboard/endpoints');
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/PostgreSQL cannot be read.*endpoints/s);
    } finally {
      await db.query('ALTER TABLE simfleet.endpoints_away RENAME TO endpoints');
    }
    expect((await api(pgServer, '/dashboard/endpoints')).status).toBe(200);
  });

  describe('in Chromium', () => {
    let browser: Browser;
    let page: Page;
    beforeAll(async () => {
      browser = await launchChromium();
      page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })).newPage();
      await signIn(page, pgServer, '/');
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('shows the counts of /fleet/summary, filters, opens a device page and downloads the CSV', async () => {
      await caughtUp();
      const summary = (await (await api(pgServer, '/fleet/summary')).json()) as FleetSummary;
      await page.goto(`${pgServer.url}/`);
      expect(await page.locator('.data-source').textContent()).toBe('Read from PostgreSQL, schema simfleet');
      for (const [status, n] of Object.entries(summary.byStatus)) {
        expect(number(await page.locator(`[data-count="status:${status}"] .card-value`).textContent()), status).toBe(n);
      }
      await page.locator('#chart canvas').waitFor();
      await page.goto(`${pgServer.url}/dashboard/endpoints`);
      await page.getByLabel('Status', { exact: true }).selectOption('OFFLINE');
      await Promise.all([page.waitForURL(/status=OFFLINE/), page.getByRole('button', { name: 'Apply filters' }).click()]);
      expect(number(await page.locator('[data-matched]').getAttribute('data-matched'))).toBe(summary.byStatus.OFFLINE);
      for (const s of await page.locator('table.endpoints tbody tr td:nth-child(2)').allTextContents()) expect(s).toContain('OFFLINE');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /^Download CSV/ }).click()]);
      const csv = readFileSync((await download.path()) as string, 'utf8')
        .trimEnd()
        .split('\r\n');
      expect(csv.length - 1).toBe(summary.byStatus.OFFLINE);
      const id = (await page.locator('table.endpoints tbody th a').first().textContent())?.trim() ?? '';
      await page.locator('table.endpoints tbody th a').first().click();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Endpoint ${id}`);
      expect(
        await page
          .locator('dl.facts div', { has: page.locator('dt:text-is("Status")') })
          .locator('dd')
          .textContent(),
      ).toContain('OFFLINE');
    });

    it('updates a device page live after a POST, reading the new row from the database', async () => {
      const endpoint = 880_000_002;
      await postLines(pgServer, [line(8_800_000_010, 'updateLocation', endpoint, recent(30))]);
      await page.goto(`${pgServer.url}/dashboard/endpoints/${endpoint}`);
      await page.locator('#live-state[data-state="live"]').waitFor();
      const before = await page.locator('table.timeline tbody tr').count();
      await postLines(pgServer, [line(8_800_000_011, 'purgeLocation', endpoint, recent(20))]);
      await waitFor(async () => (await page.locator('table.timeline tbody tr').count()) > before, 10_000);
      expect(await page.locator('.now').textContent()).toContain('OFFLINE');
      expect((await page.locator('table.timeline tbody tr').last().locator('td.event').textContent())?.trim()).toBe(
        `${eventTypeByKey('purgeLocation').name} #8800000011`,
      );
      expect(await page.locator('table.timeline tbody tr').last().textContent()).toContain('after 10 minutes');
    });
  });
});
