import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventTypeByKey } from '@simfleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/serve/startServer.js';
import { REPO } from '../support.js';
import { api, testServer, waitApplied, waitFor } from './httpClient.js';

/** The documentation's example records, the sample log's NDJSON lines. */
const validSeedLines = readFileSync(join(REPO, 'examples/data/seed-events.ndjson'), 'utf8')
  .split('\n')
  .filter((l) => l !== '');
/**
 * The Update location example as the documentation prints it: indented over lines, the
 * line break of its description raw (invalid in strict JSON). Its ids are below 2^53.
 */
const brokenSeed = ((text = validSeedLines.find((l) => l.includes('"Update location"')) ?? '') =>
  JSON.stringify(JSON.parse(text), null, 2).replaceAll('\\n', '\n'))();

const line = (id: bigint | number, key: Parameters<typeof eventTypeByKey>[0], endpointId: number, time: string, description = 'x'): string =>
  `{"id":${id},"timestamp":"${time}","description":"${description}","event_type":{"id":${eventTypeByKey(key).id}},"organisation":{"id":77},"endpoint":{"id":${endpointId}}}`;

const ndjson = (lines: readonly string[]): RequestInit => ({
  method: 'POST',
  body: `${lines.join('\n')}\n`,
  headers: { 'content-type': 'application/x-ndjson' },
});

describe('simfleet serve over HTTP', () => {
  let server: RunningServer & { logs: string[] };
  beforeAll(async () => {
    server = await testServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('binds the chosen loopback port and reports its URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
  });

  it('refuses requests without the bearer token (401), except the health check', async () => {
    for (const path of ['/fleet/summary', '/endpoints', '/endpoints/1', '/transitions']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      await res.body?.cancel();
    }
    const wrong = await api(server, '/events', { method: 'POST', body: validSeedLines[0] ?? '', headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers 404 for unknown routes and 405 for a wrong method', async () => {
    expect((await api(server, '/nope')).status).toBe(404);
    const res = await api(server, '/events');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('ingests the real seed events as NDJSON and serves the fleet they describe', async () => {
    const res = await api(server, '/events', ndjson(validSeedLines));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: validSeedLines.length, duplicates: 0, tooLate: [], rejected: [] });
    await waitApplied(server, validSeedLines.length);

    const summary = (await (await api(server, '/fleet/summary')).json()) as Record<string, unknown> & {
      totals: { endpoints: number };
      pipeline: { received: number; applied: number };
      eventTime: string;
    };
    // 11089066, 11088066, 11089089, 11096 and 274887 (Update location); the other examples have no endpoint.
    expect(summary.totals.endpoints).toBe(5);
    expect(summary.pipeline.received).toBe(validSeedLines.length);
    expect(summary.eventTime).toBe('2021-12-20T12:27:57.000Z');

    const endpoint = await api(server, '/endpoints/11089066');
    expect(endpoint.status).toBe(200);
    const text = await endpoint.text();
    // Purge (10-24 12:43) → Update GPRS (12:44) → PDP accepted (10-27 08:38) → rejected (09:12, stays
    // ONLINE) → data-access disconnect (11:59) → ATTACHED; the second disconnect (12:38) changes nothing.
    expect(JSON.parse(text)).toMatchObject({
      endpointId: 11089066,
      status: 'ATTACHED',
      connectivity: 'ATTACHED',
      since: '2021-10-27T11:59:29.000Z',
      sessions: 1,
      rejections: 1,
      lastRejectionReason: 'QUOTA_EXHAUSTED_BLOCKED',
      lastEventAt: '2021-10-27T12:38:44.000Z',
      name: 'Test Sim 2',
      stale: false,
    });
    expect(text).toContain('"lastEventId":137349286510607');

    const rejected = await api(server, '/endpoints/11089089');
    expect(await rejected.json()).toMatchObject({ connectivity: 'ATTACHED', lastRejectionReason: 'DATA_SERVICE_DISABLED' });
  });

  it('accepts a single event object and a JSON array', async () => {
    const single = await api(server, '/events', { method: 'POST', body: line(501, 'updateLocation', 501, '2022-01-01T00:00:00Z') });
    expect(single.status).toBe(202);
    expect(await single.json()).toEqual({ accepted: 1, duplicates: 0, tooLate: [], rejected: [] });
    const array = await api(server, '/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `[${line(502, 'updateLocation', 502, '2022-01-01T00:00:01Z')},\n ${line(503, 'purgeLocation', 502, '2022-01-01T00:00:02Z')}]`,
    });
    expect(await array.json()).toEqual({ accepted: 2, duplicates: 0, tooLate: [], rejected: [] });
    await waitFor(async () => (await api(server, '/endpoints/502')).status === 200);
    await waitFor(async () => ((await (await api(server, '/endpoints/502')).json()) as { connectivity: string }).connectivity === 'OFFLINE');
  });

  it('keeps event ids beyond 2^53 exact, in and out', async () => {
    const id = 2n ** 60n + 1n;
    const res = await api(server, '/events', ndjson([line(id, 'updateGprsLocation', 9001, '2022-01-02T00:00:00Z')]));
    expect(res.status).toBe(202);
    await waitFor(async () => (await api(server, '/endpoints/9001')).status === 200);
    const text = await (await api(server, '/endpoints/9001')).text();
    expect(text).toContain(`"lastEventId":${id}`);
  });

  it('accepts the valid records of a mixed body and answers 400 with a reason per bad record', async () => {
    const body = [
      line(601, 'updateLocation', 601, '2022-01-03T00:00:00Z'),
      '{"id":602,"timestamp":"yesterday","event_type":{"id":1}}',
      '',
      '{"id":603,"timestamp":"2022-01-03T00:00:00Z","event_type":{"id":"one"}}',
      '{"id":604,',
    ];
    const res = await api(server, '/events', ndjson(body));
    expect(res.status).toBe(400);
    const reply = (await res.json()) as { accepted: number; rejected: { index: number; line: number; code: string; path: string; message: string }[] };
    expect(reply.accepted).toBe(1);
    expect(reply.rejected.map((r) => [r.index, r.line, r.code, r.path])).toEqual([
      [1, 2, 'invalid_timestamp', '$.timestamp'],
      [2, 4, 'wrong_type', '$.event_type.id'],
      [3, 5, 'invalid_json', '$'],
    ]);
    expect(reply.rejected[1]?.message).toContain('$.event_type.id');
    await waitFor(async () => (await api(server, '/endpoints/601')).status === 200);
  });

  it('rejects the seed’s Update location example (a raw line break in a string) with its line', async () => {
    expect(brokenSeed.split('\n')[3]).toMatch(/ now$/);
    const res = await api(server, '/events', { method: 'POST', body: brokenSeed });
    expect(res.status).toBe(400);
    const reply = (await res.json()) as { accepted: number; rejected: { index: number | null; line: number; column: number; code: string }[] };
    expect(reply.accepted).toBe(0);
    expect(reply.rejected).toHaveLength(1);
    expect(reply.rejected[0]).toMatchObject({ index: null, code: 'invalid_json' });
    // The break ends the description's first line, the 4th line of the text.
    expect(reply.rejected[0]?.line).toBe(4);
  });

  it('answers 400 for an empty body', async () => {
    const res = await api(server, '/events', { method: 'POST', body: '\n\n' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { rejected: { code: string }[] }).rejected[0]?.code).toBe('empty_body');
  });

  it('drops retransmitted records by id and counts them', async () => {
    const before = (await (await api(server, '/fleet/summary')).json()) as { pipeline: { duplicates: number } };
    const body = ndjson([line(701, 'updateLocation', 701, '2022-01-04T00:00:00Z')]);
    expect((await api(server, '/events', body)).status).toBe(202);
    expect((await api(server, '/events', body)).status).toBe(202);
    const after = (await (await api(server, '/fleet/summary')).json()) as { pipeline: { duplicates: number } };
    expect(after.pipeline.duplicates).toBe(before.pipeline.duplicates + 1);
  });

  it('validates endpoint ids: 404 unknown, 400 malformed', async () => {
    expect((await api(server, '/endpoints/424242')).status).toBe(404);
    expect((await api(server, '/endpoints/abc')).status).toBe(400);
  });
});

describe('GET /endpoints pagination', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await testServer();
    const lines = [1, 2, 3, 4, 5].map((n) => line(800 + n, 'updateLocation', n, `2022-02-01T00:00:0${n}Z`));
    lines.push(line(810, 'purgeLocation', 2, '2022-02-01T00:01:00Z'), line(811, 'purgeLocation', 4, '2022-02-01T00:01:01Z'));
    expect((await api(server, '/events', ndjson(lines))).status).toBe(202);
    await waitApplied(server, lines.length);
  });
  afterAll(async () => {
    await server.close();
  });

  type Page = { items: { endpointId: number; status: string }[]; nextCursor: string | null };
  const page = async (query: string): Promise<Page> => (await (await api(server, `/endpoints?${query}`)).json()) as Page;

  it('pages through a status in ascending endpoint id order', async () => {
    const first = await page('status=OFFLINE&limit=1');
    expect(first.items.map((i) => [i.endpointId, i.status])).toEqual([[2, 'OFFLINE']]);
    expect(first.nextCursor).not.toBeNull();
    const second = await page(`status=OFFLINE&limit=1&cursor=${first.nextCursor}`);
    expect(second.items.map((i) => i.endpointId)).toEqual([4]);
    const third = await page(`status=OFFLINE&limit=1&cursor=${second.nextCursor}`);
    expect(third).toEqual({ items: [], nextCursor: null });
  });

  it('lists everything without a filter, and several statuses at once', async () => {
    const all = await page('limit=10');
    expect(all.items.map((i) => i.endpointId)).toEqual([1, 2, 3, 4, 5]);
    expect(all.nextCursor).toBeNull();
    const some = await page('status=attached,offline&limit=2');
    expect(some.items.map((i) => i.endpointId)).toEqual([1, 2]);
    expect(some.nextCursor).toBe('2');
  });

  it('refuses a bad status, limit or cursor with 400', async () => {
    for (const query of ['status=ASLEEP', 'limit=0', 'limit=5000', 'limit=x', 'cursor=-1']) {
      expect((await api(server, `/endpoints?${query}`)).status).toBe(400);
    }
  });
});

describe('body size limit', () => {
  it('answers 413 when the body is larger than maxBodyBytes', async () => {
    const server = await testServer({ maxBodyBytes: 1024 });
    try {
      const big = Array.from({ length: 40 }, (_, i) => line(900 + i, 'updateLocation', 900 + i, '2022-03-01T00:00:00Z')).join('\n');
      expect(Buffer.byteLength(big)).toBeGreaterThan(1024);
      const res = await api(server, '/events', { method: 'POST', body: big });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('body_too_large');
      const summary = (await (await api(server, '/fleet/summary')).json()) as { pipeline: { received: number } };
      expect(summary.pipeline.received).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('answers 413 for a chunked body that grows past the limit', async () => {
    const server = await testServer({ maxBodyBytes: 1024 });
    try {
      const chunk = new TextEncoder().encode(`${line(950, 'updateLocation', 950, '2022-03-01T00:00:00Z')}\n`);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent > 40) controller.close();
          else controller.enqueue(chunk);
          sent += 1;
        },
      });
      const res = await api(server, '/events', { method: 'POST', body, duplex: 'half' } as RequestInit);
      expect(res.status).toBe(413);
    } finally {
      await server.close();
    }
  });
});

describe('GET /transitions (Server-Sent Events)', () => {
  it('streams the state changes of posted events, ids exact and times ISO', async () => {
    const server = await testServer();
    const abort = new AbortController();
    try {
      const res = await api(server, '/transitions?region=connectivity', { signal: abort.signal });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      const readUntil = async (done: () => boolean): Promise<void> => {
        while (!done()) {
          const { value, done: ended } = await reader.read();
          if (ended) throw new Error('stream ended');
          buffer += decoder.decode(value, { stream: true });
        }
      };
      await readUntil(() => buffer.includes(': connected'));

      const big = 2n ** 62n + 7n;
      const posted = await api(
        server,
        '/events',
        ndjson([
          line(big, 'updateLocation', 4242, '2022-04-01T10:00:00.000Z'),
          line(big + 1n, 'createPdpContext', 4242, '2022-04-01T10:00:05.000Z', 'New PDP Context successfully activated'),
          line(big + 2n, 'purgeLocation', 4242, '2022-04-01T10:10:00.000Z'),
        ]),
      );
      expect(posted.status).toBe(202);
      const frames = (): string[] => buffer.split('\n\n').filter((f) => f.includes('event: transition'));
      await readUntil(() => frames().length >= 3);
      const data = frames().map((f) => {
        const dataLine = f.split('\n').find((l) => l.startsWith('data: ')) ?? '';
        return dataLine.slice('data: '.length);
      });
      expect(data.map((d) => JSON.parse(d) as { from: string; to: string; at: string; region: string })).toMatchObject([
        { region: 'connectivity', from: 'OFFLINE', to: 'ATTACHED', at: '2022-04-01T10:00:00.000Z' },
        { region: 'connectivity', from: 'ATTACHED', to: 'ONLINE', at: '2022-04-01T10:00:05.000Z' },
        { region: 'connectivity', from: 'ONLINE', to: 'OFFLINE', at: '2022-04-01T10:10:00.000Z' },
      ]);
      expect(data[0]).toContain(`"eventId":${big}`);
      expect(frames()[0]).toMatch(/^(: heartbeat\n\n)?id: \d+\nevent: transition\n/m);
    } finally {
      abort.abort();
      await server.close();
    }
  });

  it('ends open streams when the server closes', async () => {
    const server = await testServer();
    const res = await api(server, '/transitions');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await server.close();
    let ended = false;
    while (!ended) ended = (await reader.read()).done;
    expect(ended).toBe(true);
  });
});

describe('token handling', () => {
  it('uses the configured token only', async () => {
    const server = await testServer({ token: 'other' });
    try {
      expect((await api(server, '/fleet/summary')).status).toBe(401);
      expect((await api(server, '/fleet/summary', { headers: { authorization: 'Bearer other' } })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
