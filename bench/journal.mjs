#!/usr/bin/env node
/**
 * The durable journal alone (no HTTP): appends of `--batch` records (560 bytes each, an
 * emnify event's size) from `--concurrency` writers at once, each waiting for its
 * acknowledgement before the next; events/s, p50 / p99 / max acknowledgement latency,
 * `fdatasync`s and events per sync (group commit), for 1 and 2 syncs in flight.
 *
 *   node bench/journal.mjs [--seconds 3] [--batch 100] [--concurrency 1,16,64] [--syncs 1,2]
 *
 * The journal lives in a fresh directory under the system's temporary directory. Uses
 * the built package (packages/engine/dist): run `pnpm build` first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const { Journal } = await import(pathToFileURL(join(REPO, 'packages/engine/dist/index.js')).href);
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '1,16,64' },
    syncs: { type: 'string', default: '1,2' },
  },
});

const record = `{"id":1,"timestamp":"2026-11-30T00:00:00.000Z",${'"pad":"x",'.repeat(50)}"event_type":{"id":1}}`.padEnd(560, ' ');
const rows = [];
for (const syncs of values.syncs.split(',').map(Number)) {
  for (const concurrency of values.concurrency.split(',').map(Number)) {
    const dir = mkdtempSync(join(tmpdir(), 'simfleet-bench-journal-'));
    const journal = await Journal.open(dir, { maxConcurrentSyncs: syncs });
    const batch = Array.from({ length: Number(values.batch) }, () => record);
    const latencies = [];
    let events = 0;
    const start = performance.now();
    const stopAt = start + Number(values.seconds) * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < stopAt) {
          const t = performance.now();
          await journal.append(batch);
          latencies.push(performance.now() - t);
          events += batch.length;
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const state = journal.state;
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
    latencies.sort((a, b) => a - b);
    const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    const row = {
      syncs,
      concurrency,
      events,
      seconds,
      eventsPerSecond: events / seconds,
      p50Ms: q(0.5),
      p99Ms: q(0.99),
      maxMs: latencies.at(-1),
      fdatasyncs: state.syncs,
      eventsPerSync: events / state.syncs,
      meanSyncMs: state.meanSyncMs,
    };
    rows.push(row);
    console.error(
      `syncs in flight ${syncs}  c=${String(concurrency).padStart(2)}  ${(row.eventsPerSecond / 1000).toFixed(1).padStart(6)}k events/s  p50 ${row.p50Ms.toFixed(1).padStart(6)} ms  p99 ${row.p99Ms.toFixed(1).padStart(6)} ms  max ${row.maxMs.toFixed(1).padStart(6)} ms  ${row.eventsPerSync.toFixed(0)} events/sync, write+sync ${row.meanSyncMs.toFixed(1)} ms`,
    );
  }
}
process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), rows })}\n`);
