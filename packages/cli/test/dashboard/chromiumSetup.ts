import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium, which the dashboard's browser tests drive through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * vitest globalSetup: installs Debian's `chromium` when it is missing (the machines run the
 * tests as root; Playwright's own browser download cannot reach its CDN here).
 */
export default function setup(): void {
  if (existsSync(CHROMIUM)) return;
  const run = (args: string[]): void => {
    execFileSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  run(['update']);
  run(['install', '-y', 'chromium']);
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get install chromium did not provide ${CHROMIUM}`);
}
