/**
 * `simfleet serve` over real HTTP on loopback ends where `simfleet replay` of the same
 * records ends, byte for byte, whatever the arrival order — and what it cannot place is
 * reported, never dropped: a record dated in the future is refused with its reason, an
 * event beyond the reorder horizon is answered `too_late` and kept in the journal, so
 * `replay --from` the journal is exact.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { eventTypeByKey, type KnownEventTypeKey } from '@simfleet/core';
import { generateFleetLog } from '@simfleet/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { runServe } from '../../src/serve/serveCommand.js';
import { REPO } from '../support.js';
import { capture } from './captureIo.js';

const TOKEN = 't0ken';
const auth = { authorization: `Bearer ${TOKEN}` };

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 20_000) throw new Error(`${what}: not in time`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function replayJson(args: string[]): Promise<string> {
  const io = capture();
  expect(await main(['replay', ...args, '--json', '--quiet', '--threads', '1'], { ...io, stdin: new PassThrough(), env: {} }), io.err()).toBe(0);
  return io.out();
}

/** A running `simfleet serve` (in this process, on a free port) and how to stop it. */
async function serve(args: string[]): Promise<{ url: string; stop: () => Promise<number>; err: () => string }> {
  const io = capture();
  const abort = new AbortController();
  const exit = runServe(['--port', '0', '--token', TOKEN, ...args], { ...io, env: {}, signal: abort.signal });
  await waitFor(() => io.out().includes('\n') || io.err().includes('\n'), 'listening');
  const url = /listening on (\S+)/.exec(io.out())?.[1];
  if (url === undefined) throw new Error(`serve did not start: ${io.err()}`);
  return {
    url,
    err: io.err,
    stop: async () => {
      abort.abort();
      return exit;
    },
  };
}

async function post(url: string, lines: readonly string[]): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/events`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function snapshot(url: string): Promise<string> {
  const res = await fetch(`${url}/fleet/snapshot`, { headers: auth });
  expect(res.status).toBe(200);
  return res.text();
}

const linesOf = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

describe('simfleet serve = simfleet replay', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'simfleet-live-'));
    dirs.push(dir);
    return dir;
  };

  it('the sample seed events (dated up to 2021-12), then an older generated log: every event placed, the snapshot equals replay', async () => {
    const dir = await tempDir();
    const seed = linesOf(await readFile(join(REPO, 'examples/data/seed-events.ndjson'), 'utf8'));
    const generated = linesOf(gunzipSync(await readFile(join(REPO, 'examples/data/simulated-fleet.ndjson.gz'))).toString('utf8'));
    const checkpoint = join(dir, 'live.ckpt');
    const server = await serve(['--checkpoint', checkpoint]);
    expect((await post(server.url, seed)).status).toBe(202);
    for (let i = 0; i < generated.length; i += 500) {
      const { status, body } = await post(server.url, generated.slice(i, i + 500));
      expect(status).toBe(202);
      expect(body['tooLate']).toEqual([]);
    }
    const live = await snapshot(server.url);
    expect(await server.stop()).toBe(0);
    await writeFile(join(dir, 'all.ndjson'), `${[...seed, ...generated].join('\n')}\n`);
    const replayed = await replayJson([join(dir, 'all.ndjson')]);
    expect(live).toBe(replayed);
    expect(JSON.parse(live).endpoints.length).toBe(3005);
    // The journal checkpoint replays to the same state too.
    const resumed = await replayJson(['--from', checkpoint]);
    expect(resumed).toBe(replayed);
  });

  it('a record dated far in the future is refused as future_timestamp and moves nothing: the next events all apply', async () => {
    const chunks: string[] = [];
    generateFleetLog({ events: 5000, devices: 200, seed: 5 }, (c) => chunks.push(c));
    const lines = linesOf(chunks.join(''));
    const future = (lines[0] as string).replace(/"timestamp":"[^"]+"/, '"timestamp":"2031-01-01T00:00:00.000Z"').replace(/"id":\d+/, '"id":999999999999999');
    const server = await serve([]);
    const refused = await post(server.url, [future]);
    expect(refused.status).toBe(400);
    expect(refused.body['rejected']).toEqual([expect.objectContaining({ index: 0, code: 'future_timestamp' })]);
    const before = await snapshot(server.url);
    expect(JSON.parse(before).endpoints).toEqual([]);
    for (let i = 0; i < lines.length; i += 500) expect((await post(server.url, lines.slice(i, i + 500))).status).toBe(202);
    const summary = (await (await fetch(`${server.url}/fleet/summary`, { headers: auth })).json()) as { pipeline: Record<string, number> };
    expect(summary.pipeline).toMatchObject({ applied: lines.length, futureTimestamp: 1, tooLate: 0 });
    const live = await snapshot(server.url);
    expect(await server.stop()).toBe(0);
    const dir = await tempDir();
    await writeFile(join(dir, 'log.ndjson'), `${lines.join('\n')}\n`);
    const replayed = await replayJson([join(dir, 'log.ndjson')]);
    // The refused record counts in the live account (records, rejected), nowhere else.
    const state = (text: string): string => text.slice(text.indexOf('  "endpoints": ['));
    expect(state(live)).toBe(state(replayed));
  });

  it('shuffled, re-sent, in small batches: still the replay snapshot', async () => {
    const chunks: string[] = [];
    generateFleetLog({ events: 3000, devices: 50, seed: 9, messy: false }, (c) => chunks.push(c));
    const lines = linesOf(chunks.join(''));
    // Newest first, with every 7th record sent twice: what an Event API poller delivers.
    const delivery = [...lines].reverse();
    delivery.push(...lines.filter((_, i) => i % 7 === 0));
    const server = await serve([]);
    for (let i = 0; i < delivery.length; i += 37) expect((await post(server.url, delivery.slice(i, i + 37))).status).toBe(202);
    const live = await snapshot(server.url);
    expect(await server.stop()).toBe(0);
    const dir = await tempDir();
    await writeFile(join(dir, 'log.ndjson'), `${delivery.join('\n')}\n`);
    expect(live).toBe(await replayJson([join(dir, 'log.ndjson')]));
  });

  it('an event beyond the reorder horizon is answered too_late with its device and lateness, and `replay --from` the journal applies it', async () => {
    const dir = await tempDir();
    const chunks: string[] = [];
    generateFleetLog({ events: 400, devices: 4, seed: 3 }, (c) => chunks.push(c));
    const lines = linesOf(chunks.join(''));
    const checkpoint = join(dir, 'live.ckpt');
    const server = await serve(['--checkpoint', checkpoint, '--reorder-horizon', 'PT1M']);
    // Everything but the first event, then the first one: far behind its device's newest.
    expect((await post(server.url, lines.slice(1))).status).toBe(202);
    const late = await post(server.url, [lines[0] as string]);
    expect(late.status).toBe(202);
    const first = JSON.parse(lines[0] as string) as { id: number; endpoint: { id: number } };
    expect(late.body['tooLate']).toEqual([{ index: 0, eventId: first.id, endpointId: first.endpoint.id, behindMs: expect.any(Number) }]);
    expect((late.body['tooLate'] as { behindMs: number }[])[0]?.behindMs).toBeGreaterThan(60_000);
    const summary = (await (await fetch(`${server.url}/fleet/summary`, { headers: auth })).json()) as { pipeline: Record<string, number> };
    expect(summary.pipeline['tooLate']).toBe(1);
    expect(JSON.parse(await snapshot(server.url)).counts).toMatchObject({ records: lines.length, applied: lines.length - 1, rejected: 1 });
    expect(await server.stop()).toBe(0);
    expect(server.err()).toContain('too late');
    await writeFile(join(dir, 'log.ndjson'), `${lines.join('\n')}\n`);
    expect(await replayJson(['--from', checkpoint])).toBe(await replayJson([join(dir, 'log.ndjson')]));
  });

  it('tells SSE subscribers of a correction when a late event rewrites a device history', async () => {
    const server = await serve([]);
    const ep = (id: number, at: string, type: number, description: string): string =>
      JSON.stringify({
        id,
        timestamp: at,
        event_type: { id: type, description },
        event_source: { id: 0, description: 'Network' },
        event_severity: { id: 0, description: 'Info' },
        alert: false,
        description,
        organisation: { id: 7, name: 'Org' },
        endpoint: { id: 42, name: 'd' },
      });
    const controller = new AbortController();
    const stream = await fetch(`${server.url}/transitions?endpoint=42`, { headers: auth, signal: controller.signal });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let received = '';
    // Attached at 10:00, online at 10:05; then, late, the SIM's suspension at 10:02.
    const type = (key: KnownEventTypeKey): number => eventTypeByKey(key).id;
    expect(
      (
        await post(server.url, [
          ep(1, '2021-10-27T10:00:00Z', type('updateLocation'), 'New location received from VLR'),
          ep(3, '2021-10-27T10:05:00Z', type('createPdpContext'), 'New PDP Context successfully activated'),
        ])
      ).status,
    ).toBe(202);
    expect((await post(server.url, [ep(2, '2021-10-27T10:02:00Z', type('simSuspension'), 'SIM suspended')])).status).toBe(202);
    const deadline = Date.now() + 20_000;
    while (!received.includes('"correction":true') && Date.now() < deadline) received += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const events = received
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);
    const corrections = events.filter((e) => e['correction'] === true);
    expect(corrections.length).toBeGreaterThan(0);
    for (const c of corrections) expect(c).toMatchObject({ endpointId: 42, eventId: 2, at: '2021-10-27T10:02:00.000Z' });
    // What the subscriber believes now is what the device is.
    const state = (await (await fetch(`${server.url}/endpoints/42`, { headers: auth })).json()) as Record<string, unknown>;
    expect(events.filter((e) => e['region'] === 'status').at(-1)?.['to']).toBe(state['status']);
    expect(state['status']).toBe('SUSPENDED');
    expect(await server.stop()).toBe(0);
  });
});
