/**
 * `simfleet serve` for operators: query parameters checked the same way on every route,
 * `GET /metrics` in Prometheus' text format, and structured request and lifecycle logs.
 */
import { PassThrough } from 'node:stream';
import { eventTypeByKey } from '@simfleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServeLogger, type ServeLogger } from '../../src/serve/requestLog.js';
import type { RunningServer } from '../../src/serve/startServer.js';
import { api, testServer, waitApplied, waitFor } from './httpClient.js';

const line = (id: number, key: Parameters<typeof eventTypeByKey>[0], endpointId: number, time: string): string =>
  `{"id":${id},"timestamp":"${time}","event_type":{"id":${eventTypeByKey(key).id}},"organisation":{"id":77},"endpoint":{"id":${endpointId}}}`;

const post = (server: RunningServer, lines: readonly string[]): Promise<Response> =>
  api(server, '/events', { method: 'POST', body: `${lines.join('\n')}\n`, headers: { 'content-type': 'application/x-ndjson' } });

/** A logger whose JSON lines are kept, parsed. */
function recordingLogger(): { logger: ServeLogger; lines: Array<Record<string, unknown>> } {
  const stream = new PassThrough();
  const lines: Array<Record<string, unknown>> = [];
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
      lines.push(JSON.parse(pending.slice(0, nl)) as Record<string, unknown>);
      pending = pending.slice(nl + 1);
    }
  });
  return { logger: createServeLogger(stream), lines };
}

/** The value of one sample line of a Prometheus exposition (`name{labels} value`). */
function sample(text: string, series: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${series} `));
  return found === undefined ? undefined : Number(found.slice(series.length + 1));
}

describe('query parameters', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await testServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses /transitions?region=foo like /endpoints?status=FOO, naming the allowed values', async () => {
    for (const [path, code] of [
      ['/transitions?region=foo', 'invalid_region'],
      ['/transitions?region=connectivity,foo', 'invalid_region'],
      ['/transitions?endpoint=abc', 'invalid_endpoint'],
      ['/endpoints?status=FOO', 'invalid_status'],
    ] as const) {
      const res = await api(server, path);
      expect(res.status, path).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, path).toBe(code);
    }
    const region = (await (await api(server, '/transitions?region=foo')).json()) as { error: { message: string } };
    expect(region.error.message).toBe('region must be one of connectivity, sim, endpoint, block, dataQuota, smsQuota, status, activity, got foo');
  });

  it('refuses unknown parameters on every route with a 400 naming them', async () => {
    for (const [path, init, names, takes] of [
      ['/endpoints?statuss=ONLINE&limit=5', {}, 'statuss', 'status, limit, cursor'],
      ['/fleet/summary?verbose=1&x=2', {}, 'verbose, x', null],
      ['/endpoints/1?full=true', {}, 'full', null],
      ['/transitions?regions=sim', {}, 'regions', 'region, endpoint'],
      ['/metrics?format=json', {}, 'format', null],
      ['/events?dryRun=1', { method: 'POST', body: '{}' }, 'dryRun', null],
    ] as const) {
      const res = await api(server, path, init);
      expect(res.status, path).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, path).toBe('unknown_parameter');
      expect(body.error.message, path).toContain(` ${names} (`);
      expect(body.error.message, path).toContain(takes === null ? 'this route takes no query parameters' : `this route takes ${takes}`);
    }
  });

  it('still serves known parameters', async () => {
    expect((await api(server, '/endpoints?status=ONLINE&limit=5')).status).toBe(200);
    const controller = new AbortController();
    const res = await api(server, '/transitions?region=status,activity&endpoint=42', { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    controller.abort();
  });
});

describe('GET /metrics', () => {
  let server: RunningServer;
  const journaled: number[] = [];
  beforeAll(async () => {
    server = await testServer({ onAccepted: (events) => journaled.push(events.length) });
  });
  afterAll(async () => {
    await server.close();
  });

  it('needs the token, like every route but the health check', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
  });

  it('counts received, applied and rejected events by reason, ingest latency, SSE clients, journal records and endpoints by status', async () => {
    const accepted = await post(server, [
      line(1, 'updateLocation', 501, '2021-10-27T10:00:00Z'),
      line(2, 'createPdpContext', 501, '2021-10-27T10:01:00Z'),
      line(3, 'updateLocation', 502, '2021-10-27T10:02:00Z'),
      line(3, 'updateLocation', 502, '2021-10-27T10:02:00Z'),
      '{not json',
      '{"id":9}',
    ]);
    expect(accepted.status).toBe(400);
    await waitApplied(server, 3);
    const controller = new AbortController();
    const sse = await api(server, '/transitions', { signal: controller.signal });
    expect(sse.status).toBe(200);

    let text = '';
    await waitFor(async () => {
      const res = await api(server, '/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      text = await res.text();
      return sample(text, 'simfleet_sse_clients') === 1;
    });
    controller.abort();

    expect(text).toContain('# TYPE simfleet_events_received_total counter');
    expect(sample(text, 'simfleet_events_received_total')).toBe(4);
    expect(sample(text, 'simfleet_events_applied_total')).toBe(3);
    expect(sample(text, 'simfleet_events_not_applied_total{reason="duplicate"}')).toBe(1);
    expect(sample(text, 'simfleet_events_rejected_total{reason="invalid_json"}')).toBe(1);
    expect(sample(text, 'simfleet_events_rejected_total{reason="missing_field"}')).toBe(1);
    expect(text).toContain('# TYPE simfleet_ingest_latency_seconds histogram');
    expect(sample(text, 'simfleet_ingest_latency_seconds_count')).toBe(1);
    expect(sample(text, 'simfleet_journal_records_total')).toBe(journaled.reduce((a, b) => a + b, 0));
    expect(sample(text, 'simfleet_journal_records_total')).toBe(4);
    expect(sample(text, 'simfleet_endpoints{status="ONLINE"}')).toBe(1);
    expect(sample(text, 'simfleet_endpoints{status="ATTACHED"}')).toBe(1);
    expect(sample(text, 'simfleet_endpoints{status="OFFLINE"}')).toBe(0);

    // Counters follow the running totals: a second scrape after more events grows them.
    await post(server, [line(4, 'purgeLocation', 502, '2021-10-27T10:03:00Z')]);
    await waitApplied(server, 4);
    const again = await (await api(server, '/metrics')).text();
    expect(sample(again, 'simfleet_events_received_total')).toBe(5);
    expect(sample(again, 'simfleet_events_applied_total')).toBe(4);
    expect(sample(again, 'simfleet_ingest_latency_seconds_count')).toBe(2);
  });
});

describe('structured logs', () => {
  it('one JSON line per request and per lifecycle event, ending with a stop line', async () => {
    const { logger, lines } = recordingLogger();
    const server = await testServer({ logger });
    await (await api(server, '/endpoints?status=ONLINE')).text();
    await (await api(server, '/nowhere')).text();
    await (await fetch(`${server.url}/fleet/summary`)).text();
    await post(server, [line(1, 'updateLocation', 9, '2021-10-27T10:00:00Z')]);
    await waitApplied(server, 1);
    await server.close();

    expect(lines[0]).toMatchObject({ event: 'listening', host: '127.0.0.1' });
    const requests = lines.filter((l) => l['event'] === 'request');
    expect(requests.slice(0, 4).map((r) => [r['method'], r['path'], r['status']])).toEqual([
      ['GET', '/endpoints', 200],
      ['GET', '/nowhere', 404],
      ['GET', '/fleet/summary', 401],
      ['POST', '/events', 202],
    ]);
    for (const r of requests) {
      expect(typeof r['ms']).toBe('number');
      expect(Date.parse(r['time'] as string)).not.toBeNaN();
    }
    const tail = lines.filter((l) => l['event'] !== 'request').map((l) => l['event']);
    expect(tail).toEqual(['listening', 'stopping', 'stopped']);
    expect(lines.at(-1)).toMatchObject({ event: 'stopped', received: 1, applied: 1, endpoints: 1 });
  });

  it('short readable lines on a terminal', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true });
    let text = '';
    stream.on('data', (c: Buffer) => {
      text += c.toString();
    });
    const logger = createServeLogger(stream, { now: () => new Date('2026-01-02T03:04:05.000Z') });
    logger.request({ method: 'GET', path: '/endpoints', status: 200, ms: 1.234 });
    logger.lifecycle('stopped', { received: 3 });
    expect(text).toBe('2026-01-02T03:04:05.000Z GET /endpoints 200 1.23 ms\n2026-01-02T03:04:05.000Z stopped received=3\n');
  });
});
