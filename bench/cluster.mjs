/**
 * Events/s through the NATS JetStream cluster, and the failover time (docs/cluster.md).
 *
 *   node bench/cluster.mjs FILE [limit] [workers] [--failover] [cliBin]
 *
 * Starts a throwaway nats-server (Debian's package, JetStream, a temp store on a free
 * loopback port) and a throwaway PostgreSQL, starts `workers` `simfleet worker --pg`
 * processes and waits until they share the 16 partitions, then publishes the first `limit`
 * lines of FILE with `simfleet publish` and measures the wall time from the start of the
 * publish until every partition's position covers its last message and has no lag (the rows
 * are in PostgreSQL then). With `--failover`: after that, one worker is SIGKILLed and 2,000
 * further events are published at once; the failover time is from the kill until every
 * partition is owned by a live worker again and caught up (lease TTL 6 s).
 *
 * SIMFLEET_BENCH_WORKER_LOGS=DIR keeps each worker's log lines in DIR/<name>.log.
 *
 * Prints one JSON line: {events, seconds, publishSeconds, workers, partitions, leaseTtlSeconds,
 * failoverSeconds?}.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { firstLines } from './firstLines.mjs';

const REPO = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const PARTITIONS = 16;
const LEASE_TTL_SECONDS = 6;
const FAILOVER_EVENTS = 2_000;
/** Child processes run asynchronously: the workers' stderr pipes are drained all the time (a full pipe blocks a worker). */
const run = promisify(execFile);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** nats-server with JetStream on a free port and a temp store; installed with apt-get when missing. */
async function startNats() {
  try {
    execFileSync('nats-server', ['--version'], { stdio: 'ignore' });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', 'nats-server'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), 'simfleet-bench-nats-'));
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk) => {
      log += chunk;
      if (log.includes('Server is ready')) {
        child.stderr.off('data', onData);
        child.stderr.resume();
        resolve();
      }
    };
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`nats-server exited ${code}: ${log}`)));
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    async stop() {
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
      rmSync(store, { recursive: true, force: true });
    },
  };
}

function startWorker(cli, natsUrl, pgUrl, name) {
  const child = spawn(process.execPath, [cli, 'worker', '--nats', natsUrl, '--pg', pgUrl, '--name', name, '--lease-ttl', String(LEASE_TTL_SECONDS)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const keep = process.env.SIMFLEET_BENCH_WORKER_LOGS;
  child.stderr.on('data', (chunk) => {
    err = (err + chunk).slice(-8192);
    if (keep) appendFileSync(join(keep, `${name}.log`), chunk);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { name, child, exited, stderr: () => err };
}

async function status(cli, natsUrl) {
  // A probe that does not answer in 20 s fails (and is tried again) rather than stalling the row.
  return JSON.parse((await run(process.execPath, [cli, 'status', '--nats', natsUrl, '--json'], { timeout: 20_000 })).stdout);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns a value; fails after `timeoutMs`. */
async function until(what, probe, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * Every partition owned by a worker in `live`, nothing pending, and the stream's message count
 * the same on two polls in a row (workers publish organisation facts to each other).
 */
async function caughtUp(cli, natsUrl, live, timeoutMs) {
  let previous = -1;
  return until(
    'every partition caught up',
    async () => {
      const s = await status(cli, natsUrl);
      const total = s.partitionStatus.reduce((sum, p) => sum + p.messages, 0);
      const done = s.partitionStatus.every((p) => p.lag === 0 && live.has(p.owner) && p.checkpoint !== null);
      const stable = total === previous;
      previous = total;
      return done && stable ? s : undefined;
    },
    timeoutMs,
  );
}

export async function clusterRun(file, { limit, workers, failover = false, cli }) {
  const lines = firstLines(file, limit);
  const dir = mkdtempSync(join(tmpdir(), 'simfleet-bench-cluster-'));
  const input = join(dir, 'events.ndjson');
  writeFileSync(input, `${lines.join('\n')}\n`);
  const { startThrowawayPostgres } = await import(pathToFileURL(join(REPO, 'packages/postgres/dist/testing/index.js')).href);
  const pg = await startThrowawayPostgres({ durable: true });
  const nats = await startNats();
  const running = [];
  try {
    // The stream first (publishing nothing), so the workers join at once.
    const empty = join(dir, 'empty.ndjson');
    writeFileSync(empty, '');
    await run(process.execPath, [cli, 'publish', empty, '--nats', nats.url, '--partitions', String(PARTITIONS)]);
    for (let i = 1; i <= workers; i++) running.push(startWorker(cli, nats.url, pg.url, `w${i}`));
    const live = new Set(running.map((w) => w.name));
    // Settled: every partition owned and each worker holding its share.
    await until(
      'the workers sharing the partitions',
      async () => {
        const owners = (await status(cli, nats.url)).partitionStatus.map((p) => p.owner);
        return owners.every((o) => live.has(o)) && new Set(owners).size === workers ? true : undefined;
      },
      120_000,
    );
    const t0 = performance.now();
    await run(process.execPath, [cli, 'publish', input, '--nats', nats.url]);
    const publishSeconds = (performance.now() - t0) / 1000;
    await caughtUp(cli, nats.url, live, 1_800_000);
    const seconds = (performance.now() - t0) / 1000;
    const result = { events: lines.length, seconds, publishSeconds, workers, partitions: PARTITIONS, leaseTtlSeconds: LEASE_TTL_SECONDS };
    if (failover) {
      const more = join(dir, 'more.ndjson');
      const last = JSON.parse(lines[lines.length - 1]);
      // New events (new ids, later times) of endpoints already in the stream.
      const extra = lines.slice(0, FAILOVER_EVENTS).map((line, i) => {
        const r = JSON.parse(line);
        return JSON.stringify({ ...r, id: last.id + 1_000_000_000 + i, timestamp: new Date(Date.parse(r.timestamp) + 3_600_000).toISOString() });
      });
      writeFileSync(more, `${extra.join('\n')}\n`);
      const victim = running[running.length - 1];
      const t1 = performance.now();
      victim.child.kill('SIGKILL');
      await victim.exited;
      live.delete(victim.name);
      await run(process.execPath, [cli, 'publish', more, '--nats', nats.url]);
      await caughtUp(cli, nats.url, live, 600_000);
      result.failoverSeconds = (performance.now() - t1) / 1000;
      result.failoverEvents = FAILOVER_EVENTS;
    }
    return result;
  } catch (error) {
    const tails = running.map((w) => `${w.name}: ${w.stderr().split('\n').slice(-4).join(' | ')}`).join('\n');
    throw new Error(`${error.message}\n${tails}`);
  } finally {
    for (const w of running) w.child.kill('SIGKILL');
    await Promise.all(running.map((w) => w.exited));
    await nats.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, limit = '100000', workers = '1', ...rest] = process.argv.slice(2);
  const failover = rest.includes('--failover');
  const cli = rest.find((a) => a !== '--failover') ?? join(REPO, 'packages/cli/dist/bin.js');
  const result = await clusterRun(file, { limit: Number(limit), workers: Number(workers), failover, cli });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
