#!/usr/bin/env node
/**
 * Durable live ingest on loopback: what acknowledging only after `fdatasync` costs.
 *
 *   node bench/ingest.mjs [--seconds 4] [--batch 100] [--concurrency 1,4,16,64] [--json]
 *                         [--servers bare,serveDataDir] [--no-sse] [--day-clock] [--grow-segments]
 *
 * Event times move forward with the ids, 10 ms apart, so each device's events arrive in
 * order as a live feed sends them (`--day-clock`: the time of day from the id, which wraps
 * every 86 400 ids and makes every later event late for its device: the re-fold path).
 *
 * Four servers, each in its own child process (peak RSS is the server's), each fed by
 * this process over keep-alive HTTP/1.1 connections, one request in flight per
 * connection, `--batch` NDJSON events per request (a lean client: requests written and
 * replies read by hand over `node:net`, bodies patched from a template, so that the client,
 * on the same cores, takes as little as it can from the server; its CPU per event is
 * reported too):
 * - `bare`: a `node:http` server that only `JSON.parse`s each line and answers 202 (the
 *   ceiling of a Node HTTP ingest on this machine);
 * - `bareJournal`: the same, and the lines appended to `@simfleet/engine`'s `Journal`
 *   before the 202, which goes out only once the append has been `fdatasync`ed (group
 *   commit shares a sync between requests): what durability alone costs (its segments
 *   preallocated, as serve's data directory has them; `--grow-segments`: segments that
 *   grow as they fill, to compare);
 * - `serveJournal`: serve's request path with the durable journal: the body is decoded
 *   as `POST /events` decodes it (`decodeBodyRows`: straight into the engine's rows), then
 *   journaled as serve journals it: one record per request, the lines as received.
 * - `serveDataDir`: the real `simfleet serve --data-dir DIR` (`runServe`): decode, the
 *   write-ahead journal (fdatasync before the 202), then the live engine's fold into the
 *   fleet state, and its periodic checkpoints (every 60 s: none in a short run).
 * The first three are minimal servers in this script; only `serveDataDir` folds into state.
 * Per server and concurrency: events/s acknowledged, p50 / p99 / max acknowledgement
 * latency, the server's peak RSS, its CPU time per acknowledged event (user + system, over
 * the measured window: steadier than events/s on a shared machine), the machine's 1-minute
 * load average as the window starts, and (journal) events per `fdatasync`.
 *
 * Then `sse`: the real `simfleet serve` server (`startServer`) in a child process with 200
 * SSE clients on `/transitions` while batches of 100 events are posted at `--rate`
 * requests/s: `/healthz` latency (p50 / p99 / max) meanwhile, and whether every client
 * received every transition (none behind, resynced or dropped).
 *
 * `SIMFLEET_BENCH_PROFILE=DIR` writes each server's CPU profile into DIR;
 * `SIMFLEET_BENCH_NODE_ARGS='--trace-gc'` (space-separated) passes more node flags to the servers.
 *
 * Uses the built packages (dist/): run `pnpm build` first.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    batch: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '1,4,16,64' },
    servers: { type: 'string', default: 'bare,bareJournal,serveJournal,serveDataDir' },
    'no-sse': { type: 'boolean', default: false },
    'day-clock': { type: 'boolean', default: false },
    'grow-segments': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    rate: { type: 'string', default: '75' },
    'sse-clients': { type: 'string', default: '200' },
    server: { type: 'string' },
    readers: { type: 'string' },
    port: { type: 'string' },
  },
});

/** Event time of event `id`: 10 ms apart from 2026-11-30 on (a live feed: each device's events in order). */
const FEED_START = Date.UTC(2026, 10, 30);
/**
 * With `--day-clock`, the time of day from the id instead (second `id % 86 400` of one day):
 * the clock wraps every 86 400 ids, and from then on every event is up to a day older than
 * its device's newest, a late event (a re-fold of its device) each.
 */
const eventTime = values['day-clock']
  ? (id) => {
      const second = id % 86_400;
      return `2026-11-30T${String(Math.floor(second / 3600)).padStart(2, '0')}:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}.000Z`;
    }
  : (id) => new Date(FEED_START + id * 10).toISOString();

// ------------------------------------------------------------------ server child

/** A process holding `n` SSE clients (so reading them does not slow the posting client): reports their counts on 'stop'. */
async function readersChild(n, port) {
  const clients = await Promise.all(Array.from({ length: n }, () => sseClient(port)));
  process.send({ connected: clients.length });
  process.on('message', (message) => {
    if (message !== 'stop') return;
    process.send({
      transitions: clients.map((c) => c.transitions),
      resyncs: clients.map((c) => c.resyncs),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    });
    for (const c of clients) c.res.destroy();
    process.exit(0);
  });
}

/** Counts the lines of a body, `JSON.parse`ing each (what the bare server does). */
function countLines(body) {
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
}

async function serverChild(kind) {
  if (kind === 'serveDataDir') {
    const { runServe } = await import(pathToFileURL(join(REPO, 'packages/cli/dist/serve/serveCommand.js')).href);
    const { PassThrough } = await import('node:stream');
    const dataDir = mkdtempSync(join(tmpdir(), 'simfleet-bench-data-'));
    const stdout = new PassThrough();
    const stop = new AbortController();
    let seen = '';
    const url = new Promise((resolve) =>
      stdout.on('data', (chunk) => {
        seen += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(seen);
        if (match !== null) resolve(match[1]);
      }),
    );
    const exit = runServe(['--port', '0', '--token', 'bench', '--data-dir', dataDir], {
      stdout,
      stderr: new PassThrough().resume(),
      env: {},
      signal: stop.signal,
    });
    const base = await url;
    process.send({ port: Number(new URL(base).port) });
    markCpu();
    process.on('message', async (message) => {
      if (message !== 'stop') return;
      const cpuMs = cpuSinceMark();
      const health = await (await fetch(`${base}/healthz`)).json();
      const summary = await (await fetch(`${base}/fleet/summary`, { headers: { authorization: 'Bearer bench' } })).json();
      const journal = health.journal;
      process.send({
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
        cpuMs,
        loopDelayMs: loopDelayMs(),
        maxSyncMs: journal.maxSyncMs,
        syncs: journal.syncs,
        durableRecords: summary.pipeline.received,
        meanSyncMs: journal.meanSyncMs,
        applied: summary.pipeline.applied,
      });
      stop.abort();
      await exit;
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
    return;
  }
  if (kind === 'serve') {
    const { startServer } = await import(pathToFileURL(join(REPO, 'packages/cli/dist/index.js')).href);
    const running = await startServer({ port: 0, host: '127.0.0.1', token: 'bench', log: () => undefined });
    process.send({ port: Number(new URL(running.url).port) });
    process.on('message', async (message) => {
      if (message !== 'stop') return;
      const summary = await (await fetch(`${running.url}/fleet/summary`, { headers: { authorization: 'Bearer bench' } })).json();
      process.send({
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
        syncs: null,
        transitionStreams: summary.transitionStreams,
        applied: summary.pipeline.applied,
      });
      await running.close();
      process.exit(0);
    });
    return;
  }
  let handle;
  let journal;
  let dir;
  /** Events acknowledged after their journal append (serveJournal's records hold a request's events each). */
  let journaledEvents = 0;
  if (kind === 'bare') {
    handle = (body, res) => reply(res, 202, `{"accepted":${countLines(body)},"rejected":[]}`);
  } else {
    const { Journal } = await import(pathToFileURL(join(REPO, 'packages/engine/dist/index.js')).href);
    const { decodeBodyRows } = await import(pathToFileURL(join(REPO, 'packages/cli/dist/serve/parseEventsBody.js')).href);
    const { RowBufferPool } = await import(pathToFileURL(join(REPO, 'packages/cli/dist/serve/BodyRows.js')).href);
    const { FleetStore } = await import(pathToFileURL(join(REPO, 'packages/core/dist/index.js')).href);
    const buffers = new RowBufferPool(new FleetStore());
    dir = mkdtempSync(join(tmpdir(), 'simfleet-bench-journal-'));
    // Preallocated segments, as serve's data directory has them (`--grow-segments`: segments that grow as they fill, to compare).
    journal = await Journal.open(dir, { preallocate: !values['grow-segments'] });
    /** The records of a body, and what the journal takes of it. */
    const decode =
      kind === 'serveJournal'
        ? async (body) => {
            const parsed = await decodeBodyRows(body, 'application/x-ndjson', buffers);
            const result = { accepted: parsed.records, rejectCount: parsed.rejectCount, records: [parsed.journalPayload(() => true) ?? Buffer.alloc(0)] };
            parsed.release();
            return result;
          }
        : (body) => {
            // The lines of the accepted records, one journal record each.
            const lines = [];
            for (let start = 0; start < body.length; ) {
              let end = body.indexOf(10, start);
              if (end === -1) end = body.length;
              if (end > start) lines.push(body.subarray(start, end));
              start = end + 1;
            }
            return { accepted: countLines(body), rejectCount: 0, records: lines };
          };
    handle = async (body, res) => {
      const parsed = await decode(body);
      try {
        await journal.append(parsed.records);
        journaledEvents += parsed.accepted;
      } catch (err) {
        reply(res, 503, JSON.stringify({ error: { code: err.code ?? 'journal_failed', message: err.message } }), { 'retry-after': '5' });
        return;
      }
      reply(res, parsed.rejectCount === 0 ? 202 : 400, `{"accepted":${parsed.accepted},"rejected":[]}`);
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
  markCpu();
  process.on('message', async (message) => {
    if (message !== 'stop') return;
    const cpuMs = cpuSinceMark();
    const state = journal?.state;
    await journal?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    process.send({
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      cpuMs,
      loopDelayMs: loopDelayMs(),
      maxSyncMs: state?.maxSyncMs ?? null,
      syncs: state?.syncs ?? null,
      durableRecords: state === undefined ? null : journaledEvents,
      meanSyncMs: state?.meanSyncMs ?? null,
    });
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

/**
 * The server's CPU time (user + system) from the 'mark' message (sent when the measured
 * window starts) to now: on a machine shared with other work, CPU per event is a steadier
 * figure than events per second.
 */
let cpuMark = process.cpuUsage();
/** The server's event-loop delay over the measured window (how long a ready callback waits for the loop). */
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
function markCpu() {
  process.on('message', (message) => {
    if (message !== 'mark') return;
    cpuMark = process.cpuUsage();
    loopDelay.reset();
    loopDelay.enable();
  });
}
function cpuSinceMark() {
  loopDelay.disable();
  const d = process.cpuUsage(cpuMark);
  return (d.user + d.system) / 1000;
}
/** Event-loop delay in the window: p50, p99, max (ms). */
function loopDelayMs() {
  return { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
}

function reply(res, status, text, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

// ------------------------------------------------------------------ client (parent)

/** An emnify-shaped event line (about 560 bytes, like the seed's), with its own id; `flipping` alternates attach and purge per device (a transition per event). */
function eventLine(id, flipping = false) {
  const time = eventTime(id);
  const endpoint = 10_000_000 + (id % (flipping ? 2000 : 20_000));
  const type = flipping && Math.floor(id / 2000) % 2 === 1 ? '{"id":15,"description":"Purge location"}' : '{"id":1,"description":"Update location"}';
  return `{"timestamp":"${time}","alert":false,"description":"New location received","id":${1_000_000_000 + id},"event_type":${type},"event_source":{"id":0,"description":"Network"},"event_severity":{"id":0,"description":"Info"},"organisation":{"id":654321,"name":"Sample Corp"},"endpoint":{"id":${endpoint},"imei":"8677300511111142","ip_address":"100.102.41.209","name":"Sim ${endpoint}","tags":null},"sim":{"iccid":"8988303000005733850","id":${3_000_000 + (id % 20_000)},"production_date":"2020-12-23T13:02:11.000Z"},"imsi":{"id":10770316,"import_date":"2020-12-23T13:02:11.000Z","imsi":"901430000000000"},"detail":{"id":5,"name":"Vodafone","country":{"id":74,"name":"Germany","country_code":"49","mcc":"262","iso_code":"de"},"tapcode":[{"id":1,"tapcode":"DEUD2"}],"mnc":[{"id":2,"mnc":"02"}]}}`;
}

/**
 * Bodies of `eventLine`s built by patching one template's fixed-width fields (time, ids)
 * in a copy of its bytes: the same lines, at a fraction of the client's CPU, which shares
 * the machine's cores with the server being measured. Checked against `eventLine` once.
 */
function bodyMaker(batch) {
  const sample = Buffer.from(eventLine(0));
  // Each field found by the text just before it (the ids' digits also occur inside one another).
  const fields = [
    ['time', '"timestamp":"', eventTime(0)],
    ['event', '"id":', String(1_000_000_000)],
    ['endpoint', '"endpoint":{"id":', String(10_000_000)],
    ['sim', '"sim":{"iccid":"8988303000005733850","id":', String(3_000_000)],
    ['name', '"name":"', `Sim ${10_000_000}`],
  ].map(([name, before, text]) => {
    const at = sample.indexOf(`${before}${text}`) + before.length;
    if (at < before.length) throw new Error(`template field ${name} not found`);
    return { name, at, width: text.length };
  });
  const fieldText = (name, id) =>
    name === 'time'
      ? eventTime(id)
      : name === 'event'
        ? String(1_000_000_000 + id)
        : name === 'endpoint'
          ? String(10_000_000 + (id % 20_000))
          : name === 'sim'
            ? String(3_000_000 + (id % 20_000))
            : `Sim ${10_000_000 + (id % 20_000)}`;
  const lineBytes = sample.length + 1;
  return (firstId) => {
    const body = Buffer.allocUnsafe(lineBytes * batch);
    for (let i = 0; i < batch; i++) {
      const base = i * lineBytes;
      sample.copy(body, base);
      body[base + sample.length] = 0x0a;
      for (const f of fields) {
        const text = fieldText(f.name, firstId + i);
        if (text.length !== f.width) return null;
        body.write(text, base + f.at, 'latin1');
      }
    }
    return body;
  };
}

async function startServer(kind) {
  // SIMFLEET_BENCH_PROFILE=DIR writes a CPU profile of each server into DIR; SIMFLEET_BENCH_NODE_ARGS (space-separated,
  // e.g. `--trace-gc`) are more node flags for the servers, which NODE_OPTIONS does not take all of.
  const profile = process.env.SIMFLEET_BENCH_PROFILE;
  const extra = (process.env.SIMFLEET_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const execArgv = [...(profile === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profile]), ...extra];
  const child = fork(fileURLToPath(import.meta.url), ['--server', kind, ...(values['grow-segments'] ? ['--grow-segments'] : [])], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
  });
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  return {
    port,
    mark() {
      child.send('mark');
    },
    async stop() {
      child.send('stop');
      const stats = await new Promise((resolve) => child.once('message', resolve));
      await new Promise((resolve) => child.once('exit', resolve));
      return stats;
    },
  };
}

/**
 * One keep-alive HTTP/1.1 connection that posts bodies to `/events` one at a time, writing
 * the request and reading the reply's status line and `Content-Length` by hand: a client
 * on the same cores as the server, so its cost per request matters (node:http's client
 * costs several times as much CPU per request). A reply without `Content-Length`, or one
 * asking to close, is an error: every server measured sends it and keeps the connection.
 */
class RawConnection {
  #socket;
  #buffered = Buffer.alloc(0);
  #waiting = null;

  static open(port) {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  constructor(socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
      this.#parse();
    });
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new Error('bench: the server closed the connection')));
  }

  /** Posts `body`; resolves with the reply's status code once its body is read. */
  post(body) {
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      const head = `POST /events HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer bench\r\ncontent-type: application/x-ndjson\r\ncontent-length: ${body.length}\r\n\r\n`;
      this.#socket.cork();
      this.#socket.write(head, 'latin1');
      this.#socket.write(body);
      this.#socket.uncork();
    });
  }

  close() {
    this.#socket.removeAllListeners('close');
    this.#socket.destroy();
  }

  #parse() {
    const headEnd = this.#buffered.indexOf('\r\n\r\n');
    if (headEnd === -1 || this.#waiting === null) return;
    const head = this.#buffered.toString('latin1', 0, headEnd);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (length === null || /\r\nconnection: *close/i.test(head)) {
      this.#fail(new Error(`bench: a reply without content-length or closing the connection: ${head.split('\r\n')[0]}`));
      return;
    }
    const end = headEnd + 4 + Number(length[1]);
    if (this.#buffered.length < end) return;
    this.#buffered = this.#buffered.subarray(end);
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting.resolve(status);
  }

  #fail(err) {
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.reject(err);
  }
}

async function measure(kind, concurrency, seconds, batch) {
  const server = await startServer(kind);
  const connections = await Promise.all(Array.from({ length: concurrency }, () => RawConnection.open(server.port)));
  let nextId = 0;
  const latencies = [];
  let events = 0;
  let failures = 0;
  const patched = bodyMaker(batch);
  const makeBody = () => {
    const first = nextId;
    nextId += batch;
    // A field outgrew its template's width (ids past the template's digits): build the lines in full.
    const body = patched(first);
    if (body !== null) return body;
    const lines = [];
    for (let i = 0; i < batch; i++) lines.push(eventLine(first + i));
    return Buffer.from(`${lines.join('\n')}\n`);
  };
  {
    const check = patched(123_457);
    const expected = Buffer.from(`${Array.from({ length: batch }, (_, i) => eventLine(123_457 + i)).join('\n')}\n`);
    if (check === null || !check.equals(expected)) throw new Error('bench: the patched body differs from eventLine');
  }
  // Warm-up: a second of traffic not counted (JIT, connections, the journal's first segment).
  const run = async (untilMs, record) => {
    const worker = async (connection) => {
      while (performance.now() < untilMs) {
        const body = makeBody();
        const t = performance.now();
        const status = await connection.post(body);
        if (!record) continue;
        if (status !== 202) {
          failures += 1;
          continue;
        }
        latencies.push(performance.now() - t);
        events += batch;
      }
    };
    await Promise.all(connections.map(worker));
  };
  await run(performance.now() + 1000, false);
  // The machine's 1-minute load average as the window starts: on a shared machine, what the row was measured beside.
  const load = loadavg()[0];
  server.mark();
  const clientCpu = process.cpuUsage();
  const start = performance.now();
  await run(start + seconds * 1000, true);
  const elapsed = (performance.now() - start) / 1000;
  const clientUsed = process.cpuUsage(clientCpu);
  for (const connection of connections) connection.close();
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
    serverCpuUsPerEvent: events === 0 ? null : (stats.cpuMs * 1000) / events,
    clientCpuUsPerEvent: events === 0 ? null : (clientUsed.user + clientUsed.system) / events,
    loopDelayMs: stats.loopDelayMs,
    loadAverage1m: load,
    ...(stats.syncs === null
      ? {}
      : { syncs: stats.syncs, eventsPerSync: stats.durableRecords / stats.syncs, meanSyncMs: stats.meanSyncMs, maxSyncMs: stats.maxSyncMs }),
    ...(stats.applied === undefined ? {} : { applied: stats.applied }),
  };
}

/** One SSE client: counts transition and resync frames as they arrive. */
function sseClient(port) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/transitions', agent: false, headers: { authorization: 'Bearer bench' } }, (res) => {
      const client = { res, transitions: 0, resyncs: 0 };
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        rest += chunk;
        let scanned = 0;
        for (let end = rest.indexOf('\n\n'); end !== -1; end = rest.indexOf('\n\n', scanned)) {
          const head = rest.slice(scanned, Math.min(end, scanned + 40));
          if (head.includes('event: transition')) client.transitions += 1;
          else if (head.includes('event: resync')) client.resyncs += 1;
          scanned = end + 2;
        }
        rest = rest.slice(scanned);
      });
      res.once('data', () => resolve(client));
    });
    req.once('error', reject);
    req.end();
  });
}

/** The real serve with many SSE clients under a steady posting rate: /healthz latency and delivery. */
async function measureSse(clientCount, rate, seconds, batch) {
  const server = await startServer('serve');
  const readers = fork(fileURLToPath(import.meta.url), ['--readers', String(clientCount), '--port', String(server.port)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise((resolve) => readers.once('message', resolve));
  const readerCounts = async () => {
    readers.send('stop');
    const counts = await new Promise((resolve) => readers.once('message', resolve));
    await new Promise((resolve) => readers.once('exit', resolve));
    return counts;
  };
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let nextId = 0;
  let acked = 0;
  let failures = 0;
  const inFlight = new Set();
  const start = performance.now();
  const stopAt = start + seconds * 1000;
  const health = [];
  const probing = (async () => {
    while (performance.now() < stopAt) {
      const t = performance.now();
      await new Promise((resolve, reject) => {
        request({ host: '127.0.0.1', port: server.port, path: '/healthz', agent }, (res) => {
          res.resume();
          res.once('end', resolve);
        })
          .once('error', reject)
          .end();
      });
      health.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      if (performance.now() >= stopAt) {
        clearInterval(timer);
        resolve();
        return;
      }
      const lines = [];
      for (let i = 0; i < batch; i++) lines.push(eventLine(nextId++, true));
      const body = Buffer.from(`${lines.join('\n')}\n`);
      const req = new Promise((done) => {
        request(
          {
            host: '127.0.0.1',
            port: server.port,
            path: '/events',
            method: 'POST',
            agent,
            headers: { authorization: 'Bearer bench', 'content-type': 'application/x-ndjson', 'content-length': body.length },
          },
          (res) => {
            res.resume();
            res.once('end', () => {
              if (res.statusCode === 202) acked += batch;
              else failures += 1;
              done();
            });
          },
        )
          .once('error', () => {
            failures += 1;
            done();
          })
          .end(body);
      });
      inFlight.add(req);
      req.then(() => inFlight.delete(req));
    }, 1000 / rate);
  });
  await probing;
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  // Let the last transitions arrive (the pipeline applies on its own schedule, the readers read theirs).
  await new Promise((r) => setTimeout(r, 2000));
  const delivered = await readerCounts();
  const stats = await server.stop();
  agent.destroy();
  health.sort((a, b) => a - b);
  const q = (p) => health[Math.min(health.length - 1, Math.floor(p * health.length))] ?? null;
  const counts = delivered.transitions;
  return {
    clients: clientCount,
    rate,
    batch,
    seconds: elapsed,
    ackedEvents: acked,
    ackedEventsPerSecond: acked / elapsed,
    failures,
    healthzP50Ms: q(0.5),
    healthzP99Ms: q(0.99),
    healthzMaxMs: health.at(-1) ?? null,
    transitionsPerClientMin: Math.min(...counts),
    transitionsPerClientMax: Math.max(...counts),
    clientResyncs: delivered.resyncs.reduce((a, b) => a + b, 0),
    transitionStreams: stats.transitionStreams,
    peakRssBytes: stats.peakRssBytes,
    readersPeakRssBytes: delivered.peakRssBytes,
  };
}

async function runAll() {
  const seconds = Number(values.seconds);
  const batch = Number(values.batch);
  const levels = values.concurrency.split(',').map(Number);
  const rows = [];
  for (const concurrency of levels) {
    for (const kind of values.servers.split(',')) {
      const row = await measure(kind, concurrency, seconds, batch);
      rows.push(row);
      if (!values.json) {
        const f = (v, d = 1) => (v === null ? '—' : v.toFixed(d));
        console.error(
          `${kind.padEnd(12)} c=${String(concurrency).padStart(2)}  ${(row.eventsPerSecond / 1000).toFixed(1).padStart(7)}k events/s  p50 ${f(row.p50Ms).padStart(6)} ms  p99 ${f(row.p99Ms).padStart(6)} ms  max ${f(row.maxMs).padStart(6)} ms  RSS ${(row.peakRssBytes / 1e6).toFixed(0).padStart(4)} MB  CPU ${f(row.serverCpuUsPerEvent, 2).padStart(5)} µs/event (client ${f(row.clientCpuUsPerEvent, 2)})  loop delay p99 ${f(row.loopDelayMs.p99)} max ${f(row.loopDelayMs.max)} ms  load ${f(row.loadAverage1m)}${row.eventsPerSync ? `  ${row.eventsPerSync.toFixed(0)} events/sync, write+sync mean ${row.meanSyncMs.toFixed(1)} max ${row.maxSyncMs.toFixed(0)} ms` : ''}${row.failures ? `  ${row.failures} failed` : ''}`,
        );
      }
    }
  }
  const sse = values['no-sse'] ? null : await measureSse(Number(values['sse-clients']), Number(values.rate), seconds, batch);
  if (!values.json && sse !== null) {
    console.error(
      `sse      ${sse.clients} clients, ${sse.rate} posts/s of ${sse.batch}: ${(sse.ackedEventsPerSecond / 1000).toFixed(1)}k events/s acked, /healthz p50 ${sse.healthzP50Ms?.toFixed(1)} p99 ${sse.healthzP99Ms?.toFixed(1)} max ${sse.healthzMaxMs?.toFixed(1)} ms, transitions per client ${sse.transitionsPerClientMin}…${sse.transitionsPerClientMax}, resyncs ${sse.clientResyncs}, dropped ${sse.transitionStreams?.dropped}, RSS ${(sse.peakRssBytes / 1e6).toFixed(0)} MB`,
    );
  }
  process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), batch, seconds, rows, sse }, null, values.json ? 0 : 2)}\n`);
}

// Last: the classes above are initialised by then.
if (values.server !== undefined) await serverChild(values.server);
else if (values.readers !== undefined) await readersChild(Number(values.readers), Number(values.port));
else await runAll();
