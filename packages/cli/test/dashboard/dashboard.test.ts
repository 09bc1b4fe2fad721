/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { EVENT_TYPES, eventTypeByKey, type FleetSummary } from '@simfleet/core';
import { generateFleetLog } from '@simfleet/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, testServer, waitFor } from '../serve/httpClient.js';
import { launchChromium, postLines, signIn } from './browser.js';

type Server = Awaited<ReturnType<typeof testServer>>;
type Summary = FleetSummary & {
  pipeline: { received: number; applied: number; duplicates: number; tooLate: number; futureTimestamp: number; unapplied: number };
};

const summaryOf = async (server: Server): Promise<Summary> => (await (await api(server, '/fleet/summary')).json()) as Summary;

/** Waits until every posted record is applied or accounted for (ingest is synchronous: this confirms it). */
async function waitSettled(server: Server, records: number): Promise<void> {
  await waitFor(async () => {
    const p = (await summaryOf(server)).pipeline;
    return p.received >= records && p.applied + p.duplicates + p.tooLate + p.futureTimestamp + p.unapplied >= p.received;
  }, 30_000);
}

/** The number in a count card or a "N endpoints match" line (thin-space thousands). */
const number = (text: string | null): number => Number((text ?? '').replace(/[^\d]/g, ''));

const line = (id: number, key: Parameters<typeof eventTypeByKey>[0], endpointId: number, time: string): string =>
  `{"id":${id},"timestamp":"${time}","description":"live","event_type":{"id":${eventTypeByKey(key).id}},"organisation":{"id":77},"endpoint":{"id":${endpointId}}}`;

describe('the dashboard in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let records = 0;

  beforeAll(async () => {
    server = await testServer();
    const chunks: string[] = [];
    generateFleetLog({ events: 12_000, devices: 600, seed: 11 }, (c) => chunks.push(c));
    const lines = chunks
      .join('')
      .split('\n')
      .filter((l) => l !== '');
    records = lines.length;
    await postLines(server, lines);
    await waitSettled(server, records);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in through the form and comes back to the page it was sent from', async () => {
    await signIn(page, server, '/dashboard/endpoints?status=ONLINE');
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/dashboard/endpoints?status=ONLINE');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'simfleet_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
    // Script cannot read the session (HttpOnly), and nothing about the token is in the URL.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(page.url()).not.toContain('token');
  });

  it('shows the counts of /fleet/summary by status and connectivity, and its breakdowns', async () => {
    await page.goto(`${server.url}/`);
    const summary = await summaryOf(server);
    for (const [status, n] of Object.entries(summary.byStatus)) {
      const card = page.locator(`[data-count="status:${status}"]`);
      expect(number(await card.locator('.card-value').textContent()), status).toBe(n);
      // The state is written out beside its colour.
      expect(await card.locator('.badge').textContent()).toContain(status);
    }
    for (const [state, n] of Object.entries(summary.byConnectivity)) {
      expect(number(await page.locator(`[data-count="connectivity:${state}"] .card-value`).textContent()), state).toBe(n);
    }
    expect(number(await page.locator('[data-count="total"]').textContent())).toBe(summary.totals.endpoints);
    // Operators by count, largest first, each with the summary's number.
    const operators = await page.locator('#by-operator tbody th').allTextContents();
    const operatorCounts = await page.locator('#by-operator tbody td').allTextContents();
    const expected = Object.entries(summary.byOperator)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 10);
    expect(operators.map((name, i) => [name, number(operatorCounts[i] ?? '')])).toEqual(expected);
    for (const [org, n] of Object.entries(summary.byOrganisation)) {
      const row = page.locator('#by-organisation tbody tr', { hasText: org });
      expect(number(await row.locator('td').textContent())).toBe(n);
    }
    // The chart is drawn by uPlot (served by the server itself) from the kept transitions.
    await page.locator('#chart canvas').waitFor();
    const chart = JSON.parse((await page.locator('#chart-data').textContent()) ?? '{}') as { into: { ONLINE: number[] } };
    expect(chart.into.ONLINE.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(await page.locator('#recent tbody tr').count()).toBe(25);
  });

  it('filters the endpoint table through the URL, sorts and pages server-side', async () => {
    const summary = await summaryOf(server);
    await page.goto(`${server.url}/dashboard/endpoints`);
    await page.getByLabel('Status', { exact: true }).selectOption('ATTACHED');
    await Promise.all([page.waitForURL(/status=ATTACHED/), page.getByRole('button', { name: 'Apply filters' }).click()]);
    expect(number(await page.locator('[data-matched]').getAttribute('data-matched'))).toBe(summary.byStatus.ATTACHED);
    const statuses = await page.locator('table.endpoints tbody tr td:nth-child(2)').allTextContents();
    expect(statuses.length).toBe(Math.min(50, summary.byStatus.ATTACHED));
    for (const s of statuses) expect(s).toContain('ATTACHED');
    // The filter lives in the URL: a fresh load of it shows the same filter and rows.
    await page.reload();
    expect(await page.getByLabel('Status', { exact: true }).inputValue()).toBe('ATTACHED');
    // Sort by last event, newest first, via the column header.
    await page.getByRole('link', { name: /^Last event \(UTC\): sort/ }).click();
    await page.getByRole('link', { name: /^Last event \(UTC\): sort/ }).click();
    expect(page.url()).toMatch(/sort=lastEvent&dir=desc|dir=desc.*sort=lastEvent|sort=lastEvent.*dir=desc/);
    const times = await page.locator('table.endpoints tbody tr td:last-child time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''));
    expect(times.length).toBeGreaterThan(1);
    expect([...times].sort().reverse()).toEqual(times);
    // Server-side pages: page 2 continues without repeating page 1.
    const first = await page.locator('table.endpoints tbody th a').allTextContents();
    await page.getByRole('link', { name: 'Next →' }).click();
    expect(page.url()).toContain('page=2');
    const second = await page.locator('table.endpoints tbody th a').allTextContents();
    expect(second.length).toBeGreaterThan(0);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    // Free text finds an endpoint by its ICCID.
    const device = (await (await api(server, `/endpoints/${second[0]?.trim()}`)).json()) as { endpointId: number; iccid: string };
    await page.goto(`${server.url}/dashboard/endpoints?q=${device.iccid}`);
    expect(await page.locator('table.endpoints tbody th a').allTextContents()).toEqual([String(device.endpointId)]);
    // And by its name, whatever the case, typed into the search field.
    const named = (await (await api(server, `/endpoints/${second[1]?.trim()}`)).json()) as { endpointId: number; name: string };
    expect(named.name).toMatch(/\d/);
    await page.goto(`${server.url}/dashboard/endpoints`);
    await page.getByLabel('Search id, ICCID, IMSI, IMEI, name').fill(named.name.toUpperCase());
    await Promise.all([page.waitForURL(/q=/), page.getByRole('button', { name: 'Apply filters' }).click()]);
    expect(await page.locator('table.endpoints tbody th a').allTextContents()).toContain(String(named.endpointId));
    const names = await page.locator('table.endpoints tbody th .ep-name').allTextContents();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      expect(name.toLowerCase()).toContain(named.name.toLowerCase());
    }
  });

  it('downloads the filtered set as CSV', async () => {
    const summary = await summaryOf(server);
    await page.goto(`${server.url}/dashboard/endpoints?status=ONLINE&per=25`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /^Download CSV/ }).click()]);
    expect(download.suggestedFilename()).toBe('simfleet-endpoints.csv');
    const text = readFileSync((await download.path()) as string, 'utf8');
    const rows = text.trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'endpointId,status,connectivity,since,stale,operator,country,organisationId,iccid,imsi,imei,name,ipAddress,simStatus,endpointStatus,blocked,lastEventId,lastEventAt',
    );
    // Every page of the set, not the 25 rows on screen.
    expect(rows.length - 1).toBe(summary.byStatus.ONLINE);
    const viaApi: number[] = [];
    for (let cursor: string | null = null; ; ) {
      const body = (await (await api(server, `/endpoints?status=ONLINE&limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`)).json()) as {
        items: { endpointId: number }[];
        nextCursor: string | null;
      };
      viaApi.push(...body.items.map((i) => i.endpointId));
      if (body.nextCursor === null) break;
      cursor = body.nextCursor;
    }
    expect(rows.slice(1).map((r) => Number(r.split(',')[0]))).toEqual(viaApi);
    for (const r of rows.slice(1)) expect(r.split(',')[1]).toBe('ONLINE');
  });

  it('shows a device page: its current state and its timeline with durations', async () => {
    await page.goto(`${server.url}/dashboard/endpoints?sort=lastEvent&dir=desc`);
    const id = (await page.locator('table.endpoints tbody th a').first().textContent())?.trim() ?? '';
    await page.locator('table.endpoints tbody th a').first().click();
    expect(new URL(page.url()).pathname).toBe(`/dashboard/endpoints/${id}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Endpoint ${id}`);
    const state = (await (await api(server, `/endpoints/${id}`)).json()) as { status: string; connectivity: string; iccid: string | null };
    const fact = (label: string) => page.locator('dl.facts div', { has: page.locator(`dt:text-is("${label}")`) }).locator('dd');
    expect(await fact('Status').textContent()).toContain(state.status);
    expect(await fact('Connectivity').textContent()).toContain(state.connectivity);
    expect((await fact('ICCID').textContent())?.trim()).toBe(state.iccid ?? '—');
    const rows = page.locator('table.timeline tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    // The first change of each region held "since first seen"; later ones say how long.
    const lasted = await rows.locator('td:last-child').allTextContents();
    expect(lasted[0]).toBe('since first seen');
    expect(lasted.some((t) => /^after \d/.test(t))).toBe(true);
    // Each change names its event's type as the catalog (and `simfleet device`) does, beside its id.
    const events = await rows.locator('td.event').allTextContents();
    const catalogNames = new Set<string>(EVENT_TYPES.map((t) => t.name));
    for (const text of events) {
      const m = /^(.+) #(\d+)$/.exec(text.trim());
      expect(m, text).not.toBeNull();
      expect(catalogNames.has(m?.[1] ?? ''), text).toBe(true);
    }
    expect(await page.locator('.timeline-line').textContent()).toContain(`now ${state.status}`);
  });

  it('updates the overview and a device page live after POST /events, without a reload', async () => {
    const before = await summaryOf(server);
    await page.goto(`${server.url}/`);
    await page.locator('#live-state[data-state="live"]').waitFor();
    expect(await page.locator('#live-state').textContent()).toContain('connected');
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42;
    });
    const endpoint = 990_000_001;
    await postLines(server, [line(9_900_000_001, 'updateLocation', endpoint, '2024-01-01T00:00:00Z')]);
    await page.locator(`#recent a[href="/dashboard/endpoints/${endpoint}"]`).first().waitFor({ timeout: 10_000 });
    await waitFor(async () => number(await page.locator('[data-count="total"]').textContent()) === before.totals.endpoints + 1, 10_000);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    expect(await page.locator('#live-state').textContent()).toMatch(/\d+ received/);

    await page.goto(`${server.url}/dashboard/endpoints/${endpoint}`);
    await page.locator('#live-state[data-state="live"]').waitFor();
    const rowsBefore = await page.locator('table.timeline tbody tr').count();
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 43;
    });
    await postLines(server, [line(9_900_000_002, 'purgeLocation', endpoint, '2024-01-01T00:05:00Z')]);
    await waitFor(async () => (await page.locator('table.timeline tbody tr').count()) > rowsBefore, 10_000);
    expect(await page.locator('table.timeline tbody tr').last().textContent()).toContain('after 5 minutes');
    expect((await page.locator('table.timeline tbody tr').last().locator('td.event').textContent())?.trim()).toBe(
      `${eventTypeByKey('purgeLocation').name} #9900000002`,
    );
    expect(await page.locator('.now').textContent()).toContain('OFFLINE');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(43);
  });

  it('is usable from the keyboard: a skip link first, then the navigation', async () => {
    await page.goto(`${server.url}/`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.goto(`${server.url}/`);
    const focused: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      focused.push(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ''));
    }
    expect(focused).toEqual(['Skip to content', 'simfleet', 'Overview', 'Endpoints', 'Sign out']);
    // The table's sort links and the filter form are reachable and operable by keys.
    await page.goto(`${server.url}/dashboard/endpoints`);
    await page.getByLabel('Status', { exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    await page.getByLabel('Search id, ICCID, IMSI, IMEI').focus();
    await Promise.all([page.waitForURL(/status=/), page.keyboard.press('Enter')]);
    expect(page.url()).toContain('status=DELETED');
  });

  it('fits phone widths: no page-wide horizontal scrolling, wide tables scroll in their own region', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await phone.context().addCookies(await context.cookies());
      for (const path of ['/', '/dashboard/endpoints', '/dashboard/endpoints/990000001']) {
        await phone.goto(`${server.url}${path}`);
        const width = await phone.evaluate(() => document.documentElement.scrollWidth);
        expect(width, path).toBeLessThanOrEqual(390);
      }
      expect(
        await phone
          .locator('.table-scroll')
          .first()
          .evaluate((el) => el.scrollWidth > el.clientWidth),
      ).toBe(true);
    } finally {
      await phone.close();
    }
  });

  it('signs out: the next page asks for the token again', async () => {
    await page.goto(`${server.url}/`);
    await Promise.all([page.waitForURL(/sign-in/), page.getByRole('button', { name: 'Sign out' }).click()]);
    expect(await page.getByRole('status').first().textContent()).toContain('signed out');
    await page.goto(`${server.url}/dashboard/endpoints`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
  });
});
