/// <reference lib="dom" />
import { join } from 'node:path';
import type { FleetSummary } from '@simfleet/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { liveFromCheckpoint } from '@simfleet/engine';
import { FleetQueries } from '@simfleet/postgres';
import { freshDatabase } from '@simfleet/postgres/testing';
import { api, testServer } from '../serve/httpClient.js';
import { simfleet, tempDir } from '../support.js';
import { launchChromium, signIn } from './browser.js';

type Server = Awaited<ReturnType<typeof testServer>>;
const ENDPOINTS = 100_000;
/** Two events a device on average: some simulated devices stay silent, so 120k give just over 100k endpoints. */
const DEVICES = 120_000;

/** First contentful paint of the page now loaded, ms after its navigation started (waits for it). */
const firstPaint = (page: Page): Promise<number> =>
  page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const observer = new PerformanceObserver((list) => {
          const paint = list.getEntries().find((e) => e.name === 'first-contentful-paint');
          if (paint !== undefined) {
            observer.disconnect();
            resolve(paint.startTime);
          }
        });
        observer.observe({ type: 'paint', buffered: true });
        setTimeout(() => resolve(Number.NaN), 10_000);
      }),
  );

/** Time to the response's last byte (server work plus transfer), ms after navigation start. */
const responseEnd = (page: Page): Promise<number> =>
  page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.responseEnd ?? Number.NaN);

const ms = (n: number): string => `${n.toFixed(0)} ms`;

/** Loads the pages a person would at this size, checks them, and returns the times as report lines. */
async function measure(page: Page, server: Server, summary: FleetSummary, label: string): Promise<string> {
  const endpoints = summary.totals.endpoints;
  await page.goto(`${server.url}/`);
  const overviewPaint = await firstPaint(page);
  expect(Number(((await page.locator('[data-count="total"]').textContent()) ?? '').replace(/\D/g, ''))).toBe(endpoints);

  // In memory the overview has the table's rows read after its reply; the table then reuses them.
  await page.goto(`${server.url}/dashboard/endpoints`);
  const tableColdPaint = await firstPaint(page);
  const tableColdResponse = await responseEnd(page);
  await page.goto(`${server.url}/dashboard/endpoints`);
  const tablePaint = await firstPaint(page);
  expect(Number(await page.locator('[data-matched]').getAttribute('data-matched'))).toBe(endpoints);

  await page.getByLabel('Status', { exact: true }).selectOption('OFFLINE');
  // The tail of one offline device's IMEI: a text filter that narrows 100k to a handful.
  const sample = ((await (await api(server, '/endpoints?status=OFFLINE&limit=1')).json()) as { items: { endpointId: number; imei: string }[] }).items[0];
  const text = sample?.imei.slice(-6) ?? '';
  expect(text).toMatch(/^\d{6}$/);
  await page.getByLabel('Search id, ICCID, IMSI, IMEI').fill(text);
  const started = Date.now();
  await Promise.all([page.waitForURL(/status=OFFLINE/), page.getByRole('button', { name: 'Apply filters' }).click()]);
  await page.locator('table.endpoints').waitFor();
  const filterWall = Date.now() - started;
  const filterPaint = await firstPaint(page);
  const filterResponse = await responseEnd(page);
  const matched = Number(await page.locator('[data-matched]').getAttribute('data-matched'));
  expect(matched).toBeGreaterThan(0);
  expect(matched).toBeLessThan(summary.byStatus.OFFLINE);
  expect(await page.locator('table.endpoints tbody th a').allTextContents()).toContain(String(sample?.endpointId));
  for (const s of await page.locator('table.endpoints tbody tr td:nth-child(2)').allTextContents()) expect(s).toContain('OFFLINE');

  await page.goto(`${server.url}/dashboard/endpoints?sort=lastEvent&dir=desc&page=100`);
  const sortPaint = await firstPaint(page);
  const sortResponse = await responseEnd(page);
  expect(await page.locator('table.endpoints tbody tr').count()).toBe(50);
  // The next page of the same order: in memory the sorted order is kept until the fleet changes.
  await page.getByRole('link', { name: 'Next →' }).click();
  await page.waitForURL(/page=101/);
  const nextPaint = await firstPaint(page);
  const nextResponse = await responseEnd(page);
  expect(await page.locator('table.endpoints tbody tr').count()).toBe(50);

  for (const t of [overviewPaint, tablePaint, tableColdPaint, filterPaint, sortPaint, nextPaint]) expect(Number.isFinite(t)).toBe(true);
  return [
    `dashboard @ ${endpoints} endpoints, ${label} (Chromium headless, this machine):`,
    `  overview first paint ${ms(overviewPaint)}`,
    `  table first paint ${ms(tablePaint)} (first load after the overview ${ms(tableColdPaint)}, response ${ms(tableColdResponse)})`,
    `  filter change (status + text, ${matched} match): ${ms(filterWall)} click to table, first paint ${ms(filterPaint)}, response ${ms(filterResponse)}`,
    `  sort by last event, page 100: first paint ${ms(sortPaint)}, response ${ms(sortResponse)}; its next page: first paint ${ms(nextPaint)}, response ${ms(nextResponse)}`,
  ].join('\n');
}

describe(`the dashboard over ${ENDPOINTS.toLocaleString('en')} endpoints (a checkpoint loaded into serve; the same replay in PostgreSQL)`, () => {
  let server: Server;
  let pgServer: Server;
  let queries: FleetQueries;
  let browser: Browser;
  let page: Page;
  let summary: FleetSummary;

  beforeAll(async () => {
    const dir = tempDir();
    const log = join(dir, 'fleet.ndjson');
    const checkpoint = join(dir, 'fleet.ckpt');
    const dbUrl = await freshDatabase(inject('pgUrl'), 'cli_dashboard_scale');
    expect(simfleet(['generate', '--events', String(2 * DEVICES), '--devices', String(DEVICES), '--seed', '5', '--out', log]).status).toBe(0);
    // One replay: the checkpoint for the in-memory server, the tables for the --pg one.
    const replay = simfleet(['replay', log, '--checkpoint', checkpoint, '--quiet', '--threads', '1', '--pg', dbUrl]);
    expect(replay.status, replay.stderr).toBe(0);
    server = await testServer({ live: await liveFromCheckpoint(checkpoint) });
    queries = await FleetQueries.open(dbUrl);
    pgServer = await testServer({ live: await liveFromCheckpoint(checkpoint), dashboardQueries: queries });
    summary = (await (await api(server, '/fleet/summary')).json()) as FleetSummary;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, server);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await pgServer?.close();
    await queries?.close();
  });

  it('paints the overview and the table, and applies a filter, from the live store and from PostgreSQL; prints the times', async () => {
    expect(summary.totals.endpoints).toBeGreaterThanOrEqual(ENDPOINTS);
    const memoryReport = await measure(page, server, summary, 'live store');
    await signIn(page, pgServer);
    expect(await page.locator('.data-source').textContent()).toBe('Read from PostgreSQL, schema simfleet');
    const pgReport = await measure(page, pgServer, summary, 'serve --pg (PostgreSQL 15, same machine)');
    console.log(`${memoryReport}\n${pgReport}`);
  });
});
