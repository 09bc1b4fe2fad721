import { CONNECTIVITY_STATES, type Connectivity } from '@simfleet/core';
import type { FleetTransition } from '@simfleet/stream';

/** Columns for uPlot: bucket start times (Unix seconds) and, per state, changes into it. */
export interface ConnectivityChartData {
  readonly bucketSeconds: number;
  readonly times: readonly number[];
  readonly into: Readonly<Record<Connectivity, readonly number[]>>;
}

/** Round bucket widths, seconds. */
const STEPS_SECONDS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 7 * 86_400];

/**
 * The chart's bucket width for changes from `min` to `max` (event time, ms): the smallest
 * round step that keeps the chart to fewer than `maxBuckets` columns, so a minute of live
 * traffic and a year of replayed log both read well.
 *
 * @example
 * chartBucketSeconds(0, 3_600_000) // 60
 */
export function chartBucketSeconds(min: number, max: number, maxBuckets = 120): number {
  const spanSeconds = (max - min) / 1000;
  return STEPS_SECONDS.find((s) => spanSeconds / s < maxBuckets) ?? Math.ceil(spanSeconds / maxBuckets);
}

/** Changes into one connectivity state in one bucket (its start in Unix seconds, a multiple of the width). */
export interface ChartCount {
  readonly start: number;
  readonly to: Connectivity;
  readonly changes: number;
}

/**
 * The chart's columns from counts per bucket: every bucket from the one holding `min` to
 * the one holding `max` (event time, ms), zero where nothing was counted. Buckets start at
 * multiples of `bucketSeconds` since the Unix epoch (what `date_bin(…, 'epoch')` gives).
 *
 * @example
 * chartColumns(min, max, 60, [{ start: 1635294000, to: 'ONLINE', changes: 3 }]).into.ONLINE // [3, 0, …]
 */
export function chartColumns(min: number, max: number, bucketSeconds: number, counts: Iterable<ChartCount>): ConnectivityChartData {
  const step = bucketSeconds;
  const first = Math.floor(min / 1000 / step) * step;
  const n = Math.floor((max / 1000 - first) / step) + 1;
  const times = Array.from({ length: n }, (_, i) => first + i * step);
  const into = { OFFLINE: new Array<number>(n).fill(0), ATTACHED: new Array<number>(n).fill(0), ONLINE: new Array<number>(n).fill(0) };
  for (const c of counts) {
    const i = Math.round((c.start - first) / step);
    if (i < 0 || i >= n) continue;
    into[c.to][i] = (into[c.to][i] ?? 0) + c.changes;
  }
  return { bucketSeconds: step, times, into };
}

/** The chart with no column: nothing to draw yet. */
export const EMPTY_CHART: ConnectivityChartData = { bucketSeconds: 60, times: [], into: { OFFLINE: [], ATTACHED: [], ONLINE: [] } };

/**
 * Connectivity changes over event time, counted per bucket (`chartBucketSeconds`) and per
 * state entered: the overview's chart of the transitions kept in memory.
 *
 * @example
 * connectivityChart(ring, 120).into.ONLINE // [3, 0, 5, …]
 */
export function connectivityChart(transitions: Iterable<FleetTransition>, maxBuckets = 120): ConnectivityChartData {
  let min = Infinity;
  let max = -Infinity;
  const picked: FleetTransition[] = [];
  for (const t of transitions) {
    if (t.region !== 'connectivity') continue;
    picked.push(t);
    if (t.at < min) min = t.at;
    if (t.at > max) max = t.at;
  }
  if (picked.length === 0) return EMPTY_CHART;
  const step = chartBucketSeconds(min, max, maxBuckets);
  const counts: ChartCount[] = [];
  for (const t of picked) {
    if (!(CONNECTIVITY_STATES as readonly string[]).includes(t.to)) continue;
    counts.push({ start: Math.floor(t.at / 1000 / step) * step, to: t.to as Connectivity, changes: 1 });
  }
  return chartColumns(min, max, step, counts);
}
