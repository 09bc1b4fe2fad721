/**
 * Live ingest through `simfleet serve` on loopback: the first `limit` lines of a log POSTed
 * as NDJSON bodies of `batch` records, `concurrency` requests in flight, by a Node client.
 * Measures events/s (wall time from the first request to the last reply), the latency of
 * each acknowledgement (p50/p99/max) and the server's peak RSS (VmHWM of its process).
 *
 *   node bench/serveIngest.mjs FILE [limit] [batch] [concurrency] [cliBin] [serve args…]
 *
 * The default serve arguments give a reorder horizon of ten years: a generated log spans
 * hours, so this only keeps every event placeable (it is what the horizon costs at most).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { firstLines } from './firstLines.mjs';

const TOKEN = 'bench-token';

/** POSTs one body; resolves to the status once the reply is read. */
function post(port, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/events',
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Lines of the log as NDJSON bodies of `batch` records each (built before timing). */
function bodies(file, limit, batch) {
  const lines = firstLines(file, limit);
  const out = [];
  for (let i = 0; i < lines.length; i += batch) out.push(Buffer.from(lines.slice(i, i + batch).join('\n')));
  return { bodies: out, events: lines.length };
}

export async function serveIngest(file, { limit = 200_000, batch = 500, concurrency = 4, cli, serveArgs = ['--reorder-horizon', 'P3650D'] } = {}) {
  const { bodies: work, events } = bodies(file, limit, batch);
  const server = spawn(process.execPath, [cli, 'serve', '--port', '0', '--token', TOKEN, ...serveArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (c) => {
      out += c;
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    server.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
  const latencies = [];
  let next = 0;
  let failed = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < work.length) {
        const body = work[next++];
        const s = performance.now();
        const status = await post(port, body);
        latencies.push(performance.now() - s);
        if (status !== 202) failed++;
      }
    }),
  );
  const seconds = (performance.now() - t) / 1000;
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  const peakRssBytes = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  if (failed > 0) throw new Error(`${failed} of ${work.length} POSTs were not answered 202`);
  return { events, seconds, batch, concurrency, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: latencies.at(-1), serverPeakRssBytes: peakRssBytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, limit, batch, concurrency, cli, ...serveArgs] = process.argv.slice(2);
  const defaultCli = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
  const r = await serveIngest(file, {
    limit: Number(limit ?? 200_000),
    batch: Number(batch ?? 500),
    concurrency: Number(concurrency ?? 4),
    cli: cli ?? defaultCli,
    ...(serveArgs.length > 0 ? { serveArgs: serveArgs.filter((a) => a !== '-') } : {}),
  });
  console.log(JSON.stringify({ ...r, eventsPerSecond: r.events / r.seconds }));
}
