/// <reference lib="dom" />
import { join } from 'node:path';
import type { FleetSummary } from '@simfleet/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveFromCheckpoint } from '@simfleet/engine';
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

describe(`the dashboard over ${ENDPOINTS.toLocaleString('en')} endpoints (a checkpoint loaded into serve)`, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let summary: FleetSummary;

  beforeAll(async () => {
    const dir = tempDir();
    const log = join(dir, 'fleet.ndjson');
    const checkpoint = join(dir, 'fleet.ckpt');
    expect(simfleet(['generate', '--events', String(2 * DEVICES), '--devices', String(DEVICES), '--seed', '5', '--out', log]).status).toBe(0);
    expect(simfleet(['replay', log, '--checkpoint', checkpoint, '--quiet', '--threads', '1']).status).toBe(0);
    server = await testServer({ live: await liveFromCheckpoint(checkpoint) });
    summary = (await (await api(server, '/fleet/summary')).json()) as FleetSummary;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, server);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('paints the overview and the table, and applies a filter; prints the times', async () => {
    const endpoints = summary.totals.endpoints;
    expect(endpoints).toBeGreaterThanOrEqual(ENDPOINTS);
    await page.goto(`${server.url}/`);
    const overviewPaint = await firstPaint(page);
    expect(Number(((await page.locator('[data-count="total"]').textContent()) ?? '').replace(/\D/g, ''))).toBe(endpoints);

    // The overview has the table's rows read after its reply; the table then reuses them.
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
    expect(await page.locator('table.endpoints tbody th').allTextContents()).toContain(String(sample?.endpointId));
    for (const s of await page.locator('table.endpoints tbody tr td:nth-child(2)').allTextContents()) expect(s).toContain('OFFLINE');

    await page.goto(`${server.url}/dashboard/endpoints?sort=lastEvent&dir=desc&page=100`);
    const sortPaint = await firstPaint(page);
    expect(await page.locator('table.endpoints tbody tr').count()).toBe(50);

    const report = [
      `dashboard @ ${endpoints} endpoints (Chromium headless, this machine):`,
      `  overview first paint ${ms(overviewPaint)}`,
      `  table first paint ${ms(tablePaint)} (first load after the overview ${ms(tableColdPaint)}, response ${ms(tableColdResponse)})`,
      `  filter change (status + text, ${matched} match): ${ms(filterWall)} click to table, first paint ${ms(filterPaint)}, response ${ms(filterResponse)}`,
      `  sort by last event, page 100: first paint ${ms(sortPaint)}`,
    ].join('\n');
    console.log(report);
    for (const t of [overviewPaint, tablePaint, tableColdPaint, filterPaint, sortPaint]) expect(Number.isFinite(t)).toBe(true);
  });
});
