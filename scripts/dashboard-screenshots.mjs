// Regenerates the screenshots of docs/dashboard.md: starts `simfleet serve` in-process on a
// free loopback port, posts a simulated fleet's log to it, signs in with Debian's Chromium
// and captures the overview (1280 px and phone width) and a device page.
// Run after `pnpm build`: `node scripts/dashboard-screenshots.mjs [outDir]` (default docs/images).
// Needs /usr/bin/chromium (`apt-get install -y chromium`).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startServer } from '../packages/cli/dist/index.js';
import { generateFleetLog } from '../packages/testkit/dist/index.js';

const require = createRequire(new URL('../packages/cli/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const outDir = new URL(process.argv[2] === undefined ? '../docs/images/' : `file://${process.argv[2].replace(/\/?$/, '/')}`, import.meta.url);
const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'screenshot-token';
const FLEET = { events: 40_000, devices: 1_200, seed: 2026 };

if (!existsSync(CHROMIUM)) {
  console.error(`dashboard-screenshots: ${CHROMIUM} is missing: apt-get install -y chromium`);
  process.exit(1);
}

const server = await startServer({ port: 0, host: '127.0.0.1', token: TOKEN, log: () => {} });
const chunks = [];
generateFleetLog(FLEET, (chunk) => chunks.push(chunk));
const lines = chunks
  .join('')
  .split('\n')
  .filter((l) => l !== '');
// The busiest endpoint has the longest timeline: the device page to show.
const perEndpoint = new Map();
for (const line of lines) {
  const id = /"endpoint":\{"id":(\d+)/.exec(line)?.[1];
  if (id !== undefined) perEndpoint.set(id, (perEndpoint.get(id) ?? 0) + 1);
}
const busiest = [...perEndpoint].sort((a, b) => b[1] - a[1])[0][0];
for (let i = 0; i < lines.length; i += 5000) {
  const res = await fetch(`${server.url}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
    body: `${lines.slice(i, i + 5000).join('\n')}\n`,
  });
  if (res.status !== 202) throw new Error(`POST /events answered ${res.status}: ${await res.text()}`);
}
for (;;) {
  const summary = await (await fetch(`${server.url}/fleet/summary`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
  // Every record applied or accounted for (the pipeline's counters add up to what it received).
  const p = summary.pipeline;
  if (p.received >= lines.length && p.applied + p.duplicates + p.tooLate + p.futureTimestamp + p.unapplied >= p.received) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.getByLabel('API token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('#chart canvas');
  await page.waitForSelector('#live-state[data-state="live"]');
  await page.screenshot({ path: new URL('dashboard-overview.png', outDir).pathname, fullPage: true });
  await page.goto(`${server.url}/dashboard/endpoints/${busiest}`);
  await page.waitForSelector('#live-state[data-state="live"]');
  await page.screenshot({ path: new URL('dashboard-device.png', outDir).pathname, fullPage: true });
  await page.goto(`${server.url}/dashboard/endpoints?status=ONLINE&sort=lastEvent&dir=desc`);
  await page.screenshot({ path: new URL('dashboard-endpoints.png', outDir).pathname });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}/`);
  await page.waitForSelector('#chart canvas');
  await page.screenshot({ path: new URL('dashboard-overview-phone.png', outDir).pathname, fullPage: true });
  console.log(`wrote 4 screenshots to ${outDir.pathname} (device page: endpoint ${busiest})`);
} finally {
  await browser.close();
  await server.close();
}
