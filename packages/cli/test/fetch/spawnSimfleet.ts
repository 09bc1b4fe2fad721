import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, type RunResult } from '../support.js';

const BIN = join(REPO, 'packages/cli/dist/bin.js');

/**
 * Starts the built `simfleet` binary without blocking the event loop (the test API
 * server answering it runs in this process, so `spawnSync` would deadlock).
 */
export function startSimfleet(args: readonly string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<RunResult> } {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'pnpm build' before the CLI tests`);
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, FORCE_COLOR: '0', EMNIFY_APPLICATION_TOKEN: '', SIMFLEET_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<RunResult>((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
  return { child, done };
}

/** Runs the built binary to its end. */
export function simfleetAsync(args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  return startSimfleet(args, env).done;
}

/** Starts `simfleet serve --port 0` and resolves its URL once it listens. */
export async function startServe(token: string): Promise<{ url: string; stop: () => Promise<RunResult> }> {
  const { child, done } = startSimfleet(['serve', '--port', '0', '--token', token]);
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: string) => {
      seen += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('close', () => reject(new Error('serve exited before listening')));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      return done;
    },
  };
}
