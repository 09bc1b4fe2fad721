import type { EndpointState, FleetSummary } from '@simfleet/core';
import type { FleetQueries } from '@simfleet/postgres';
import type { FleetTransition } from '@simfleet/stream';
import { type ConnectivityChartData, chartBucketSeconds, chartColumns, connectivityChart, EMPTY_CHART } from './connectivityChart.js';
import { type EndpointQuery, type EndpointSelection, filterEndpoints, selectSorted } from './endpointQuery.js';
import type { FleetRows } from './FleetRows.js';
import { count } from './layout.js';
import type { TransitionRing } from './TransitionRing.js';

/** The counts the pages show: `FleetSummary`'s breakdowns and its two totals. */
export type FleetCounts = Pick<FleetSummary, 'byStatus' | 'byConnectivity' | 'byOperator' | 'byCountry' | 'byOrganisation'> & {
  readonly totals: Pick<FleetSummary['totals'], 'endpoints' | 'organisations'>;
};

/** A device's changes as a page shows them. */
export interface DeviceHistory {
  /** Oldest first. */
  readonly transitions: readonly FleetTransition[];
  /** Why older changes may be missing, or null when these are all there are. */
  readonly cut: string | null;
}

/** The chart's columns and what they cover, in words. */
export interface ChartView {
  readonly data: ConnectivityChartData;
  readonly covers: string;
}

/**
 * Where the dashboard reads the fleet from: the live store (and the transitions kept in
 * memory), or the PostgreSQL tables `serve --pg` keeps current. Both answer in the shapes
 * the pages render, so a page does not know which it was given.
 */
export interface FleetReader {
  /** Shown on every page: where its numbers come from. */
  readonly source: string;
  /** Ends "No transitions …" on the overview when there is none: where they would be. */
  readonly noRecent: string;
  counts(): Promise<FleetCounts>;
  /** Newest event time the data covers, ms; null before any. */
  eventTime(): Promise<number | null>;
  /** One page of the endpoint table. */
  page(query: EndpointQuery): Promise<EndpointSelection>;
  /** Every endpoint that passes the query's filters, by ascending id, in batches (the CSV export). */
  matching(query: EndpointQuery): AsyncIterable<readonly EndpointState[]>;
  endpoint(endpointId: number): Promise<EndpointState | undefined>;
  history(endpointId: number): Promise<DeviceHistory>;
  /** The newest `n` transitions, newest first. */
  recent(n: number): Promise<readonly FleetTransition[]>;
  chart(): Promise<ChartView>;
}

/** What the memory reader reads: the pipeline's store and event time, the rows cache, the ring. */
export interface MemorySources {
  readonly store: { summary(): FleetSummary; readEndpoint(endpointId: number): EndpointState | undefined };
  readonly eventTime: () => number | null;
  readonly rows: FleetRows;
  readonly ring: TransitionRing;
}

/**
 * The live store as the dashboard reads it (the default): counts from `summary()`, the table
 * over the rows cache, history from the transitions kept in memory since the server started.
 *
 * @example
 * const reader = memoryReader({ store: pipeline.store, eventTime: () => pipeline.eventTime, rows, ring });
 */
export function memoryReader(m: MemorySources): FleetReader {
  return {
    source: 'the live state of this server',
    noRecent: 'since the server started',
    counts: async () => m.store.summary(),
    eventTime: async () => m.eventTime(),
    page: async (query) => selectSorted(m.rows.sorted(query.sort, query.descending), query),
    matching: async function* (query) {
      yield filterEndpoints(m.rows.current(), query);
    },
    endpoint: async (id) => m.store.readEndpoint(id),
    history: async (id) => ({
      transitions: m.ring.latest(m.ring.size, (t) => t.endpointId === id).reverse(),
      cut: m.ring.total > m.ring.size ? 'older changes fell out of the kept history' : null,
    }),
    recent: async (n) => m.ring.latest(n),
    chart: async () => ringChart(m.ring),
  };
}

/** How many of the newest connectivity changes the chart covers with `--pg` (the ring's default size). */
export const CHART_CHANGES = 50_000;

/** What the PostgreSQL reader needs besides the tables. */
export interface PostgresReaderOptions {
  /** Newest changes of one device its page shows (default 2 000). */
  readonly deviceHistory?: number;
  /** Newest connectivity changes the chart covers (default `CHART_CHANGES`). */
  readonly chartChanges?: number;
  /**
   * Resolves once the tables hold what this server has ingested so far (its writer has no
   * write pending), or after a bounded wait: a page loaded right after a POST shows it.
   */
  readonly settled?: () => Promise<void>;
}

/**
 * The PostgreSQL tables as the dashboard reads them (`serve --pg`): every count, filter,
 * sort, page and export is a query, a device's page shows its state and its changes from
 * the tables (its whole history, not only what this server saw), and the overview's chart
 * and recent list are the tables' newest changes — what another process wrote, or this
 * server before it restarted, included. Both are bounded reads from the newest end of the
 * B-tree indexes on `at` (migration 4; a few ms each on 1.45 M rows): the recent list a
 * `LIMIT`, the chart the time window of the newest `chartChanges` connectivity changes,
 * counted per bucket in SQL. The tables hold no event type: a change whose event the
 * server's memory no longer holds is listed without one.
 *
 * @example
 * const reader = postgresReader(await FleetQueries.open(url, { schema }), { settled });
 */
export function postgresReader(q: FleetQueries, options: PostgresReaderOptions = {}): FleetReader {
  const deviceHistory = options.deviceHistory ?? 2000;
  const chartChanges = options.chartChanges ?? CHART_CHANGES;
  const settled = options.settled ?? (async () => {});
  return {
    source: `PostgreSQL, schema ${q.schema}`,
    noRecent: 'in the PostgreSQL tables yet',
    counts: async () => {
      await settled();
      return q.counts();
    },
    eventTime: async () => {
      await settled();
      return q.asOf();
    },
    page: async (query) => {
      await settled();
      return q.endpointPage(query);
    },
    matching: async function* (query) {
      await settled();
      yield* q.eachEndpoint(query);
    },
    endpoint: async (id) => {
      await settled();
      return q.endpoint(id);
    },
    history: async (id) => {
      await settled();
      const { transitions, total } = await q.endpointTransitions(id, deviceHistory);
      return { transitions, cut: total > transitions.length ? `the newest ${count(transitions.length)} of ${count(total)} are shown` : null };
    },
    recent: async (n) => {
      await settled();
      return q.recentTransitions(n);
    },
    chart: async () => {
      await settled();
      return tablesChart(q, chartChanges);
    },
  };
}

/** The chart of the newest `changes` connectivity changes in the tables. */
async function tablesChart(q: FleetQueries, changes: number): Promise<ChartView> {
  const window = await q.connectivityWindow(changes);
  if (window === null) return { data: EMPTY_CHART, covers: 'the PostgreSQL tables (no connectivity change in them yet)' };
  const step = chartBucketSeconds(window.from, window.to);
  const buckets = await q.connectivityBuckets(window, step);
  const total = buckets.reduce((n, b) => n + b.changes, 0);
  return { data: chartColumns(window.from, window.to, step, buckets), covers: `the newest ${count(total)} connectivity changes in the PostgreSQL tables` };
}

const ringChart = (ring: TransitionRing): ChartView => ({
  data: connectivityChart(ring),
  covers: `the last ${count(ring.size)} transitions the server kept in memory (of ${count(ring.total)} since it started)`,
});

/**
 * A wait for a writer that keeps the tables current (`serve --pg`'s sink): resolves once the
 * tables hold everything ingested before the call — the writer has nothing pending, or two
 * more of its transactions committed (the one under way, and the next, which takes what
 * waited) — or after `maxWaitMs` (a slow or unreachable database: the pages show what the
 * tables hold). Under a steady stream of POSTs the writer is never idle, so waiting for
 * "nothing pending" alone could last forever.
 *
 * @example
 * const settled = writerSettled(() => sink.status());
 * await settled(); // then read
 */
export function writerSettled(status: () => object, maxWaitMs = 2000, pollMs = 5): () => Promise<void> {
  const read = (): { writing: boolean; writes: number } => {
    const s = status() as { state?: unknown; writes?: unknown };
    return { writing: s.state === 'writing', writes: typeof s.writes === 'number' ? s.writes : 0 };
  };
  return async () => {
    const start = read();
    if (!start.writing) return;
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      const now = read();
      if (!now.writing || now.writes >= start.writes + 2 || Date.now() >= deadline) return;
    }
  };
}

/**
 * Opens the dashboard's read pool on the tables `serve --pg` writes (the library loaded only
 * then, as for the writer).
 *
 * @example
 * const queries = await openFleetQueries(url, 'simfleet'); // … await queries.close();
 */
export async function openFleetQueries(url: string, schema: string): Promise<FleetQueries> {
  const lib = await import('@simfleet/postgres');
  return lib.FleetQueries.open(url, { schema });
}
