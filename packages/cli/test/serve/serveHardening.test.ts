import { decodeEventText, eventTypeByKey } from '@simfleet/core';
import { get, type IncomingMessage, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/serve/startServer.js';
import { api, TOKEN, testServer, waitFor } from './httpClient.js';

const line = (id: number, endpointId: number, second: number): string =>
  `{"id":${id},"timestamp":"2022-03-01T00:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}Z","description":"x","event_type":{"id":${eventTypeByKey(second % 2 === 0 ? 'updateLocation' : 'purgeLocation').id}},"organisation":{"id":77},"endpoint":{"id":${endpointId}}}`;

let server: (RunningServer & { logs: string[] }) | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Sends raw bytes on a new connection and collects what comes back until the server closes it. */
function rawExchange(url: string, send: string): { socket: Socket; closed: Promise<string> } {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.write(send);
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  socket.on('error', () => undefined);
  return { socket, closed };
}

describe('serve: authentication comes before routing', () => {
  it('answers 401 to an unauthenticated request whatever its path or method, 404/405 only after the token', async () => {
    server = await testServer();
    const probes: [string, string][] = [
      ['GET', '/nope'],
      ['POST', '/fleet/summary'],
      ['GET', '/events'],
      ['DELETE', '/endpoints/1'],
      ['GET', '/.env'],
    ];
    for (const [method, path] of probes) {
      const bare = await fetch(`${server.url}${path}`, { method });
      expect(bare.status, `${method} ${path}`).toBe(401);
      expect(bare.headers.get('allow')).toBeNull();
      const body = await bare.text();
      expect(body).not.toContain(path);
    }
    expect((await api(server, '/nope')).status).toBe(404);
    expect((await api(server, '/events')).status).toBe(405);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('serve: a hostile body', () => {
  it('a body of a million bad elements: a small 400 with the first reasons and counts, and /healthz answered meanwhile', async () => {
    server = await testServer();
    const body = `[${Array.from({ length: 1_000_000 }, () => '{}').join(',')}]`;
    const order: string[] = [];
    const posting = api(server, '/events', { method: 'POST', body, headers: { 'content-type': 'application/json' } }).then(async (res) => {
      order.push('post');
      return { status: res.status, text: await res.text() };
    });
    // Health checks sent while the body is being decoded come back before its reply.
    const url = server.url;
    const healthChecks = (async () => {
      while (order.length === 0) {
        const res = await fetch(`${url}/healthz`);
        if (res.status === 200 && order.length === 0) order.push('healthz');
        await res.text();
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const reply = await posting;
    await healthChecks;
    expect(order[0]).toBe('healthz');
    expect(reply.status).toBe(400);
    expect(Buffer.byteLength(reply.text)).toBeLessThanOrEqual(Buffer.byteLength(body));
    expect(Buffer.byteLength(reply.text)).toBeLessThan(64 * 1024);
    const parsed = JSON.parse(reply.text) as {
      accepted: number;
      rejected: { index: number; code: string }[];
      rejectedCount: number;
      rejectedByCode: Record<string, number>;
    };
    expect(parsed.accepted).toBe(0);
    expect(parsed.rejectedCount).toBe(1_000_000);
    expect(parsed.rejectedByCode).toEqual({ missing_field: 1_000_000 });
    expect(parsed.rejected.length).toBeGreaterThan(0);
    expect(parsed.rejected.length).toBeLessThanOrEqual(100);
    expect(parsed.rejected.map((r) => r.index)).toEqual(Array.from({ length: parsed.rejected.length }, (_, i) => i));
    const summary = (await (await api(server, '/fleet/summary')).json()) as { pipeline: { rejected: number } };
    expect(summary.pipeline.rejected).toBe(1_000_000);
  });

  it('many future-dated records: the engine’s reasons are bounded and counted with the decoder’s', async () => {
    server = await testServer();
    const future = (id: number): string =>
      `{"id":${id},"timestamp":"2099-01-01T00:00:00Z","description":"x","event_type":{"id":${eventTypeByKey('updateLocation').id}},"organisation":{"id":77},"endpoint":{"id":${id}}}`;
    const lines = [...Array.from({ length: 5000 }, (_, i) => future(i + 1)), '{"id":"bad"}', line(9_000_001, 42, 0)];
    const body = `${lines.join('\n')}\n`;
    const res = await api(server, '/events', { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(Buffer.byteLength(body));
    const reply = JSON.parse(text) as {
      accepted: number;
      rejected: { index: number; code: string }[];
      rejectedCount: number;
      rejectedByCode: Record<string, number>;
    };
    expect(reply.accepted).toBe(1);
    expect(reply.rejectedCount).toBe(5001);
    const bad = decodeEventText('{"id":"bad"}');
    expect(bad.ok).toBe(false);
    expect(reply.rejectedByCode).toEqual({ future_timestamp: 5000, [bad.ok ? '' : bad.error.code]: 1 });
    expect(reply.rejected).toHaveLength(100);
    expect(reply.rejected.map((r) => r.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(reply.rejected.every((r) => r.code === 'future_timestamp')).toBe(true);
  });

  it('a reply to a small body stays within the body’s size (or 1 KiB)', async () => {
    server = await testServer();
    const body = `${Array.from({ length: 200 }, (_, i) => `{"id":${i}}`).join('\n')}\n`;
    const res = await api(server, '/events', { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(Math.max(Buffer.byteLength(body), 1024));
    const reply = JSON.parse(text) as { rejected: unknown[]; rejectedCount: number };
    expect(reply.rejectedCount).toBe(200);
    expect(reply.rejected.length).toBeGreaterThan(0);
    expect(reply.rejected.length).toBeLessThan(200);
  });
});

describe('serve: time and connection limits', () => {
  it('closes a connection whose headers do not arrive in time, with 408', async () => {
    server = await testServer({ limits: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
    const { closed } = rawExchange(server.url, `GET /fleet/summary HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n`);
    expect(await closed).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a request whose body does not arrive in time, with 408, and applies none of it', async () => {
    server = await testServer({ limits: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
    const partial = line(1, 1, 0);
    const { closed } = rawExchange(
      server.url,
      `POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${partial.length + 100}\r\n\r\n${partial}\n`,
    );
    expect(await closed).toMatch(/^HTTP\/1\.1 408/);
    const summary = (await (await api(server, '/fleet/summary')).json()) as { pipeline: { received: number } };
    expect(summary.pipeline.received).toBe(0);
  });

  it('closes a kept-alive connection that stays idle', async () => {
    server = await testServer({ limits: { keepAliveTimeoutMs: 200 } });
    const { closed } = rawExchange(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    const received = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(received).toMatch(/keep-alive/i);
  });

  it('refuses connections beyond the cap, and accepts again once one closes', async () => {
    server = await testServer({ limits: { maxConnections: 3 } });
    const held: Socket[] = [];
    for (let i = 0; i < 3; i++) {
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      held.push(socket);
    }
    const { closed } = rawExchange(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await closed).toBe('');
    const first = held.shift();
    first?.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const again = rawExchange(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await again.closed).toMatch(/^HTTP\/1\.1 200/);
    for (const socket of held) socket.destroy();
  });
});

interface SseClient {
  readonly res: IncomingMessage;
  readonly ids: number[];
  readonly resyncs: number[];
}

function sseClient(url: string): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}/transitions`, { headers: { authorization: `Bearer ${TOKEN}` }, agent: false }, (res) => {
      const client: SseClient = { res, ids: [], resyncs: [] };
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        rest += chunk;
        let scanned = 0;
        for (let end = rest.indexOf('\n\n'); end !== -1; end = rest.indexOf('\n\n', scanned)) {
          const frame = rest.slice(scanned, end);
          const match = /^id: (\d+)\nevent: (\w+)/.exec(frame);
          if (match?.[2] === 'transition') client.ids.push(Number(match[1]));
          else if (match?.[2] === 'resync') client.resyncs.push(Number(match[1]));
          scanned = end + 2;
        }
        rest = rest.slice(scanned);
      });
      res.once('data', () => resolve(client));
    });
    req.once('error', reject);
  });
}

/** A GET on a fresh connection (no kept-alive socket the server may be closing meanwhile). */
const getFresh = (url: string, path: string): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    get(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, text }));
    }).once('error', reject);
  });

const post = (url: string, lines: string[]): Promise<number> =>
  new Promise((resolve, reject) => {
    const body = `${lines.join('\n')}\n`;
    const req = request(
      `${url}/events`,
      { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', reject);
    req.end(body);
  });

describe('serve: 200 SSE clients', () => {
  it('every client receives every transition under steady posting and a burst, and /healthz keeps answering', async () => {
    server = await testServer();
    const url = server.url;
    const clients = await Promise.all(Array.from({ length: 200 }, () => sseClient(url)));
    let id = 0;
    let health = 0;
    // Steady: 50 posts of 100 events, each device moving between attached and detached.
    for (let p = 0; p < 50; p++) {
      const lines = Array.from({ length: 100 }, (_, i) => line(++id, 1000 + ((p * 100 + i) % 500), p * 2 + (i % 2)));
      expect(await post(url, lines)).toBe(202);
      if (p % 10 === 0) {
        if ((await getFresh(url, '/healthz')).status === 200) health += 1;
      }
    }
    // A burst: one body of 8 000 events.
    const burst = Array.from({ length: 8000 }, (_, i) => line(++id, 5000 + i, 200 + (i % 2)));
    expect(await post(url, burst)).toBe(202);
    await waitFor(async () => (JSON.parse((await getFresh(url, '/fleet/summary')).text) as { pipeline: { applied: number } }).pipeline.applied >= id);
    const summaryAt = async () =>
      JSON.parse((await getFresh(url, '/fleet/summary')).text) as { transitionStreams: { clients: number; dropped: number; resyncs: number } };
    const start = Date.now();
    const target = () => Math.max(...clients.map((c) => c.ids.length));
    while (Date.now() - start < 30_000) {
      const expected = target();
      if (expected > 0 && clients.every((c) => c.ids.length === expected)) {
        await new Promise((r) => setTimeout(r, 200));
        if (target() === expected && clients.every((c) => c.ids.length === expected)) break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const reference = clients[0]?.ids ?? [];
    expect(reference.length).toBeGreaterThan(8000);
    for (const client of clients) {
      expect(client.resyncs).toEqual([]);
      expect(client.ids).toEqual(reference);
    }
    expect(health).toBe(5);
    const summary = await summaryAt();
    expect(summary.transitionStreams).toEqual({ clients: 200, dropped: 0, resyncs: 0 });
    for (const client of clients) client.res.destroy();
  });
});
