/** Worker processes for the tests: spawned, their JSON-line output collected, killed at the end. */
import { type ChildProcess, spawn } from 'node:child_process';

/** One JSON line a test worker process prints. */
export interface WorkerLine {
  readonly event: string;
  readonly name?: string;
  readonly at?: number;
  readonly partition?: number;
  readonly reason?: string;
  readonly [field: string]: unknown;
}

/** A spawned process and the JSON lines it printed. */
export interface Spawned {
  readonly name: string;
  readonly child: ChildProcess;
  readonly events: WorkerLine[];
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process ended. */
  readonly exited: Promise<number | string>;
}

/**
 * Spawns `node args…`, parsing each stdout line as JSON.
 *
 * @example
 * const worker = spawnJsonLines('w1', [fixture, url, 'w1']);
 */
export function spawnJsonLines(name: string, args: readonly string[]): Spawned {
  const child = spawn('node', [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: WorkerLine[] = [];
  let pending = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim() !== '') events.push(JSON.parse(line) as WorkerLine);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { name, child, events, stderr: () => err, exited };
}

/**
 * Polls `probe` until it returns a value that is not `undefined`, or fails after `timeoutMs`
 * with `what` in the message.
 *
 * @example
 * await waitFor('every partition owned', async () => (await status()).every(owned) || undefined, 20_000);
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Kills every still-running process (test clean-up). */
export async function killAll(processes: readonly Spawned[]): Promise<void> {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
}
