import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY, retryAfterMs } from '../../src/fetch/backoff.js';
import { createFetchProgress } from '../../src/fetch/fetchProgress.js';
import { loadFetchState, saveFetchState } from '../../src/fetch/FetchState.js';
import { jwtLifetime } from '../../src/fetch/jwtExpiry.js';
import { nextPageUrl } from '../../src/fetch/nextPageUrl.js';
import { pageInfo, parseLinkHeader } from '../../src/fetch/pageHeaders.js';
import { splitPage } from '../../src/fetch/splitPage.js';
import { tempDir } from '../support.js';

describe('paging headers', () => {
  it('reads RFC 8288 Link relations, resolving relative targets and commas inside <…>', () => {
    const links = parseLinkHeader(
      '</api/v1/event?page=1&q=type:1,type:2>; rel="first", <?page=3>; rel=next, <https://x.test/e?page=9>; rel="last"',
      'https://api.test/api/v1/event?page=2',
    );
    expect(links.get('first')).toBe('https://api.test/api/v1/event?page=1&q=type:1,type:2');
    expect(links.get('next')).toBe('https://api.test/api/v1/event?page=3');
    expect(links.get('last')).toBe('https://x.test/e?page=9');
    expect(parseLinkHeader(null, 'https://api.test/').size).toBe(0);
  });

  it('reads the X-* counts and refuses unreadable ones', () => {
    const info = pageInfo(new Headers({ 'x-total-count': '95', 'x-total-pages': '10', 'x-current-page': '2', 'x-count-per-page': 'ten' }), 'https://api.test/');
    expect(info).toMatchObject({ totalCount: 95, totalPages: 10, currentPage: 2, perPage: null });
  });

  it('follows next; without Link, X-Current-Page against X-Total-Pages; without either, full pages', () => {
    const url = 'https://api.test/api/v1/event?page=2&per_page=10';
    const withLink = pageInfo(new Headers({ link: '<?page=3&per_page=10>; rel="next"' }), url);
    expect(nextPageUrl(url, withLink, 10, 10)).toBe('https://api.test/api/v1/event?page=3&per_page=10');
    const lastByLink = pageInfo(new Headers({ link: '<?page=1>; rel="first", <?page=2>; rel="last"' }), url);
    expect(nextPageUrl(url, lastByLink, 10, 10)).toBeNull();
    const counted = pageInfo(new Headers({ 'x-total-pages': '3', 'x-current-page': '2' }), url);
    expect(nextPageUrl(url, counted, 10, 10)).toBe('https://api.test/api/v1/event?page=3&per_page=10');
    const lastCounted = pageInfo(new Headers({ 'x-total-pages': '2', 'x-current-page': '2' }), url);
    expect(nextPageUrl(url, lastCounted, 10, 10)).toBeNull();
    const bare = pageInfo(new Headers(), url);
    expect(nextPageUrl(url, bare, 10, 10)).toBe('https://api.test/api/v1/event?page=3&per_page=10');
    expect(nextPageUrl(url, bare, 4, 10)).toBeNull();
  });
});

describe('retry timing', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs(null, 0)).toBeNull();
  });

  it('backs off exponentially with jitter, never to zero, capped', () => {
    expect(backoffDelay(DEFAULT_RETRY, 1, () => 0)).toBe(250);
    expect(backoffDelay(DEFAULT_RETRY, 1, () => 1)).toBe(500);
    expect(backoffDelay(DEFAULT_RETRY, 3, () => 0.5)).toBe(1500);
    expect(backoffDelay(DEFAULT_RETRY, 30, () => 1)).toBe(DEFAULT_RETRY.maxDelayMs);
  });
});

describe('JWT lifetime', () => {
  it('reads iat and exp from the payload, and nothing from a token that is not a JWT', () => {
    const payload = Buffer.from(JSON.stringify({ iat: 1_700_000_000, exp: 1_700_003_600 })).toString('base64url');
    expect(jwtLifetime(`e30.${payload}.sig`)).toEqual({ issuedAt: 1_700_000_000_000, expiresAt: 1_700_003_600_000 });
    expect(jwtLifetime('opaque-token')).toEqual({ issuedAt: null, expiresAt: null });
    expect(jwtLifetime('a.!!!.c')).toEqual({ issuedAt: null, expiresAt: null });
  });
});

describe('splitPage', () => {
  it("keeps each element's text and id digits exactly, one line each", () => {
    const page =
      '[\n  {"id": 18446744073709551615, "timestamp": "2021-10-27T11:59:29Z", "d": "a, b\\n ]"},\n  {"timestamp":"2021-10-27 11:59:30","id":"9007199254740993"}\n]';
    const split = splitPage(page);
    expect(split.ok).toBe(true);
    if (!split.ok) return;
    expect(split.events.map((e) => e.id)).toEqual(['18446744073709551615', '9007199254740993']);
    expect(split.events[0]?.line).toBe('{"id":18446744073709551615,"timestamp":"2021-10-27T11:59:29Z","d":"a, b\\n ]"}');
    expect(split.events[1]?.timestamp).toBe(Date.UTC(2021, 9, 27, 11, 59, 30));
  });

  it('calls a body that is not a JSON array malformed, and an element without id a reject', () => {
    expect(splitPage('<html>').ok).toBe(false);
    expect(splitPage('[{"id":1,').ok).toBe(false);
    expect(splitPage('{"id":1}').ok).toBe(false);
    const split = splitPage('[{"id":-1,"timestamp":"2021-10-27T00:00:00Z"},[1],{"id":5.5,"timestamp":"2021-10-27T00:00:00Z"}]');
    expect(split.ok && split.rejects.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(splitPage('[]')).toEqual({ ok: true, events: [], rejects: [] });
  });
});

describe('progress line', () => {
  const counts = { pages: 3, received: 30, delivered: 28, duplicates: 2, rejected: 0, sweeps: 1 };

  it("shows a bar of the sweep's pages, pages and events on a terminal, and clears it", () => {
    const written: string[] = [];
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    tty.on('data', (chunk: Buffer) => written.push(chunk.toString()));
    const progress = createFetchProgress(tty, { quiet: false });
    progress.update(counts, { number: 3, totalPages: 6 });
    progress.clear();
    expect(written.join('')).toBe('\r\x1b[2K[##########..........] page 3/6 · pages 3 · events 28 · duplicates 2 · sweep 1\r\x1b[2K');
  });

  it('writes nothing to a pipe or with --quiet', () => {
    const written: string[] = [];
    const pipe = new PassThrough();
    pipe.on('data', (chunk: Buffer) => written.push(chunk.toString()));
    createFetchProgress(pipe, { quiet: false }).update(counts, { number: 1, totalPages: 2 });
    createFetchProgress(Object.assign(new PassThrough(), { isTTY: true }), { quiet: true }).update(counts, { number: 1, totalPages: 2 });
    expect(written).toEqual([]);
  });
});

describe('state file', () => {
  it('round-trips, and refuses a damaged or foreign file with a reason', () => {
    const dir = tempDir();
    const path = join(dir, 'state.json');
    expect(loadFetchState(path)).toBeNull();
    const state = {
      query: { api: 'https://api.test', endpoint: '7', types: [3, 4], from: Date.UTC(2021, 0, 1), until: null },
      through: { timestamp: Date.UTC(2021, 0, 2), ids: ['18446744073709551615'] },
      partial: { top: { timestamp: Date.UTC(2021, 0, 4), ids: ['5'] }, bottom: { timestamp: Date.UTC(2021, 0, 3), ids: ['6', '7'] } },
      delivered: 12,
    };
    saveFetchState(path, state);
    expect(loadFetchState(path)).toEqual(state);
    writeFileSync(
      path,
      '{"format":"simfleet-fetch-state","version":1,"query":{"api":"x","endpoint":null,"types":[]},"through":{"timestamp":"soon","ids":[]},"partial":null,"delivered":0}',
    );
    expect(() => loadFetchState(path)).toThrow(/damaged state file \(a boundary has no readable timestamp\)/);
    writeFileSync(path, '{"schema":"simfleet/snapshot@1"}');
    expect(() => loadFetchState(path)).toThrow('not a simfleet fetch state file');
    writeFileSync(path, 'PK\u0003\u0004');
    expect(() => loadFetchState(path)).toThrow('not a simfleet fetch state file (not JSON)');
  });
});
