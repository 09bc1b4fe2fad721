import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFleetLog } from '@simfleet/testkit';
import type { RetryPolicy } from '../../src/fetch/backoff.js';
import { SYSTEM_CLOCK } from '../../src/fetch/clock.js';
import { EventApiClient } from '../../src/fetch/EventApiClient.js';
import { type FetchEventsOptions, type FetchOutcome, fetchEvents } from '../../src/fetch/fetchEvents.js';
import { type FetchProgressState, type FetchQuery, loadFetchState, saveFetchState } from '../../src/fetch/FetchState.js';
import { NdjsonFileSink } from '../../src/fetch/NdjsonFileSink.js';
import { EMNIFY_RATE_LIMITS, RateLimiter, type RateLimits } from '../../src/fetch/RateLimiter.js';
import { tempDir } from '../support.js';
import { APP_TOKEN, type EmnifyTestApi, type StoredEvent, storedEvents } from './emnifyTestApi.js';

/** Quick retries, so fault tests take milliseconds, not the default seconds. */
export const QUICK_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 200, maxRateLimited: 5 };

/** `count` events of a seeded simulated fleet, oldest first. */
export function fleetEvents(count: number, seed = 1, devices = 20): StoredEvent[] {
  let text = '';
  generateFleetLog({ events: count, devices, seed }, (chunk) => {
    text += chunk;
  });
  const lines = text.split('\n').filter((line) => line !== '');
  return storedEvents(lines);
}

export interface FetchRun {
  readonly outcome: FetchOutcome | null;
  readonly error: unknown;
  readonly client: EventApiClient;
  /** The output file's lines. */
  readonly lines: string[];
  readonly out: string;
  readonly statePath: string;
  readonly retries: string[];
  readonly rejects: string[];
}

/**
 * Runs the real client and `fetchEvents` against `api`, writing to a real NDJSON file
 * (and a state file), and returns what happened. Errors are returned, not thrown.
 */
export async function runFetch(
  api: EmnifyTestApi,
  options: {
    readonly query?: Partial<FetchQuery>;
    readonly dir?: string;
    readonly retry?: RetryPolicy;
    readonly applicationToken?: string;
    readonly signal?: AbortSignal;
    readonly follow?: { intervalMs: number };
    readonly onPage?: FetchEventsOptions['onPage'];
    readonly maxSweeps?: number;
    readonly requestTimeoutMs?: number;
    readonly limits?: RateLimits;
    readonly deliverBy?: 'page' | 'sweep';
  } = {},
): Promise<FetchRun> {
  const dir = options.dir ?? tempDir();
  const out = join(dir, 'events.ndjson');
  const statePath = join(dir, 'state.json');
  const query: FetchQuery = { api: api.url, endpoint: null, types: [], from: null, until: null, ...options.query };
  const retries: string[] = [];
  const rejects: string[] = [];
  const client = new EventApiClient({
    api: api.url,
    applicationToken: options.applicationToken ?? APP_TOKEN,
    limiter: new RateLimiter(options.limits ?? EMNIFY_RATE_LIMITS, SYSTEM_CLOCK),
    retry: options.retry ?? QUICK_RETRY,
    clock: SYSTEM_CLOCK,
    onRetry: (message) => retries.push(message),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const state: FetchProgressState | null = loadFetchState(statePath);
  const sink = NdjsonFileSink.open(out, { append: state !== null, durable: true });
  let outcome: FetchOutcome | null = null;
  let error: unknown = null;
  try {
    outcome = await fetchEvents({
      client,
      query,
      sink,
      state,
      saveState: (next) => saveFetchState(statePath, next),
      clock: SYSTEM_CLOCK,
      onReject: (reject) => rejects.push(`element ${reject.index + 1} of ${reject.request}: ${reject.reason}`),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.follow === undefined ? {} : { follow: options.follow }),
      ...(options.onPage === undefined ? {} : { onPage: options.onPage }),
      ...(options.maxSweeps === undefined ? {} : { maxSweeps: options.maxSweeps }),
      ...(options.deliverBy === undefined ? {} : { deliverBy: options.deliverBy }),
    });
  } catch (caught) {
    error = caught;
  } finally {
    await sink.close();
  }
  const text = readFileSync(out, 'utf8');
  return { outcome, error, client, lines: text === '' ? [] : text.split('\n').slice(0, -1), out, statePath, retries, rejects };
}

/** The ids of NDJSON lines, read as digits. */
export function idsOf(lines: readonly string[]): string[] {
  return lines.map((line) => {
    const id = /,"id":(\d+),"event_type"/.exec(line)?.[1];
    if (id === undefined) throw new Error(`no id in ${line.slice(0, 80)}`);
    return id;
  });
}

/** The stored events' ids as digits, sorted. */
export function sortedIds(events: readonly StoredEvent[]): string[] {
  return events.map((e) => e.id.toString()).sort();
}
