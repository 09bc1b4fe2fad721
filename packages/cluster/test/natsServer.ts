/**
 * A real nats-server (Debian's package, JetStream on) for the cluster tests: installed with
 * apt-get when missing, started on a free loopback port with its own temporary store
 * directory, and restartable on the same port and store (the NATS restart failure case).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running nats-server that a test owns. */
export interface NatsServer {
  /** `nats://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** JetStream's store directory (kept across restarts, removed by `stop`). */
  readonly storeDir: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and starts it again on the same port and store. */
  restart(): Promise<void>;
  /** Stops the server for good and removes its store. */
  stop(): Promise<void>;
}

const READY = 'Server is ready';
const START_TIMEOUT_MS = 30_000;

/**
 * Installs Debian's `nats-server` when it is not on PATH (we run as root; `apt-get update` first).
 *
 * @example
 * ensureNatsServerInstalled(); // no-op when `nats-server --version` works
 */
export function ensureNatsServerInstalled(): void {
  if (natsServerVersion() !== undefined) return;
  execFileSync('apt-get', ['update'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', 'nats-server'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (natsServerVersion() === undefined) throw new Error('nats-server: apt-get install finished but the binary does not run');
}

function natsServerVersion(): string | undefined {
  try {
    return execFileSync('nats-server', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/**
 * A free TCP port on 127.0.0.1 (the kernel picks one; it is released before nats-server binds it).
 *
 * @example
 * const port = await freePort();
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts nats-server with JetStream on a free loopback port and waits for "Server is ready".
 *
 * @example
 * const nats = await startNatsServer();
 * // … connect to nats.url …
 * await nats.restart();
 * await nats.stop();
 */
export async function startNatsServer(): Promise<NatsServer> {
  ensureNatsServerInstalled();
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'simfleet-nats-'));
  let child = await launch(port, storeDir);
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async restart() {
      await terminate(child);
      child = await launch(port, storeDir);
    },
    async stop() {
      await terminate(child);
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

function launch(port: number, storeDir: string): Promise<ChildProcess> {
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => fail(new Error(`nats-server did not report ready within ${START_TIMEOUT_MS} ms:\n${log}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString('utf8');
      if (log.includes(READY)) {
        clearTimeout(timer);
        // Keep draining stderr so a chatty server never blocks on a full pipe.
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve(child);
      }
    };
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stderr?.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      if (!log.includes(READY)) fail(new Error(`nats-server exited (${code ?? signal}) before it was ready:\n${log}`));
    });
  });
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
