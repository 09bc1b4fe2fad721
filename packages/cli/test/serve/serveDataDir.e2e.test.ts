import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startSimfleet } from '../fetch/spawnSimfleet.js';
import { tempDir } from '../support.js';

const TOKEN = 'durable-token';
const BASE_MS = Date.UTC(2026, 9, 1);

/** One event of its own endpoint (endpoint id = event id), so the snapshot's endpoints are the event ids. */
function eventLine(id: number): string {
  const at = new Date(BASE_MS + id * 1000).toISOString();
  return `{"id":${id},"timestamp":"${at}","alert":false,"description":"Update location","event_type":{"id":1,"description":"Update location"},"endpoint":{"id":${id},"name":"ep-${id}"}}`;
}

function post(url: string, ids: readonly number[]): Promise<Response> {
  return fetch(`${url}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
    body: ids.map(eventLine).join('\n'),
  });
}

/** Servers started and not yet seen to exit: killed after each test, so a failing one leaves no process behind. */
const running = new Set<ReturnType<typeof startSimfleet>['child']>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
});

/** `simfleet serve --data-dir DIR` as a child process, with its URL once it listens. */
async function serve(dir: string, extra: readonly string[] = []) {
  const started = startSimfleet(['serve', '--port', '0', '--token', TOKEN, '--data-dir', dir, ...extra]);
  running.add(started.child);
  void started.done.then(() => running.delete(started.child));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    started.child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    started.done.then((r) => reject(new Error(`serve exited ${r.status} before listening: ${r.stderr}`)));
  });
  return { ...started, url };
}

async function snapshotIds(url: string): Promise<{ ids: number[]; counts: { records: number; applied: number; duplicates: number } }> {
  const snapshot = (await (await fetch(`${url}/fleet/snapshot`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
    counts: { records: number; applied: number; duplicates: number };
    endpoints: { endpointId: number }[];
  };
  return { ids: snapshot.endpoints.map((e) => e.endpointId), counts: snapshot.counts };
}

/** The integers from `from` to `to`, inclusive. */
function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** A small seeded generator (mulberry32): the kill moments differ per cycle but the run is repeatable. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('simfleet serve --data-dir', () => {
  it('loses no acknowledged event and applies none twice across SIGKILLs at random moments under load', async () => {
    const dir = join(tempDir(), 'data');
    dirs.push(dir);
    const acknowledged = new Set<number>();
    const rand = random(22);
    let nextId = 1;
    let replayedSome = false;
    for (let cycle = 0; cycle < 4; cycle++) {
      const server = await serve(dir, ['--checkpoint-every', '400']);
      const before = acknowledged.size;
      let killed = false;
      // Four clients posting batches of 20 new events as fast as they are answered.
      const client = async (): Promise<void> => {
        while (!killed) {
          const ids = Array.from({ length: 20 }, () => nextId++);
          try {
            const res = await post(server.url, ids);
            if (res.status === 202) for (const id of ids) acknowledged.add(id);
            else await res.body?.cancel();
          } catch {
            // The server died mid-request: not acknowledged, so not in the ledger.
          }
        }
      };
      const clients = [client(), client(), client(), client()];
      await new Promise((resolve) => setTimeout(resolve, 400 + rand() * 1200));
      server.child.kill('SIGKILL');
      killed = true;
      await Promise.all(clients);
      const result = await server.done;
      expect(result.status).toBeNull();
      if (/[1-9]\d* journaled event\(s\) replayed/.test(result.stderr)) replayedSome = true;
      // Each cycle acknowledged something (else this test would prove nothing).
      expect(acknowledged.size).toBeGreaterThan(before);
    }
    const last = await serve(dir);
    try {
      const { ids, counts } = await snapshotIds(last.url);
      const held = new Set(ids);
      const lost = [...acknowledged].filter((id) => !held.has(id));
      expect(lost).toEqual([]);
      // Every event is its own endpoint: applied equals the endpoints held, and nothing was replayed twice.
      expect(counts.applied).toBe(ids.length);
      expect(counts.duplicates).toBe(0);
      expect(counts.records).toBe(ids.length);
      // Held but never acknowledged: only events of requests cut by a kill (durable before the reply was sent).
      expect(ids.length).toBeLessThan(nextId);
    } finally {
      last.child.kill('SIGTERM');
      const stopped = await last.done;
      expect(stopped.status).toBe(0);
    }
    expect(replayedSome).toBe(true);
    expect(readdirSync(dir).filter((name) => name.endsWith('.ckpt')).length).toBe(1);
  });

  it('answers 503 with Retry-After on a full disk (nothing acknowledged), accepts again once there is room, and exits non-zero when the final checkpoint cannot be written', async () => {
    const mount = tempDir();
    dirs.push(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount]);
    try {
      const dir = join(mount, 'data');
      const server = await serve(dir, ['--checkpoint-interval', '3600']);
      expect((await post(server.url, [1, 2, 3])).status).toBe(202);
      // Fill the rest of the file system.
      const filler = join(mount, 'filler');
      try {
        writeFileSync(filler, Buffer.alloc(4 << 20));
      } catch {
        // ENOSPC: the file takes what was left.
      }
      // More than the page the journal's last write left room in (tmpfs allocates whole pages).
      const big = range(4, 200);
      const refused = await post(server.url, big);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('storage_unavailable');
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { journal: { status: string; lastError: { code: string } } }).journal).toMatchObject({
        status: 'failing',
        lastError: { code: 'disk_full' },
      });
      // Nothing of the refused request was applied.
      expect((await snapshotIds(server.url)).ids).toEqual([1, 2, 3]);
      rmSync(filler);
      expect((await post(server.url, big)).status).toBe(202);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await post(server.url, [203])).status).toBe(202);
      // Full again at stop: the final checkpoint fails, and says so.
      try {
        writeFileSync(filler, Buffer.alloc(4 << 20));
      } catch {
        // ENOSPC as above.
      }
      server.child.kill('SIGTERM');
      const stopped = await server.done;
      expect(stopped.status).toBe(1);
      expect(stopped.stderr).toMatch(/final checkpoint not written in .*the journal keeps every record/);
      rmSync(filler);
      // Nothing acknowledged was lost: the journal replays what came after the full disk.
      const again = await serve(dir);
      expect((await snapshotIds(again.url)).ids).toEqual([...range(1, 200), 203]);
      again.child.kill('SIGTERM');
      expect((await again.done).status).toBe(0);
    } finally {
      for (const child of running) child.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 300));
      execFileSync('umount', [mount]);
    }
  });

  it('cuts and logs a torn journal tail on start; --from seeds an empty data directory and is refused on one that holds state', async () => {
    const base = tempDir();
    dirs.push(base);
    // A replay checkpoint of events 1-3 seeds the directory.
    const seedLog = join(base, 'seed.ndjson');
    writeFileSync(seedLog, `${range(1, 3).map(eventLine).join('\n')}\n`);
    const seed = join(base, 'seed.ckpt');
    const replayed = await startSimfleet(['replay', seedLog, '--checkpoint', seed, '--quiet']).done;
    expect(replayed.status, replayed.stderr).toBe(0);
    const dir = join(base, 'data');
    const first = await serve(dir, ['--from', seed]);
    expect((await post(first.url, [4, 5])).status).toBe(202);
    first.child.kill('SIGKILL');
    await first.done;
    // The remains of a write the kill interrupted, where the next record would have gone: after
    // the last one (a JSON line ends in a non-zero byte), in the zeros the segment was preallocated with.
    const segment = join(dir, 'journal', '0000000000000001.wal');
    const written = readFileSync(segment);
    let end = written.length;
    while (end > 0 && written[end - 1] === 0) end--;
    expect(written.length).toBeGreaterThan(end);
    const fd = openSync(segment, 'r+');
    writeSync(fd, Buffer.from([0, 0, 1, 0, 9, 9, 9, 9, 1, 2, 3]), 0, 11, end);
    closeSync(fd);
    const second = await serve(dir);
    try {
      expect((await snapshotIds(second.url)).ids).toEqual([1, 2, 3, 4, 5]);
      expect((await post(second.url, [6])).status).toBe(202);
    } finally {
      second.child.kill('SIGTERM');
    }
    const stopped = await second.done;
    expect(stopped.status).toBe(0);
    expect(stopped.stderr).toMatch(/cut a torn write at the end of journal segment 1 \(11 bytes, bad_checksum\): it was never acknowledged/);
    expect(stopped.stderr).toMatch(/recovered .*checkpoint checkpoint-0000000000000001-0000000000000016\.ckpt, 2 journaled event\(s\) replayed \(2 applied/);
    const refused = await startSimfleet(['serve', '--port', '0', '--token', TOKEN, '--data-dir', dir, '--from', seed]).done;
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/--from .*seed\.ckpt: .* already holds a journal or checkpoints; start without --from/);
    const third = await serve(dir);
    try {
      expect((await snapshotIds(third.url)).ids).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      third.child.kill('SIGTERM');
      await third.done;
    }
  });

  it('recovers events sent as a JSON array and as a single object (journaled in their canonical form) like NDJSON ones', async () => {
    const dir = join(tempDir(), 'data');
    dirs.push(dir);
    const first = await serve(dir);
    const send = (body: string) =>
      fetch(`${first.url}/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body });
    expect((await send(`[${eventLine(10)},${eventLine(11)}]`)).status).toBe(202);
    expect((await send(eventLine(12))).status).toBe(202);
    expect((await post(first.url, [13])).status).toBe(202);
    const before = await (await fetch(`${first.url}/fleet/snapshot`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    first.child.kill('SIGKILL');
    await first.done;
    const second = await serve(dir);
    try {
      const after = await (await fetch(`${second.url}/fleet/snapshot`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
      // The same state, byte for byte, as before the kill.
      expect(after).toBe(before);
      expect((await snapshotIds(second.url)).ids).toEqual([10, 11, 12, 13]);
    } finally {
      second.child.kill('SIGTERM');
      await second.done;
    }
  });

  it('refuses to start, in one line with exit 1, on a data directory it cannot write', async () => {
    const base = tempDir();
    dirs.push(base);
    const dir = join(base, 'ro');
    mkdirSync(dir);
    // A read-only bind mount: root ignores permission bits, not a read-only mount.
    execFileSync('mount', ['--bind', dir, dir]);
    execFileSync('mount', ['-o', 'remount,bind,ro', dir]);
    try {
      const result = await startSimfleet(['serve', '--port', '0', '--token', TOKEN, '--data-dir', dir]).done;
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^simfleet serve: --data-dir cannot use .*read-only/);
    } finally {
      execFileSync('umount', [dir]);
    }
  });

  it('--checkpoint naming an existing file without --from refuses to start and leaves the file as it was', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir, 'live.ckpt');
    writeFileSync(file, 'whatever was there');
    const result = await startSimfleet(['serve', '--port', '0', '--token', TOKEN, '--checkpoint', file]).done;
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--checkpoint .*live\.ckpt already exists: pass --from .* to continue from it/);
    expect(readFileSync(file, 'utf8')).toBe('whatever was there');
    expect(existsSync(file)).toBe(true);
  });
});
