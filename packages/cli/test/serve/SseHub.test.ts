import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseHub } from '../../src/serve/SseHub.js';

/** A real HTTP server whose only route attaches the hub; clients are real sockets on loopback. */
async function hubServer(hub: SseHub<{ n: number; pad?: string }>, accept?: (x: { n: number }) => boolean): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => hub.attach(res, { ...(accept === undefined ? {} : { accept }), resync: () => JSON.stringify({ state: 'now' }) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Stream {
  readonly res: IncomingMessage;
  text(): string;
  /** The ids of the transition frames received so far, in order. */
  readonly ids: number[];
}

/** Connects and collects the stream's text and its transition ids (parsed as they arrive). */
function subscribe(url: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const chunks: string[] = [];
      let rest = '';
      const ids: number[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        chunks.push(chunk);
        rest += chunk;
        let scanned = 0;
        for (let end = rest.indexOf('\n\n'); end !== -1; end = rest.indexOf('\n\n', scanned)) {
          const match = /^id: (\d+)\nevent: transition\n/.exec(rest.slice(scanned, end + 2));
          if (match !== null) ids.push(Number(match[1]));
          scanned = end + 2;
        }
        rest = rest.slice(scanned);
      });
      res.once('data', () => resolve({ res, text: () => chunks.join(''), ids }));
    }).once('error', reject);
  });
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const idsIn = (text: string): number[] => [...text.matchAll(/^id: (\d+)\nevent: transition\n/gm)].map((m) => Number(m[1]));

describe('SseHub', () => {
  let hub: SseHub<{ n: number; pad?: string }> | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    hub?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r) ?? r(undefined));
  });

  it('sends each client only what its filter accepts, as numbered SSE frames', async () => {
    hub = new SseHub({ heartbeatMs: 60_000, serialize: (x) => JSON.stringify(x) });
    const s = await hubServer(hub, (x) => x.n % 2 === 0);
    server = s.server;
    const even = await subscribe(s.url);
    for (let n = 0; n < 4; n++) hub.publish({ n });
    await until(() => even.text().includes('"n":2'), 'the frames');
    expect(even.text()).toBe(': connected\n\nid: 1\nevent: transition\ndata: {"n":0}\n\nid: 3\nevent: transition\ndata: {"n":2}\n\n');
  });

  it('a client that stops reading gets a resync once it reads again, while a reading client receives every item', async () => {
    hub = new SseHub({ maxBufferedBytes: 1 << 20, heartbeatMs: 60_000, serialize: (x) => JSON.stringify(x) });
    const s = await hubServer(hub);
    server = s.server;
    const reader = await subscribe(s.url);
    const sleeper = await subscribe(s.url);
    sleeper.res.pause();
    const pad = 'x'.repeat(1000);
    // 30 MB in turns of 200 items: more than the loopback socket buffers and the bound hold for the sleeper.
    let n = 0;
    for (let t = 0; t < 150; t++) {
      for (let i = 0; i < 200; i++) hub.publish({ n: n++, pad });
      await turn();
      await until(() => (reader.ids.at(-1) ?? 0) >= n - 200, 'the reader to keep up');
    }
    await until(() => reader.ids.length === n, 'every item at the reader');
    expect(reader.ids).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(hub.behind).toBe(1);
    expect(hub.resyncs).toBe(0);
    expect(hub.dropped).toBe(0);
    expect(hub.size).toBe(2);

    sleeper.res.resume();
    await until(() => sleeper.text().includes('event: resync'), 'the resync');
    expect(hub.resyncs).toBe(1);
    expect(hub.behind).toBe(0);
    hub.publish({ n: n++ });
    await until(() => sleeper.text().endsWith(`id: ${n}\nevent: transition\ndata: {"n":${n - 1}}\n\n`), 'the item after the resync');
    const text = sleeper.text();
    const resyncAt = text.indexOf('event: resync');
    const before = idsIn(text.slice(0, resyncAt));
    // The sleeper got a contiguous prefix, then the resync (standing at the newest id), then what followed it.
    expect(before).toEqual(Array.from({ length: before.length }, (_, i) => i + 1));
    expect(before.length).toBeLessThan(n - 1);
    expect(text.slice(resyncAt)).toMatch(/^event: resync\ndata: \{"state":"now"\}\n\n/);
    expect(/id: (\d+)\nevent: resync/.exec(text)?.[1]).toBe(String(n - 1));
    expect(idsIn(text.slice(resyncAt))).toEqual([n]);
  });

  it('a burst larger than the bound sends the resync at once to a client that is reading', async () => {
    hub = new SseHub({ maxBufferedBytes: 10_000, heartbeatMs: 60_000, serialize: (x) => JSON.stringify(x) });
    const s = await hubServer(hub);
    server = s.server;
    const client = await subscribe(s.url);
    for (let n = 0; n < 1000; n++) hub.publish({ n });
    await until(() => client.text().includes('event: resync'), 'the resync');
    expect(client.text()).toBe(': connected\n\nid: 1000\nevent: resync\ndata: {"state":"now"}\n\n');
    expect(hub.resyncs).toBe(1);
  });

  it('disconnects a client that reads nothing for the stall time, and only that one', async () => {
    hub = new SseHub({ maxBufferedBytes: 1 << 20, heartbeatMs: 50, maxStallMs: 200, serialize: (x) => JSON.stringify(x) });
    const s = await hubServer(hub);
    server = s.server;
    const reader = await subscribe(s.url);
    const sleeper = await subscribe(s.url);
    sleeper.res.pause();
    const pad = 'y'.repeat(1000);
    let n = 0;
    for (let t = 0; t < 400 && hub.behind === 0; t++) {
      for (let i = 0; i < 200; i++) hub.publish({ n: n++, pad });
      await turn();
      await until(() => (reader.ids.at(-1) ?? 0) >= n - 200, 'the reader to keep up');
    }
    expect(hub.behind).toBe(1);
    await until(() => hub?.dropped === 1, 'the stalled client to be dropped');
    expect(hub.size).toBe(1);
    // The reader is still served.
    hub.publish({ n: n++ });
    await until(() => reader.ids.at(-1) === n, 'the reader after the drop');
  });
});
