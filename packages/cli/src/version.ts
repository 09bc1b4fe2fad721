import { readFileSync } from 'node:fs';

/**
 * The `@simfleet/cli` package's version, read from its package.json (one directory above
 * both `src/` and `dist/`), so `simfleet --version` can never disagree with what npm installed.
 *
 * @example
 * cliVersion(); // '0.1.0'
 */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
