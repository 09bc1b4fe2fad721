import { readFileSync } from 'node:fs';
import { parseJsonText } from '@simfleet/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchError } from '../../src/fetch/FetchError.js';
import { loadFetchState } from '../../src/fetch/FetchState.js';
import { tempDir } from '../support.js';
import { EmnifyTestApi, type StoredEvent } from './emnifyTestApi.js';
import { fleetEvents, idsOf, runFetch, sortedIds } from './fetchFixture.js';

const servers: EmnifyTestApi[] = [];
async function testApi(options: Parameters<typeof EmnifyTestApi.start>[0] = {}): Promise<EmnifyTestApi> {
  const api = await EmnifyTestApi.start(options);
  servers.push(api);
  return api;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Every line is one JSON text (the file is valid NDJSON). */
function expectValidNdjson(path: string): void {
  const text = readFileSync(path, 'utf8');
  if (text === '') return;
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) expect(parseJsonText(line).ok, line.slice(0, 80)).toBe(true);
}

describe('fetchEvents against an Event API that behaves as documented', () => {
  it('pages through every event once, by the server-capped page size and the Link headers', async () => {
    const events = fleetEvents(95);
    const api = await testApi({ perPageCap: 10 });
    api.add(events);
    const run = await runFetch(api);
    expect(run.error).toBeNull();
    expect(idsOf(run.lines).sort()).toEqual(sortedIds(events));
    // Lines are the server's own texts.
    expect(new Set(run.lines)).toEqual(new Set(events.map((e) => e.text)));
    // The client asked for 1000 per page; the server gave 10: 10 pages, then one catch-up page and the count.
    const pages = api.eventRequests.filter((r) => r.params.get('per_page') !== '1');
    expect(pages.map((r) => r.params.get('page'))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '1']);
    expect(pages[0]?.params.get('per_page')).toBe('1000');
    expect(run.outcome?.counts).toMatchObject({ pages: 11, delivered: 95, rejected: 0, sweeps: 2 });
    // The catch-up sweep asked from the newest time seen.
    const newest = Math.max(...events.map((e) => e.timestamp));
    expect(pages[10]?.params.get('q')).toBe(`from:${new Date(newest).toISOString()}`);
    expect(run.outcome?.counts.received).toBe(run.outcome!.counts.delivered + run.outcome!.counts.duplicates + run.outcome!.counts.rejected);
  });

  it('misses nothing and writes nothing twice while new events arrive at the front between pages', async () => {
    const events = fleetEvents(160, 2);
    const initial = events.slice(0, 60);
    const arriving = events.slice(60);
    const api = await testApi({
      perPageCap: 7,
      beforeEventRequest: (server, n) => {
        // Before each of the first pages, 1–9 newer events arrive (they shift every page down).
        if (n > 1 && arriving.length > 0) server.add(arriving.splice(0, 1 + (n % 9)));
      },
    });
    api.add(initial);
    const run = await runFetch(api);
    expect(run.error).toBeNull();
    expect(arriving).toHaveLength(0);
    const ids = idsOf(run.lines);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(sortedIds(events));
    const counts = run.outcome!.counts;
    // Shifted pages showed events again (dropped by id), and catch-up sweeps found the new ones.
    expect(counts.duplicates).toBeGreaterThan(0);
    expect(counts.sweeps).toBeGreaterThan(2);
    expect(run.outcome?.caughtUp).toBe(true);
    expect(counts.received).toBe(counts.delivered + counts.duplicates + counts.rejected);
  });

  it('keeps 64-bit ids exact: ids beyond 2^53 that differ in the last digit are two events', async () => {
    const base = fleetEvents(4, 3);
    const big = ['18446744073709551614', '18446744073709551615', '9007199254740993', '9007199254740992'];
    const events = base.map((e, i) => {
      const text = e.text.replace(/,"id":\d+,"event_type"/, `,"id":${big[i]},"event_type"`);
      return { ...e, id: BigInt(big[i] as string), text };
    });
    const api = await testApi({ pretty: true });
    api.add(events);
    const run = await runFetch(api);
    expect(run.error).toBeNull();
    expect(idsOf(run.lines).sort()).toEqual([...big].sort());
    // Pretty-printed pages come out as one compact line per event, the original text.
    expect(new Set(run.lines)).toEqual(new Set(events.map((e) => e.text)));
  });

  it('authenticates again when the JWT is about to expire, without starting over', async () => {
    const events = fleetEvents(40, 4);
    const api = await testApi({ perPageCap: 2, tokenTtlSeconds: 2 });
    api.add(events);
    const run = await runFetch(api);
    expect(run.error).toBeNull();
    expect(idsOf(run.lines).sort()).toEqual(sortedIds(events));
    // 20 pages at 8 requests/s outlast a 2 s token: it was renewed before expiry, never refused.
    expect(api.authentications).toBeGreaterThan(1);
    expect(api.eventRequests.filter((r) => r.status === 401)).toHaveLength(0);
    const pages = api.eventRequests.filter((r) => r.params.get('per_page') !== '1' && r.params.get('q') === null).map((r) => Number(r.params.get('page')));
    expect(pages).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('authenticates again on a 401 and repeats only the refused page', async () => {
    const events = fleetEvents(50, 5);
    const api = await testApi({ perPageCap: 10 });
    api.add(events);
    api.fault('revokeTokens', (r) => r.params.get('page') === '3');
    const run = await runFetch(api);
    expect(run.error).toBeNull();
    expect(idsOf(run.lines).sort()).toEqual(sortedIds(events));
    expect(api.authentications).toBe(2);
    const sequence = api.requests.map((r) => (r.path.endsWith('authenticate') ? 'auth' : `${r.params.get('page')}:${r.status}`));
    expect(sequence.slice(0, 6)).toEqual(['auth', '1:200', '2:200', '3:401', 'auth', '3:200']);
  });

  it('stops with auth_refused when the application token is wrong', async () => {
    const api = await testApi();
    api.add(fleetEvents(5));
    const run = await runFetch(api, { applicationToken: 'wrong' });
    expect(run.error).toBeInstanceOf(FetchError);
    expect((run.error as FetchError).code).toBe('auth_refused');
    expect(api.requests).toHaveLength(1);
    expect(run.lines).toHaveLength(0);
  });

  it('honours 429 Retry-After: the next request waits at least that long', async () => {
    const events = fleetEvents(30, 6);
    const api = await testApi({ perPageCap: 10 });
    api.add(events);
    api.fault('http429', (r) => r.params.get('page') === '2', 1, '1');
    const run = await runFetch(api);
    expect(run.error).toBeNull();
    expect(idsOf(run.lines).sort()).toEqual(sortedIds(events));
    const limited = api.eventRequests.findIndex((r) => r.status === 429);
    const next = api.eventRequests[limited + 1]!;
    expect(next.params.get('page')).toBe('2');
    expect(next.at - api.eventRequests[limited]!.at).toBeGreaterThanOrEqual(990);
    expect(run.client.counters.rateLimited).toBe(1);
  });

  it('retries 500, 502, 503, dropped connections, truncated bodies and malformed pages', async () => {
    const events = fleetEvents(60, 7);
    const api = await testApi({ perPageCap: 10 });
    api.add(events);
    const onPage = (page: string) => (r: { params: URLSearchParams }) => r.params.get('page') === page && r.params.get('per_page') !== '1';
    api.fault('http500', onPage('1'));
    api.fault('http502', onPage('2'));
    api.fault('http503', onPage('2'));
    api.fault('truncated', onPage('3'));
    api.fault('malformedHtml', onPage('4'));
    api.fault('malformedJson', onPage('5'));
    api.fault('notAnArray', onPage('6'));
    api.fault('dropConnection', onPage('6'));
    const run = await runFetch(api);
    expect(run.error).toBeNull();
    expect(idsOf(run.lines).sort()).toEqual(sortedIds(events));
    expect(api.faults.every((f) => f.times === 0)).toBe(true);
    expect(run.client.counters.retries).toBe(8);
    expect(run.retries.some((m) => m.includes('cut off'))).toBe(true);
    expect(run.retries.some((m) => m.includes('malformed page: the body is not JSON'))).toBe(true);
    expect(run.retries.some((m) => m.includes('not an array'))).toBe(true);
    expect(run.retries.some((m) => m.includes('network error'))).toBe(true);
    // The malformed page's framing never leaked into the output.
    expectValidNdjson(run.out);
  });

  it('abandons a request that stalls past its deadline and retries it', async () => {
    const events = fleetEvents(30, 17);
    const api = await testApi({ perPageCap: 10 });
    api.add(events);
    api.fault('stall', (r) => r.params.get('page') === '2');
    const run = await runFetch(api, { requestTimeoutMs: 300 });
    expect(run.error).toBeNull();
    expect(idsOf(run.lines).sort()).toEqual(sortedIds(events));
    expect(run.retries.filter((m) => m.includes('page=2'))).toHaveLength(1);
    expect(run.retries[0]).toMatch(/not complete by the request deadline/);
  });

  it('stops on a permanent error with a clear message, leaving valid NDJSON of the pages before', async () => {
    const events = fleetEvents(50, 8);
    const api = await testApi({ perPageCap: 10 });
    api.add(events);
    api.fault('http422', (r) => r.params.get('page') === '3');
    const run = await runFetch(api);
    expect(run.error).toBeInstanceOf(FetchError);
    expect((run.error as FetchError).code).toBe('request_refused');
    expect((run.error as FetchError).message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/event\?page=3.*: HTTP 422: .*invalid filter/);
    expect(run.lines).toHaveLength(20);
    expectValidNdjson(run.out);
    expect(new Set(idsOf(run.lines))).toEqual(new Set(api.events.slice(0, 20).map((e) => e.id.toString())));
  });

  it('gives up after the retries when a page stays malformed, the file still valid', async () => {
    const api = await testApi({ perPageCap: 10 });
    api.add(fleetEvents(30, 9));
    api.fault('malformedJson', (r) => r.params.get('page') === '2', 100);
    const run = await runFetch(api);
    expect((run.error as FetchError).code).toBe('retries_exhausted');
    expect((run.error as FetchError).reason).toMatch(/malformed page: the body is not JSON.*\(4 attempts\)/);
    expect(run.lines).toHaveLength(10);
    expectValidNdjson(run.out);
  });

  it('reports elements without an id or timestamp as rejects with their place, and writes the rest', async () => {
    const events = fleetEvents(12, 10);
    const broken: StoredEvent[] = [
      { ...events[0]!, id: 1n, text: events[0]!.text.replace(/,"id":\d+,"event_type"/, ',"event_type"') },
      { ...events[1]!, id: 2n, text: events[1]!.text.replace(/"timestamp":"[^"]+"/, '"timestamp":"yesterday"') },
    ];
    const api = await testApi({ perPageCap: 20 });
    api.add([...events.slice(2), ...broken]);
    const run = await runFetch(api);
    expect(run.error).toBeNull();
    expect(run.lines).toHaveLength(10);
    expect(run.outcome?.counts.rejected).toBeGreaterThanOrEqual(2);
    expect(run.rejects.some((m) => /element \d+ of GET .*: no integer id \(found nothing\)/.test(m))).toBe(true);
    expect(run.rejects.some((m) => /no readable timestamp \(found "yesterday"\)/.test(m))).toBe(true);
  });

  it('passes --from, --until, --type and --endpoint to the API as q filters and the endpoint path', async () => {
    const events = fleetEvents(200, 11, 5);
    const api = await testApi({ perPageCap: 50 });
    api.add(events);
    const endpoint = events[0]!.endpointId!;
    const from = events[20]!.timestamp;
    const until = events[150]!.timestamp;
    const run = await runFetch(api, { query: { endpoint: String(endpoint), types: [2, 3], from, until } });
    expect(run.error).toBeNull();
    const expected = events.filter((e) => e.endpointId === endpoint && e.timestamp >= from && e.timestamp <= until && (e.typeId === 2 || e.typeId === 3));
    expect(expected.length).toBeGreaterThan(3);
    expect(idsOf(run.lines).sort()).toEqual(sortedIds(expected));
    expect(api.eventRequests[0]?.path).toBe(`/api/v1/endpoint/${endpoint}/event`);
    expect(api.eventRequests[0]?.params.get('q')).toBe(`from:${new Date(from).toISOString()},until:${new Date(until).toISOString()},type:2,type:3`);
  });

  it('stays under the documented rate limits: the server never had to refuse a request', async () => {
    const api = await testApi({ perPageCap: 1 });
    api.add(fleetEvents(40, 12));
    const run = await runFetch(api);
    expect(run.error).toBeNull();
    expect(run.lines).toHaveLength(40);
    expect(api.limitAnswers).toBe(0);
  });
});

describe('a list that never stops growing', () => {
  it('stops after the sweep limit, says it did not catch up, and the next run continues', async () => {
    const events = fleetEvents(60, 18);
    const arriving = events.slice(20);
    let flowing = true;
    const api = await testApi({
      perPageCap: 10,
      beforeEventRequest: (server) => {
        if (flowing && arriving.length > 0) server.add(arriving.splice(0, 1));
      },
    });
    api.add(events.slice(0, 20));
    const dir = tempDir();
    const first = await runFetch(api, { dir, maxSweeps: 3 });
    expect(first.error).toBeNull();
    expect(first.outcome).toMatchObject({ caughtUp: false, interrupted: false });
    expect(first.outcome?.counts.sweeps).toBe(3);
    flowing = false;
    const second = await runFetch(api, { dir });
    expect(second.outcome?.caughtUp).toBe(true);
    const ids = idsOf(second.lines);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(sortedIds(api.events));
  });
});

describe('resumable and incremental with a state file', () => {
  it('continues a run cut short (gap below the cut sweep, then above it), each event once', async () => {
    const events = fleetEvents(90, 13);
    const api = await testApi({ perPageCap: 10 });
    api.add(events.slice(0, 70));
    const dir = tempDir();
    const controller = new AbortController();
    const first = await runFetch(api, { dir, signal: controller.signal, onPage: (counts) => counts.pages === 3 && controller.abort() });
    expect(first.outcome?.interrupted).toBe(true);
    expect(first.lines).toHaveLength(30);
    const cut = loadFetchState(first.statePath)!;
    expect(cut.partial).not.toBeNull();
    expect(cut.delivered).toBe(30);
    // New events arrive between the runs.
    api.add(events.slice(70));
    const second = await runFetch(api, { dir });
    expect(second.error).toBeNull();
    const ids = idsOf(second.lines);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(sortedIds(events));
    const done = loadFetchState(second.statePath)!;
    expect(done.partial).toBeNull();
    expect(done.delivered).toBe(90);
    expect(done.through?.timestamp).toBe(Math.max(...events.map((e) => e.timestamp)));
  });

  it('fetches only what is new on the next run', async () => {
    const events = fleetEvents(80, 14);
    const api = await testApi({ perPageCap: 10 });
    api.add(events.slice(0, 75));
    const dir = tempDir();
    const first = await runFetch(api, { dir });
    expect(first.lines).toHaveLength(75);
    const before = api.eventRequests.length;
    api.add(events.slice(75));
    const second = await runFetch(api, { dir });
    expect(second.outcome?.counts.delivered).toBe(5);
    // One page from the newest time on finds the 5, one more finds nothing new.
    expect(api.eventRequests.length - before).toBe(2);
    expect(idsOf(second.lines).sort()).toEqual(sortedIds(events));
    const third = await runFetch(api, { dir });
    expect(third.outcome?.counts.delivered).toBe(0);
    expect(third.lines).toHaveLength(80);
  });

  it('cuts an incomplete last line a killed run left before appending', async () => {
    const events = fleetEvents(30, 15);
    const api = await testApi({ perPageCap: 10 });
    api.add(events.slice(0, 20));
    const dir = tempDir();
    const first = await runFetch(api, { dir });
    expect(first.lines).toHaveLength(20);
    // A process killed mid-write: half a line at the end, not counted in the state.
    const { appendFileSync } = await import('node:fs');
    appendFileSync(first.out, events[25]!.text.slice(0, 40));
    api.add(events.slice(20));
    const second = await runFetch(api, { dir });
    expect(second.error).toBeNull();
    expectValidNdjson(second.out);
    expect(idsOf(second.lines).sort()).toEqual(sortedIds(events));
  });
});

describe('follow mode', () => {
  it('keeps polling and delivers events that arrive later, until stopped', async () => {
    const events = fleetEvents(40, 16);
    const api = await testApi({ perPageCap: 10 });
    api.add(events.slice(0, 20));
    const controller = new AbortController();
    let added = false;
    const run = await runFetch(api, {
      signal: controller.signal,
      follow: { intervalMs: 100 },
      onPage: (counts) => {
        if (!added && counts.delivered === 20) {
          added = true;
          setTimeout(() => api.add(events.slice(20)), 150);
        }
        if (counts.delivered === 40) controller.abort();
      },
    });
    expect(run.error).toBeNull();
    expect(run.outcome?.interrupted).toBe(true);
    expect(idsOf(run.lines).sort()).toEqual(sortedIds(events));
  });
});
