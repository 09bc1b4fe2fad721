import { type Browser, chromium, type Page } from 'playwright-core';
import type { RunningServer } from '../../src/serve/startServer.js';
import { TOKEN } from '../serve/httpClient.js';
import { CHROMIUM } from './chromiumSetup.js';

/** Headless Debian Chromium, as the toolchain notes launch it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** Opens `path`, lands on the sign-in form, signs in with the server's token, and waits for the page. */
export async function signIn(page: Page, server: RunningServer, path = '/'): Promise<void> {
  await page.goto(`${server.url}${path}`);
  await page.getByLabel('API token').fill(TOKEN);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/dashboard/sign-in'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Sends NDJSON lines to `POST /events` with the token; throws unless all were accepted. */
export async function postLines(server: RunningServer, lines: readonly string[], batch = 5000): Promise<void> {
  for (let i = 0; i < lines.length; i += batch) {
    const res = await fetch(`${server.url}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
      body: `${lines.slice(i, i + batch).join('\n')}\n`,
    });
    if (res.status !== 202) throw new Error(`POST /events answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  }
}
