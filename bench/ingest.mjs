#!/usr/bin/env node
/**
 * Durable live ingest on loopback: what acknowledging only after `fdatasync` costs.
 *
 *   node bench/ingest.mjs [--seconds 4] [--batch 100] [--concurrency 1,4,16,64] [--json]
 *
 * Three servers, each in its own child process (peak RSS is the server's), each fed by
 * this process over keep-alive HTTP/1.1 connections, one request in flight per
 * connection, `--batch` NDJSON events per request:
 * - `bare`: a `node:http` server that only `JSON.parse`s each line and answers 202 (the
 *   ceiling of a Node HTTP ingest on this machine);
 * - `bareJournal`: the same, and the lines appended to `@simfleet/engine`'s `Journal`
 *   before the 202, which goes out only once the append has been `fdatasync`ed (group
 *   commit shares a sync between requests): what durability alone costs;
 * - `serveJournal`: serve's request path with the durable journal: the body is decoded
 *   as `POST /events` decodes it (`decodeEventsBody`, in slices), then journaled as above.
 * Until serve's live engine writes through the journal these are minimal servers in
 * this script; the fold into fleet state is not included.
 * Per server and concurrency: events/s acknowledged, p50 / p99 / max acknowledgement
 * latency, the server's peak RSS, and (journal) events per `fdatasync`.
 *
 * Uses the built packages (dist/): run `pnpm build` first.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    batch: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '1,4,16,64' },
    json: { type: 'boolean', default: false },
    server: { type: 'string' },
  },
});

// ------------------------------------------------------------------ server child

if (values.server !== undefined) {
  const kind = values.server;
  let handle;
  let journal;
  let dir;
  const countLines = (body) => {
    const text = body.toString('utf8');
    let n = 0;
    for (let start = 0; start < text.length; ) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      if (end > start) {
        JSON.parse(text.slice(start, end));
        n += 1;
      }
      start = end + 1;
    }
    return n;
  };
  if (kind === 'bare') {
    handle = (body, res) => reply(res, 202, `{"accepted":${countLines(body)},"rejected":[]}`);
  } else {
    const { Journal } = await import(pathToFileURL(join(REPO, 'packages/engine/dist/index.js')).href);
    const { decodeEventsBody } = await import(pathToFileURL(join(REPO, 'packages/cli/dist/serve/parseEventsBody.js')).href);
    dir = mkdtempSync(join(tmpdir(), 'simfleet-bench-journal-'));
    journal = await Journal.open(dir);
    const decode = kind === 'serveJournal' ? (body) => decodeEventsBody(body, 'application/x-ndjson') : (body) => ({ events: { length: countLines(body) }, rejectCount: 0 });
    handle = async (body, res) => {
      const parsed = await decode(body);
      // The journal holds the lines of the accepted records (what `replay --from` the journal reads back).
      const lines = [];
      for (let start = 0; start < body.length; ) {
        let end = body.indexOf(10, start);
        if (end === -1) end = body.length;
        if (end > start) lines.push(body.subarray(start, end));
        start = end + 1;
      }
      try {
        await journal.append(lines);
      } catch (err) {
        reply(res, 503, JSON.stringify({ error: { code: err.code ?? 'journal_failed', message: err.message } }), { 'retry-after': '5' });
        return;
      }
      reply(res, parsed.rejectCount === 0 ? 202 : 400, `{"accepted":${parsed.events.length},"rejected":[]}`);
    };
  }
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      Promise.resolve(handle(Buffer.concat(chunks), res)).catch((err) => {
        reply(res, 500, JSON.stringify({ error: String(err) }));
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send({ port: server.address().port });
  process.on('message', async (message) => {
    if (message !== 'stop') return;
    const state = journal?.state;
    await journal?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    process.send({ peakRssBytes: process.resourceUsage().maxRSS * 1024, syncs: state?.syncs ?? null, durableRecords: state?.durableRecords ?? null, meanSyncMs: state?.meanSyncMs ?? null });
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
} else {
  await runAll();
}

function reply(res, status, text, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

// ------------------------------------------------------------------ client (parent)

/** An emnify-shaped event line (about 560 bytes, like the seed's), with its own id. */
function eventLine(id) {
  const second = id % 86_400;
  const time = `2026-11-30T${String(Math.floor(second / 3600)).padStart(2, '0')}:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}.000Z`;
  const endpoint = 10_000_000 + (id % 20_000);
  return `{"timestamp":"${time}","alert":false,"description":"New location received","id":${1_000_000_000 + id},"event_type":{"id":1,"description":"Update location"},"event_source":{"id":0,"description":"Network"},"event_severity":{"id":0,"description":"Info"},"organisation":{"id":654321,"name":"Sample Corp"},"endpoint":{"id":${endpoint},"imei":"8677300511111142","ip_address":"100.102.41.209","name":"Sim ${endpoint}","tags":null},"sim":{"iccid":"8988303000005733850","id":${3_000_000 + (id % 20_000)},"production_date":"2020-12-23T13:02:11.000Z"},"imsi":{"id":10770316,"import_date":"2020-12-23T13:02:11.000Z","imsi":"901430000000000"},"detail":{"id":5,"name":"Vodafone","country":{"id":74,"name":"Germany","country_code":"49","mcc":"262","iso_code":"de"},"tapcode":[{"id":1,"tapcode":"DEUD2"}],"mnc":[{"id":2,"mnc":"02"}]}}`;
}

async function startServer(kind) {
  // SIMFLEET_BENCH_PROFILE=DIR writes a CPU profile of each server into DIR.
  const profile = process.env.SIMFLEET_BENCH_PROFILE;
  const execArgv = profile === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profile];
  const child = fork(fileURLToPath(import.meta.url), ['--server', kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  return {
    port,
    async stop() {
      child.send('stop');
      const stats = await new Promise((resolve) => child.once('message', resolve));
      await new Promise((resolve) => child.once('exit', resolve));
      return stats;
    },
  };
}

function post(agent, port, body) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/events', method: 'POST', agent, headers: { 'content-type': 'application/x-ndjson', 'content-length': body.length } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode));
    });
    req.once('error', reject);
    req.end(body);
  });
}

async function measure(kind, concurrency, seconds, batch) {
  const server = await startServer(kind);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let nextId = 0;
  const latencies = [];
  let events = 0;
  let failures = 0;
  const makeBody = () => {
    const lines = [];
    for (let i = 0; i < batch; i++) lines.push(eventLine(nextId++));
    return Buffer.from(`${lines.join('\n')}\n`);
  };
  // Warm-up: a second of traffic not counted (JIT, connections, the journal's first segment).
  const run = async (untilMs, record) => {
    const worker = async () => {
      while (performance.now() < untilMs) {
        const body = makeBody();
        const t = performance.now();
        const status = await post(agent, server.port, body);
        if (!record) continue;
        if (status !== 202) {
          failures += 1;
          continue;
        }
        latencies.push(performance.now() - t);
        events += batch;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };
  await run(performance.now() + 1000, false);
  const start = performance.now();
  await run(start + seconds * 1000, true);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  const stats = await server.stop();
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? null;
  return {
    server: kind,
    concurrency,
    batch,
    events,
    seconds: elapsed,
    eventsPerSecond: events / elapsed,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    maxMs: latencies.at(-1) ?? null,
    failures,
    peakRssBytes: stats.peakRssBytes,
    ...(stats.syncs === null ? {} : { syncs: stats.syncs, eventsPerSync: stats.durableRecords / stats.syncs, meanSyncMs: stats.meanSyncMs }),
  };
}

async function runAll() {
  const seconds = Number(values.seconds);
  const batch = Number(values.batch);
  const levels = values.concurrency.split(',').map(Number);
  const rows = [];
  for (const concurrency of levels) {
    for (const kind of ['bare', 'bareJournal', 'serveJournal']) {
      const row = await measure(kind, concurrency, seconds, batch);
      rows.push(row);
      if (!values.json) {
        const f = (v, d = 1) => (v === null ? '—' : v.toFixed(d));
        console.error(
          `${kind.padEnd(12)} c=${String(concurrency).padStart(2)}  ${(row.eventsPerSecond / 1000).toFixed(1).padStart(7)}k events/s  p50 ${f(row.p50Ms).padStart(6)} ms  p99 ${f(row.p99Ms).padStart(6)} ms  max ${f(row.maxMs).padStart(6)} ms  RSS ${(row.peakRssBytes / 1e6).toFixed(0).padStart(4)} MB${row.eventsPerSync ? `  ${row.eventsPerSync.toFixed(0)} events/sync, write+sync ${row.meanSyncMs.toFixed(1)} ms` : ''}${row.failures ? `  ${row.failures} failed` : ''}`,
        );
      }
    }
  }
  process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), batch, seconds, rows }, null, values.json ? 0 : 2)}\n`);
}
