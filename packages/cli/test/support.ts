import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededShuffle } from '@simfleet/testkit';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(REPO, 'packages/cli/dist/bin.js');

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `simfleet` binary as a user would (`pnpm build` first). */
export function simfleet(args: readonly string[], options: { input?: string | Buffer; cwd?: string; env?: Record<string, string> } = {}): RunResult {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'pnpm build' before the CLI tests`);
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, FORCE_COLOR: '0', ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'simfleet-test-'));
}

/** A seeded shuffle, so a failing order can be reproduced. */
export const shuffled = seededShuffle;

/** The snapshot without its `counts` and `report` (which count records, not state). */
export function stateOf(snapshotText: string): string {
  const start = snapshotText.indexOf('  "endpoints": [');
  const asOf = /"asOf": ([^\n]*),\n/.exec(snapshotText)?.[1];
  return `${asOf}\n${snapshotText.slice(start)}`;
}
