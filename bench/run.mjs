#!/usr/bin/env node
/**
 * `pnpm bench`: every replay approach on one generated emnify log, each in its own
 * child process (so peak RSS is per approach), then ratios against the baselines and
 * the targets, as JSON under bench/results/ and as the table in
 * docs/performance.md.
 *
 *   node bench/run.mjs [--events 1000000] [--devices 100000] [--seed 1] [--subset 200000] [--only a,b]
 *                      [--repeat N] [--write]
 *
 * --repeat N runs the rows N times, interleaved (a b c a b c …), and keeps each row's median
 * run: on a shared machine, rows measured side by side are what can be compared. A partial
 * run (--only) writes nothing unless --write: then its report (only its rows) replaces the
 * page's section for its input size. --render runs nothing: it writes docs/performance.md and
 * its charts again from the newest report of each size in bench/results/.
 *
 * Uses the built packages (dist/): run `pnpm build` first (`pnpm bench` does).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO, 'packages/cli/dist/bin.js');
const core = () => import(pathToFileURL(join(REPO, 'packages/core/dist/index.js')).href);
const coreColumns = () => import(pathToFileURL(join(REPO, 'packages/core/dist/columns.js')).href);

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    devices: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    subset: { type: 'string', default: '200000' },
    only: { type: 'string' },
    repeat: { type: 'string', default: '1' },
    write: { type: 'boolean', default: false },
    render: { type: 'boolean', default: false },
    child: { type: 'string' },
    file: { type: 'string' },
  },
});

// ------------------------------------------------------------------ children

const CHUNK = 4 << 20;
const NOTES_MARKER = '\n<!-- notes: everything below is kept when the bench regenerates this file -->\n';

/** Calls onLine(buffer, start, end) for every line of the file, reading 4 MiB at a time. */
function forEachLine(file, onLine, limit = Number.POSITIVE_INFINITY) {
  const fd = openSync(file, 'r');
  let carry = Buffer.alloc(0);
  let lines = 0;
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) break;
      const buf = carry.length === 0 ? chunk.subarray(0, n) : Buffer.concat([carry, chunk.subarray(0, n)]);
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        if (lines++ >= limit) return lines - 1;
        onLine(buf, start, nl);
        start = nl + 1;
      }
      carry = Buffer.from(buf.subarray(start));
    }
    if (carry.length > 0 && lines < limit) {
      onLine(carry, 0, carry.length);
      lines++;
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}

/** Decoded DeviceEvents of the first `limit` lines (not timed). */
async function decodedEvents(file, limit) {
  const { decodeEventText, classifyEvent } = await core();
  const events = [];
  forEachLine(
    file,
    (b, s, e) => {
      const r = decodeEventText(b.toString('utf8', s, e));
      if (r.ok) events.push(classifyEvent(r.value));
    },
    limit,
  );
  return events;
}

const STAGE1_WASM = join(REPO, 'bench/data/stage1.wasm');

/** Compiles bench/wasm/stage1.ts (AssemblyScript) for the WASM floor row. */
function compileStage1() {
  const asc = join(REPO, 'node_modules/assemblyscript/bin/asc.js');
  const args = [asc, join(REPO, 'bench/wasm/stage1.ts'), '-O3', '--enable', 'simd', '--runtime', 'stub', '--noAssert', '-o', STAGE1_WASM];
  execFileSync(process.execPath, args, { stdio: 'inherit' });
}

/**
 * Reads the whole file in CHUNK-byte pieces into the buffer and offset `target()` gives and
 * calls `use(n)` after each read: the floors see every byte once, without forEachLine's
 * splitting (which would be part of what they measure).
 */
function forEachChunk(file, target, use) {
  const fd = openSync(file, 'r');
  try {
    for (;;) {
      const [buf, at] = target();
      const n = readSync(fd, buf, at, CHUNK, null);
      if (n === 0) return;
      use(n);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The JavaScript floor's loop: reads every byte once and sums them (locals only, no branch
 * on the data: counting quotes with a branch ran at ~0.6x of this, mispredicted ~1 byte in 7).
 */
function sumBytes(buf, n) {
  let sum = 0;
  for (let i = 0; i < n; i++) sum = (sum + buf[i]) | 0;
  return sum;
}

const CHILDREN = {
  /** Live ingest through `simfleet serve` on loopback (bench/serveIngest.mjs): first `subset` events, bodies of 500, 4 in flight. */
  serveIngest: async (file, limit) => {
    const { serveIngest } = await import('./serveIngest.mjs');
    return serveIngest(file, { limit, batch: 500, concurrency: 4, cli: CLI });
  },
  /**
   * Durable live ingest on loopback (bench/ingest.mjs: a bare node:http server, the same with
   * the journal, serve's decode with the journal, and the real `simfleet serve --data-dir`;
   * concurrency 1, 4, 16, 64; batches of 100). The row's figure is `serve --data-dir` at
   * concurrency 16; every row is in `ingest`.
   */
  async ingest() {
    const run = spawnSync(process.execPath, [join(REPO, 'bench/ingest.mjs'), '--json'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) throw new Error(`bench/ingest.mjs failed: ${run.stderr}`);
    const { rows } = JSON.parse(run.stdout.trim().split('\n').pop());
    const headline = rows.find((r) => r.server === 'serveDataDir' && r.concurrency === 16);
    const bare = rows.find((r) => r.server === 'bare' && r.concurrency === 16);
    return { events: headline.events, seconds: headline.seconds, p99Ms: headline.p99Ms, vsBare: headline.eventsPerSecond / bare.eventsPerSecond, ingest: rows };
  },
  /** Through the NATS JetStream cluster (bench/cluster.mjs): publish → 1, 2, 3 `worker --pg` → caught up, first `limit` events (≤ 100k). */
  cluster1: (file, limit) => clusterChild(file, limit, 1),
  cluster2: (file, limit) => clusterChild(file, limit, 2),
  cluster3: (file, limit) => clusterChild(file, limit, 3),
  /** Failover (bench/cluster.mjs --failover): 3 workers caught up, one SIGKILLed, 2,000 events published: seconds until caught up again. */
  async clusterFailover(file, limit) {
    const r = await clusterChild(file, Math.min(limit, 20_000), 3, true);
    return { ...r, events: r.failoverEvents, seconds: r.failoverSeconds, throughputEvents: r.events, throughputSeconds: r.seconds };
  },
  /**
   * Floor of any JavaScript decoder: one bare loop reading every byte (it sums them, nothing
   * else). A decoder that must look at every byte to validate it cannot beat it.
   */
  async jsFloor(file) {
    const buf = Buffer.allocUnsafe(CHUNK);
    let checksum = 0;
    const t = performance.now();
    forEachChunk(
      file,
      () => [buf, 0],
      (n) => {
        checksum = (checksum + sumBytes(buf, n)) | 0;
      },
    );
    const seconds = (performance.now() - t) / 1000;
    // Lines are counted after the clock stops (the events/s column needs them).
    let events = 0;
    forEachLine(file, () => events++);
    return { events, seconds, checksum };
  },

  /** Floor of a WASM decoder: simdjson's stage 1 with 128-bit SIMD (bench/wasm/stage1.ts). */
  async wasmFloor(file) {
    const { instance } = await WebAssembly.instantiate(readFileSync(STAGE1_WASM), {
      env: {
        abort: () => {
          throw new Error('stage1 aborted');
        },
      },
    });
    const { memory, scan, lines, errors } = instance.exports;
    const input = 1 << 16;
    const output = input + CHUNK + 64;
    memory.grow(Math.ceil((output + CHUNK * 4) / 65536) - memory.buffer.byteLength / 65536);
    const heap = new Uint8Array(memory.buffer);
    let structurals = 0;
    const t = performance.now();
    forEachChunk(
      file,
      () => [heap, input],
      (n) => {
        let len = n;
        while (len % 64 !== 0) heap[input + len++] = 0x20;
        structurals += scan(input, len, output);
      },
    );
    const seconds = (performance.now() - t) / 1000;
    if (errors.value !== 0n) throw new Error('stage1 found control characters inside strings');
    return { events: Number(lines.value), seconds, structurals };
  },

  /** Read the file and split it into line strings, nothing else. */
  async lines(file) {
    let n = 0;
    const t = performance.now();
    forEachLine(file, (b, s, e) => {
      if (b.toString('utf8', s, e).length > 0) n++;
    });
    return { events: n, seconds: (performance.now() - t) / 1000 };
  },

  /** JSON.parse every line + a Map reducer (last event type per endpoint, by timestamp). */
  async jsonParse(file) {
    const devices = new Map();
    let n = 0;
    const t = performance.now();
    forEachLine(file, (b, s, e) => {
      const r = JSON.parse(b.toString('utf8', s, e));
      n++;
      const id = r.endpoint?.id;
      if (id === undefined) return;
      const at = Date.parse(r.timestamp);
      const d = devices.get(id);
      if (d === undefined) devices.set(id, { type: r.event_type.id, at });
      else if (at >= d.at) {
        d.type = r.event_type.id;
        d.at = at;
      }
    });
    return { events: n, seconds: (performance.now() - t) / 1000, devices: devices.size };
  },

  /** One XState actor per device (createActor + start + send), events pre-decoded (subset). */
  async xstateActor(file, subset) {
    const { createActor } = await import(pathToFileURL(join(REPO, 'packages/core/node_modules/xstate/dist/xstate.esm.js')).href).catch(
      () => import(pathToFileURL(join(REPO, 'node_modules/.pnpm/node_modules/xstate/dist/xstate.esm.js')).href),
    );
    const { deviceMachine } = await core();
    const events = await decodedEvents(file, subset);
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const actors = new Map();
    const t = performance.now();
    for (const ev of events) {
      if (ev.endpointId === null) continue;
      let a = actors.get(ev.endpointId);
      if (a === undefined) {
        a = createActor(deviceMachine, { input: { endpointId: ev.endpointId } }).start();
        actors.set(ev.endpointId, a);
      }
      a.send(ev);
    }
    const seconds = (performance.now() - t) / 1000;
    globalThis.gc?.();
    const heapPerDevice = (process.memoryUsage().heapUsed - heapBefore) / actors.size;
    return { events: events.length, seconds, devices: actors.size, heapPerDevice };
  },

  /** XState's pure transition() per event, snapshots in a Map, events pre-decoded (subset). */
  async xstateTransition(file, subset) {
    const { initialTransition, transition } = await import(pathToFileURL(join(REPO, 'packages/core/node_modules/xstate/dist/xstate.esm.js')).href).catch(
      () => import(pathToFileURL(join(REPO, 'node_modules/.pnpm/node_modules/xstate/dist/xstate.esm.js')).href),
    );
    const { deviceMachine } = await core();
    const events = await decodedEvents(file, subset);
    const snapshots = new Map();
    const t = performance.now();
    for (const ev of events) {
      if (ev.endpointId === null) continue;
      let s = snapshots.get(ev.endpointId);
      if (s === undefined) [s] = initialTransition(deviceMachine, { endpointId: ev.endpointId });
      const [next] = transition(deviceMachine, s, ev);
      snapshots.set(ev.endpointId, next);
    }
    return { events: events.length, seconds: (performance.now() - t) / 1000, devices: snapshots.size };
  },

  /** applyBatch over pre-decoded columns (decoding not timed; sorting is). */
  async applyBatch(file) {
    const { FleetStore, applyBatch, decodeEventText, classifyEvent } = await core();
    const { FastLineDecoder } = await coreColumns();
    const fleet = new FleetStore();
    const columns = fleet.createColumns(1 << 20);
    const fast = new FastLineDecoder(columns);
    forEachLine(file, (b, s, e) => {
      if (fast.decodeLine(b, s, e) === -1) {
        const r = decodeEventText(b.toString('utf8', s, e));
        if (r.ok) columns.push(classifyEvent(r.value));
      }
    });
    const t = performance.now();
    const result = applyBatch(fleet, columns);
    return { events: columns.length, seconds: (performance.now() - t) / 1000, devices: fleet.endpointCount, applied: result.applied };
  },

  /**
   * @simfleet/wasm decoding the file: every line validated as JSON, decoded into
   * EventColumns rows and its strings interned (WASM pools, adopted by the fleet's pool once
   * per chunk); no reducer. Read straight into WASM memory, one call per 1 MiB chunk.
   */
  async wasmDecode(file) {
    const { WasmLineDecoder } = await import(pathToFileURL(join(REPO, 'packages/wasm/dist/index.js')).href);
    const { FleetStore } = await core();
    const fleet = new FleetStore();
    const columns = fleet.createColumns(1 << 14);
    const decoder = new WasmLineDecoder(fleet.pool);
    let lines = 0;
    let rows = 0;
    const onChunk = (chunk) => {
      lines += chunk.lines;
      rows += chunk.rows;
      columns.clear();
      chunk.appendRows(columns, 0, chunk.rows);
    };
    const t = performance.now();
    const fd = openSync(file, 'r');
    try {
      for (;;) {
        const space = decoder.space();
        const n = readSync(fd, space, 0, space.length, null);
        decoder.decode(n, n === 0, onChunk);
        if (n === 0) break;
      }
    } finally {
      closeSync(fd);
    }
    return { events: lines, rows, seconds: (performance.now() - t) / 1000, strings: fleet.pool.size };
  },

  /** simfleet replay file → snapshot (written to /dev/null), in process. */
  async replay1(file) {
    return replayChild(file, 1);
  },
  async replay2(file) {
    return replayChild(file, 2);
  },
  /** The default thread count (the idle cores, by the load average). */
  async replayDefault(file) {
    return replayChild(file, undefined);
  },

  /**
   * replay2 plus `--pg`: the same replay, then the fleet and every transition written into
   * a throwaway PostgreSQL 15 on this machine (durable settings; started and removed here,
   * not timed). Rows/s counts the rows written over the write's own seconds.
   */
  async replayPg(file) {
    const { startThrowawayPostgres } = await import(pathToFileURL(join(REPO, 'packages/postgres/dist/testing/index.js')).href);
    const server = await startThrowawayPostgres({ durable: true });
    try {
      const r = await replayChild(file, 2, ['--pg', server.url]);
      const m = /postgres \S+: (\d+) endpoints .*?, (\d+) transitions .* in ([\d.]+) s/.exec(r.stderr);
      if (m === null) throw new Error(`no postgres line in: ${r.stderr}`);
      const rows = Number(m[1]) + Number(m[2]);
      return { events: r.events, seconds: r.seconds, pgRows: rows, pgTransitions: Number(m[2]), pgSeconds: Number(m[3]), pgRowsPerSecond: rows / Number(m[3]) };
    } finally {
      await server.stop();
    }
  },

  /** DuckDB read_ndjson, 4 fields projected, arg_max per endpoint, 2 threads. */
  async duckdb(file) {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:', { threads: '2' });
    const con = await db.connect();
    const t = performance.now();
    const sql = `SELECT count(*) AS devices, sum(n) AS events FROM (
      SELECT endpoint.id AS endpoint_id, arg_max(event_type.id, (timestamp, id)) AS last_type, count(*) AS n
      FROM read_ndjson('${file.replace(/'/g, "''")}', columns = {id: 'UBIGINT', timestamp: 'VARCHAR', event_type: 'STRUCT(id INTEGER)', endpoint: 'STRUCT(id BIGINT)'})
      GROUP BY ALL)`;
    const reader = await con.runAndReadAll(sql);
    const [row] = reader.getRowObjects();
    return { events: Number(row.events), seconds: (performance.now() - t) / 1000, devices: Number(row.devices) };
  },
};

/** One cluster run in this child (bench/cluster.mjs); at most 100k events, so the four rows stay minutes. */
async function clusterChild(file, limit, workers, failover = false) {
  const { clusterRun } = await import('./cluster.mjs');
  return clusterRun(file, { limit: Math.min(limit, 100_000), workers, failover, cli: CLI });
}

async function replayChild(file, threads, extra = []) {
  const { main } = await import(pathToFileURL(join(REPO, 'packages/cli/dist/main.js')).href);
  const { Writable, Readable } = await import('node:stream');
  let stderr = '';
  const io = {
    stdin: Readable.from([]),
    stdout: new Writable({ write: (_c, _e, cb) => cb() }),
    stderr: Object.assign(
      new Writable({
        write: (c, _e, cb) => {
          stderr += c;
          cb();
        },
      }),
      { isTTY: false },
    ),
    env: process.env,
  };
  const t = performance.now();
  const threadArgs = threads === undefined ? [] : ['--threads', String(threads)];
  const code = await main(['replay', file, '--quiet', ...threadArgs, '--out', '/dev/null', ...extra], io);
  const seconds = (performance.now() - t) / 1000;
  if (code !== 0) throw new Error(`replay exited ${code}: ${stderr}`);
  const m = /records (\d+)/.exec(stderr);
  return { events: Number(m?.[1] ?? 0), seconds, ...(extra.length > 0 ? { stderr } : {}) };
}

if (values.child !== undefined) {
  const result = await CHILDREN[values.child](values.file, Number(values.subset));
  result.peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

// ------------------------------------------------------------------ parent

if (values.render) {
  const [first, ...rest] = latestReports(null);
  if (first === undefined) throw new Error('no report in bench/results/ to render');
  writePage([first, ...rest]);
  process.exit(0);
}

const events = Number(values.events);
const devices = Number(values.devices);
const seed = Number(values.seed);
const subset = Math.min(Number(values.subset), events);
const dataDir = join(REPO, 'bench/data');
mkdirSync(dataDir, { recursive: true });
const file = join(dataDir, `fleet-${events}-${devices}-${seed}.ndjson`);
if (!existsSync(file)) {
  console.error(`generating ${file} …`);
  execFileSync(process.execPath, [CLI, 'generate', '--events', String(events), '--devices', String(devices), '--seed', String(seed), '--out', file], {
    stdio: 'inherit',
  });
}
const bytes = statSync(file).size;

const APPROACHES = [
  ['lines', 'read the file and split lines, nothing else (1 core)'],
  ['jsFloor', 'floor: a bare JavaScript loop reading every byte (sums them), nothing decoded (1 core)'],
  ['wasmFloor', 'floor: WASM SIMD structural index (simdjson stage 1 only), nothing decoded (1 core)'],
  ['jsonParse', '`JSON.parse` every line + a Map reducer (1 core)'],
  ['xstateActor', `XState actor per device (createActor + send), pre-decoded, first ${subset} events`],
  ['xstateTransition', `XState pure transition() per event, pre-decoded, first ${subset} events`],
  ['duckdb', 'DuckDB read_ndjson, 4 fields + arg_max per endpoint (2 threads)'],
  ['wasmDecode', '@simfleet/wasm: validate + decode + intern every line into EventColumns rows, no reducer (1 core)'],
  ['applyBatch', 'simfleet applyBatch on pre-decoded columns (1 core)'],
  ['replay1', 'simfleet replay file → snapshot, --threads 1'],
  ['replay2', 'simfleet replay file → snapshot, --threads 2'],
  ['replayDefault', 'simfleet replay file → snapshot, default --threads (the idle cores)'],
  ['replayPg', 'simfleet replay file → snapshot + PostgreSQL 15 (--pg, same machine), --threads 2'],
  [
    'serveIngest',
    `simfleet serve on loopback: first ${subset} events POSTed as NDJSON bodies of 500, 4 in flight (acknowledged once applied; p50/p99 ack latency, server peak RSS)`,
  ],
  [
    'ingest',
    'live ingest on loopback: simfleet serve --data-dir (decode, journal fdatasync before each 202, fold into state), concurrency 16, batches of 100 (bench/ingest.mjs)',
  ],
  [
    'cluster1',
    `NATS JetStream cluster, 1 simfleet worker --pg: first ${Math.min(subset, 100_000)} events, publish → tables caught up, 16 partitions (bench/cluster.mjs)`,
  ],
  ['cluster2', `NATS JetStream cluster, 2 workers --pg: first ${Math.min(subset, 100_000)} events, publish → tables caught up, 16 partitions`],
  ['cluster3', `NATS JetStream cluster, 3 workers --pg: first ${Math.min(subset, 100_000)} events, publish → tables caught up, 16 partitions`],
  [
    'clusterFailover',
    'NATS JetStream cluster failover: 3 workers, one SIGKILLed, 2000 events published; "seconds" = kill → every partition owned and caught up (lease TTL 6 s)',
  ],
];
const only = values.only?.split(',');
if (only === undefined || only.includes('wasmFloor')) compileStage1();
const results = {};
const repeat = Math.max(1, Math.floor(Number(values.repeat)));
/** Every run of each row (--repeat), interleaved; the median run is the row's result. */
const runs = {};
for (let round = 0; round < repeat; round++)
  for (const [name, label] of APPROACHES) {
    if (only !== undefined && !only.includes(name)) continue;
    const args = ['--expose-gc', '--max-old-space-size=16384', fileURLToPath(import.meta.url), '--child', name, '--file', file, '--subset', String(subset)];
    const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (run.status !== 0) {
      console.error(`${name} failed: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      runs[name] = [...(runs[name] ?? []), { label, error: run.stderr.trim().split('\n').slice(-1)[0] }];
      continue;
    }
    const r = JSON.parse(run.stdout.trim().split('\n').pop());
    const fraction = r.events / events;
    r.label = label;
    r.eventsPerSecond = r.events / r.seconds;
    r.mbPerSecond = (bytes * fraction) / 1e6 / r.seconds;
    if (r.devices) r.rssBytesPerDevice = r.peakRssBytes / r.devices;
    runs[name] = [...(runs[name] ?? []), r];
    console.error(
      `${name.padEnd(17)} ${(r.eventsPerSecond / 1e6).toFixed(3).padStart(9)} M events/s ${r.mbPerSecond.toFixed(0).padStart(6)} MB/s  peak RSS ${(r.peakRssBytes / 1e6).toFixed(0)} MB  (${r.seconds.toFixed(2)} s)`,
    );
    if (r.ingest) {
      // Every run's headline, not only the median's: the p99 target is judged run by run.
      const at16 = r.ingest.find((row) => row.server === 'serveDataDir' && row.concurrency === 16);
      console.error(
        `${''.padEnd(17)} serve --data-dir c=16: ${(at16.eventsPerSecond / 1000).toFixed(1)}k events/s, p99 ${at16.p99Ms.toFixed(1)} ms, ${r.vsBare.toFixed(2)}× bare, load ${at16.loadAverage1m?.toFixed(1) ?? '?'}`,
      );
    }
    if (r.pgRows)
      console.error(
        `${''.padEnd(17)} PostgreSQL: ${r.pgRows} rows (${r.pgTransitions} transitions) in ${r.pgSeconds.toFixed(2)} s = ${Math.round(r.pgRowsPerSecond)} rows/s`,
      );
  }

for (const [name, list] of Object.entries(runs)) {
  // By events/s, not seconds: rows with a fixed measuring window (ingest) vary in events, not in time.
  const ok = list.filter((r) => !r.error).sort((a, b) => b.eventsPerSecond - a.eventsPerSecond);
  if (ok.length === 0) {
    results[name] = list[0];
    continue;
  }
  const median = ok[Math.floor((ok.length - 1) / 2)];
  results[name] = ok.length > 1 ? { ...median, runs: ok.length, runSeconds: ok.map((r) => r.seconds) } : median;
}

const eps = (name) => results[name]?.eventsPerSecond;
const ratio = (a, b) => (eps(a) !== undefined && eps(b) !== undefined ? eps(a) / eps(b) : null);
const devicesSeen = results.applyBatch?.devices ?? devices;
for (const name of ['replay1', 'replay2'])
  if (results[name] && !results[name].error) results[name].rssBytesPerDevice = results[name].peakRssBytes / devicesSeen;
const replayRssPerDevice = results.replay2 ? results.replay2.peakRssBytes / devicesSeen : null;
const targets = [
  { target: 'replay, both cores ≥ 1.0× DuckDB (stretch 1.5×)', value: ratio('replay2', 'duckdb'), goal: 1.0 },
  { target: 'replay, one thread ≥ 5× JSON.parse per line', value: ratio('replay1', 'jsonParse'), goal: 5 },
  { target: 'applyBatch on decoded columns ≥ 50M events/s', value: eps('applyBatch') === undefined ? null : eps('applyBatch') / 1e6, goal: 50 },
  { target: 'replay (both cores) ≥ 50× XState actor per device', value: ratio('replay2', 'xstateActor'), goal: 50 },
  {
    target: 'memory per device ≤ 1/10 of an XState actor (replay peak RSS per device vs actor heap per device)',
    value: results.xstateActor?.heapPerDevice && replayRssPerDevice ? replayRssPerDevice / results.xstateActor.heapPerDevice : null,
    goal: 0.1,
    lowerIsBetter: true,
  },
  // Set for a million devices (10M events): at 100k devices the process's fixed bytes dominate,
  // so a smaller run does not list them.
  ...(devicesSeen >= 1_000_000
    ? [
        {
          target: 'replay peak RSS per device ≤ 400 bytes at 1M devices, --threads 1',
          value: results.replay1?.rssBytesPerDevice ?? null,
          goal: 400,
          lowerIsBetter: true,
        },
        { target: 'replay peak RSS per device ≤ 400 bytes at 1M devices, --threads 2', value: replayRssPerDevice, goal: 400, lowerIsBetter: true },
      ]
    : []),
  {
    target: "replay → PostgreSQL ≤ 2× replay → snapshot (writing the tables adds at most the replay's own time)",
    value: results.replayPg?.seconds && results.replay2?.seconds ? results.replayPg.seconds / results.replay2.seconds : null,
    goal: 2,
    lowerIsBetter: true,
  },
  { target: 'durable ingest ≥ 100k events/s at concurrency 16 (k events/s)', value: eps('ingest') === undefined ? null : eps('ingest') / 1000, goal: 100 },
  { target: 'durable ingest p99 acknowledgement < 50 ms at concurrency 16 (ms)', value: results.ingest?.p99Ms ?? null, goal: 50, lowerIsBetter: true },
  { target: 'durable ingest ≥ 0.5× the bare node:http server, same run', value: results.ingest?.vsBare ?? null, goal: 0.5 },
  ...(events >= 10_000_000
    ? [{ target: '10M events / 1M devices: replay (both cores) no slower than DuckDB on the same file', value: ratio('replay2', 'duckdb'), goal: 1 }]
    : []),
];
for (const t of targets) t.met = t.value === null ? null : t.lowerIsBetter ? t.value <= t.goal : t.value >= t.goal;

const cpu = cpus()[0]?.model ?? 'unknown';
const machine = { os: `${platform()} ${release()}`, cpu, cores: availableParallelism(), memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version };
const date = new Date().toISOString();
const report = {
  date,
  repeat,
  machine,
  input: { file: file.slice(REPO.length + 1), events, devices, seed, bytes, bytesPerEvent: bytes / events, xstateSubset: subset },
  results,
  ratios: {
    replay1VsJsonParse: ratio('replay1', 'jsonParse'),
    replay2VsJsonParse: ratio('replay2', 'jsonParse'),
    replay2VsDuckdb: ratio('replay2', 'duckdb'),
    replay1VsDuckdb: ratio('replay1', 'duckdb'),
    replay2VsXstateActor: ratio('replay2', 'xstateActor'),
    replay2VsXstateTransition: ratio('replay2', 'xstateTransition'),
    replay2VsLines: ratio('replay2', 'lines'),
    replay2VsReplay1: ratio('replay2', 'replay1'),
    replayDefaultVsReplay1: ratio('replayDefault', 'replay1'),
    replay1VsJsFloor: ratio('replay1', 'jsFloor'),
    jsFloorVsJsonParse: ratio('jsFloor', 'jsonParse'),
    jsFloorVsDuckdb: ratio('jsFloor', 'duckdb'),
    wasmFloorVsDuckdb: ratio('wasmFloor', 'duckdb'),
    wasmDecodeVsDuckdb: ratio('wasmDecode', 'duckdb'),
    wasmDecodeVsJsonParse: ratio('wasmDecode', 'jsonParse'),
    replayPgVsReplay2: results.replayPg?.seconds && results.replay2?.seconds ? results.replayPg.seconds / results.replay2.seconds : null,
    cluster2VsCluster1: ratio('cluster2', 'cluster1'),
    cluster3VsCluster1: ratio('cluster3', 'cluster1'),
    clusterFailoverSeconds: results.clusterFailover?.error ? null : (results.clusterFailover?.seconds ?? null),
  },
  targets,
};
if (only !== undefined && !values.write) {
  // A partial run (--only) must not replace the last full run's figures: print, write nothing (unless --write).
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exit(0);
}
mkdirSync(join(REPO, 'bench/results'), { recursive: true });
const out = join(REPO, 'bench/results', `${date.slice(0, 10)}-${events}.json`);
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.error(`wrote ${out.slice(REPO.length + 1)}`);
writePage(latestReports(report));

/** docs/performance.md and one chart per report (docs/images/). */
function writePage(pageReports) {
  mkdirSync(join(REPO, 'docs/images'), { recursive: true });
  for (const r of pageReports) writeFileSync(join(REPO, 'docs/images', chartName(r)), renderChart(r));
  writeFileSync(join(REPO, 'docs/performance.md'), renderMarkdown(pageReports, readNotes()));
  console.error('wrote docs/performance.md and its charts');
}

/**
 * This run's report and, for every other input size, the newest report in bench/results:
 * the page shows the default size and the big case side by side, whichever ran last.
 */
function latestReports(current) {
  const bySize = new Map();
  const dir = join(REPO, 'bench/results');
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const r = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    if (current !== null && r.input.events === current.input.events && r.input.devices === current.input.devices) continue;
    const known = bySize.get(r.input.events);
    if (known === undefined || known.date < r.date) bySize.set(r.input.events, r);
  }
  if (current !== null) bySize.set(current.input.events, current);
  return [...bySize.values()].sort((a, b) => a.input.events - b.input.events);
}

/** The hand-written part of docs/performance.md (below the marker) survives regeneration. */
function readNotes() {
  const path = join(REPO, 'docs/performance.md');
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(NOTES_MARKER);
  return at === -1 ? '' : text.slice(at + NOTES_MARKER.length);
}

function renderSection(r) {
  const f = (v, d = 2) => (v === null || v === undefined ? '—' : Number(v).toFixed(d));
  const rows = Object.entries(r.results).map(([name, x]) =>
    x.error
      ? `| ${x.label} | failed: ${x.error} | | | | |`
      : `| ${x.label} | ${f(x.eventsPerSecond / 1e6, 3)} | ${f(x.mbPerSecond, 0)} | ${f(x.peakRssBytes / 1e6, 0)} | ${x.rssBytesPerDevice ? f(x.rssBytesPerDevice, 0) : '—'} | ${f(x.seconds)} |`,
  );
  const t = r.targets.map((x) => `| ${x.target} | ${f(x.value)} | ${x.met === null ? 'not measured' : x.met ? 'met' : 'missed'} |`);
  return `## ${r.input.events.toLocaleString('en-US')} events, ${r.input.devices.toLocaleString('en-US')} devices

Generated by \`pnpm bench\` (bench/run.mjs) on ${r.date}. Raw figures: \`bench/results/${r.date.slice(0, 10)}-${r.input.events}.json\`.

Machine: ${r.machine.os}, ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}.

Input: \`simfleet generate --events ${r.input.events} --devices ${r.input.devices} --seed ${r.input.seed}\` — ${f(r.input.bytes / 1e6, 0)} MB, ${f(r.input.bytesPerEvent, 0)} bytes per event. Every approach runs in its own child process (peak RSS is that process's). The XState baselines run on the first ${r.input.xstateSubset} events, decoded beforehand, and are reported per event; "RSS/device" divides the process's peak RSS by the devices it saw (for XState actors the heap per device is ${r.results.xstateActor?.heapPerDevice ? f(r.results.xstateActor.heapPerDevice, 0) : '—'} bytes).

![Throughput of each approach on this input, in M events/s](images/${chartName(r)})

${r.repeat > 1 ? `Each row ran ${r.repeat} times, interleaved with the others; the table shows its median run (of an even count, the faster middle one; every run's seconds are in the raw figures).\n\n` : ''}| approach | M events/s | MB/s | peak RSS (MB) | RSS/device (B) | seconds |
|---|---:|---:|---:|---:|---:|
${rows.join('\n')}

Ratios (same run): replay --threads 1 / JSON.parse = ${f(r.ratios.replay1VsJsonParse)}×; --threads 2 / JSON.parse = ${f(r.ratios.replay2VsJsonParse)}×; --threads 2 / DuckDB = ${f(r.ratios.replay2VsDuckdb)}×; --threads 2 / XState actor = ${f(r.ratios.replay2VsXstateActor)}×; --threads 2 / XState transition() = ${f(r.ratios.replay2VsXstateTransition)}×; --threads 2 / --threads 1 = ${f(r.ratios.replay2VsReplay1)}×.

Floors (same run): the bare JavaScript byte loop runs at ${f(r.ratios.jsFloorVsJsonParse)}× JSON.parse and ${f(r.ratios.jsFloorVsDuckdb)}× DuckDB; replay --threads 1 runs at ${f(r.ratios.replay1VsJsFloor)}× that loop; the WASM SIMD stage 1 alone at ${f(r.ratios.wasmFloorVsDuckdb)}× DuckDB.

${r.results.replayPg?.pgRows ? `PostgreSQL (same run): replay → PostgreSQL wrote ${r.results.replayPg.pgRows} rows (${r.results.replayPg.pgTransitions} transitions) in ${f(r.results.replayPg.pgSeconds)} s = ${f(r.results.replayPg.pgRowsPerSecond, 0)} rows/s; its whole run / replay → snapshot = ${f(r.ratios.replayPgVsReplay2)}×.\n\n` : ''}${r.results.cluster1?.eventsPerSecond ? `Cluster (same run): ${f(r.results.cluster1.eventsPerSecond, 0)} events/s with 1 worker, ${f(r.ratios.cluster2VsCluster1)}× that with 2, ${f(r.ratios.cluster3VsCluster1)}× with 3; failover (SIGKILL → caught up) ${f(r.ratios.clusterFailoverSeconds, 1)} s. docs/cluster.md says what bounds it.\n\n` : ''}### Targets

| target | reached | |
|---|---:|---|
${t.join('\n')}
`;
}

function renderMarkdown(reports, notes) {
  return `# Performance

What simfleet does per second on a given machine, beside baselines run on the same file: \`JSON.parse\`
per line, DuckDB's \`read_ndjson\`, XState actors, and the floors of a byte loop. Measured by
\`pnpm bench\` (bench/run.mjs), which writes this page: one section per input size, the newest run of
each (\`pnpm bench\` is 1M events; \`pnpm bench --events 10000000 --devices 1000000\` the big case).
Compare figures within a section only. How to reproduce them and what bounds them: below the sections.

${reports.map(renderSection).join('\n')}${NOTES_MARKER}${notes}`;
}

/** File name of a report's chart (docs/images/). */
function chartName(r) {
  return `performance-${r.input.events}.svg`;
}

/**
 * A horizontal bar chart (SVG, no dependency) of the report's rows in M events/s, simfleet's
 * rows in one colour and the baselines in another, each bar labelled with its figure.
 */
function renderChart(r) {
  const rows = Object.entries(r.results).filter(([, x]) => !x.error && x.eventsPerSecond > 0);
  const esc = (t) => String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, '');
  const ours = (name) => /^(replay|wasm|applyBatch|serve|ingest)/.test(name) && name !== 'wasmFloor';
  const max = Math.max(...rows.map(([, x]) => x.eventsPerSecond));
  const labelWidth = 330;
  const barWidth = 420;
  const rowHeight = 26;
  const top = 40;
  const height = top + rows.length * rowHeight + 30;
  const width = labelWidth + barWidth + 90;
  const bars = rows.map(([name, x], i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, (x.eventsPerSecond / max) * barWidth);
    const label = x.label.length > 52 ? `${x.label.slice(0, 51)}…` : x.label;
    return [
      `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${esc(label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${ours(name) ? '#2f6fb5' : '#a0a0a0'}"><title>${esc(name)}</title></rect>`,
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 16}">${(x.eventsPerSecond / 1e6).toFixed(3)}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="10" y="22" font-size="14" font-weight="bold">${esc(`${r.input.events.toLocaleString('en-US')} events, ${r.input.devices.toLocaleString('en-US')} devices: M events/s (longer is faster)`)}</text>
${bars.join('\n')}
<text x="10" y="${height - 10}" fill="#555">${esc(`${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, ${r.date.slice(0, 10)}. Blue: simfleet; grey: baselines and floors.`)}</text>
</svg>
`;
}
