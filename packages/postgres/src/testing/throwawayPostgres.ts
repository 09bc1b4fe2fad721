/**
 * A real PostgreSQL 15 for tests and benchmarks: a throwaway cluster in a temporary
 * directory, on a free port of 127.0.0.1, removed when stopped. Debian's `postgresql`
 * package is installed with apt-get when its binaries are missing (CI runs as root on a
 * fresh machine). `initdb` refuses to run as root, so as root the cluster belongs to the
 * `postgres` user (`runuser -u postgres --`); as anyone else it runs as that user.
 *
 * Authentication: the superuser `postgres` connects without a password (trust, over
 * loopback and the socket); every other role needs its password (scram-sha-256), so tests
 * can check what a user sees for bad credentials.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian puts PostgreSQL 15's server binaries. */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

/** Options of `startThrowawayPostgres`. */
export interface ThrowawayPostgresOptions {
  /**
   * Keep PostgreSQL's durability settings (fsync, synchronous commit): benchmarks measure
   * what a user's server does. Default false: tests run with fsync off, as nothing in a
   * throwaway cluster needs to survive a power cut.
   */
  readonly durable?: boolean;
  /** Where progress lines go (installing, starting); default: nowhere. */
  readonly log?: (line: string) => void;
}

/** A running throwaway cluster. */
export interface ThrowawayPostgres {
  /** Connection string of the `postgres` database as the superuser `postgres`. */
  readonly url: string;
  readonly port: number;
  /** The temporary directory (data directory, socket, server log). */
  readonly directory: string;
  /** Stops the server and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL 15 cluster (installing Debian's package first if needed).
 *
 * @example
 * const pg = await startThrowawayPostgres();
 * try {
 *   await runMyTests(pg.url); // postgres://postgres@127.0.0.1:PORT/postgres
 * } finally {
 *   await pg.stop();
 * }
 */
export async function startThrowawayPostgres(options: ThrowawayPostgresOptions = {}): Promise<ThrowawayPostgres> {
  const log = options.log ?? (() => {});
  ensurePostgresInstalled(log);
  const asRoot = process.getuid?.() === 0;
  const directory = mkdtempSync(join(tmpdir(), 'simfleet-pg-'));
  const data = join(directory, 'data');
  // Run a server binary as the cluster's owner.
  const run = (binary: string, args: readonly string[]): void => {
    const command = asRoot ? 'runuser' : join(POSTGRES_BIN, binary);
    const argv = asRoot ? ['-u', 'postgres', '--', join(POSTGRES_BIN, binary), ...args] : [...args];
    const result = spawnSync(command, argv, { encoding: 'utf8', cwd: directory });
    if (result.status !== 0) {
      const serverLog = existsSync(join(directory, 'server.log')) ? readFileSync(join(directory, 'server.log'), 'utf8') : '';
      throw new Error(`${binary} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}\n${serverLog}`);
    }
  };
  try {
    if (asRoot) {
      chownSync(directory, postgresUid(), postgresGid());
      chmodSync(directory, 0o700);
    }
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    writeFileSync(
      join(data, 'pg_hba.conf'),
      [
        '# throwaway test cluster: the superuser without a password, everyone else with one',
        'local all postgres trust',
        'host  all postgres 127.0.0.1/32 trust',
        'local all all scram-sha-256',
        'host  all all 127.0.0.1/32 scram-sha-256',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const settings = [
      `-p ${port}`,
      `-k ${directory}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=40',
      ...(options.durable === true ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    ].join(' ');
    log(`starting PostgreSQL 15 on 127.0.0.1:${port} (${directory})`);
    run('pg_ctl', ['-D', data, '-o', settings, '-l', join(directory, 'server.log'), '-w', '-t', '60', 'start']);
    let stopped = false;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      port,
      directory,
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
        } finally {
          rmSync(directory, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Installs Debian's PostgreSQL 15 (`apt-get install postgresql-15`) when its binaries are
 * missing. Needs root, as apt-get does.
 */
export function ensurePostgresInstalled(log: (line: string) => void = () => {}): void {
  if (existsSync(join(POSTGRES_BIN, 'initdb'))) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`${POSTGRES_BIN}/initdb is missing: install PostgreSQL 15 (Debian: apt-get install -y postgresql-15)`);
  }
  log('installing PostgreSQL 15 (apt-get install -y postgresql-15)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql-15'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (!existsSync(join(POSTGRES_BIN, 'initdb'))) throw new Error(`apt-get installed postgresql-15 but ${POSTGRES_BIN}/initdb is still missing`);
}

/** A port of 127.0.0.1 that was free a moment ago (the OS picks it). */
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

const idOf = (flag: '-u' | '-g'): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
const postgresUid = (): number => idOf('-u');
const postgresGid = (): number => idOf('-g');
