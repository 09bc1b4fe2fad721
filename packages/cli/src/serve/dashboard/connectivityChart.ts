import { CONNECTIVITY_STATES, type Connectivity } from '@simfleet/core';
import type { FleetTransition } from '@simfleet/stream';

/** Columns for uPlot: bucket start times (Unix seconds) and, per state, changes into it. */
export interface ConnectivityChartData {
  readonly bucketSeconds: number;
  readonly times: readonly number[];
  readonly into: Readonly<Record<Connectivity, readonly number[]>>;
}

const STEPS_SECONDS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 7 * 86_400];

/**
 * Connectivity changes over event time, counted per bucket and per state entered: the
 * overview's chart. The bucket is the smallest round step that keeps the chart to at most
 * `maxBuckets` columns, so a minute of live traffic and a year of replayed log both read well.
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
  const empty = { OFFLINE: [], ATTACHED: [], ONLINE: [] };
  if (picked.length === 0) return { bucketSeconds: 60, times: [], into: empty };
  const spanSeconds = (max - min) / 1000;
  const step = STEPS_SECONDS.find((s) => spanSeconds / s < maxBuckets) ?? Math.ceil(spanSeconds / maxBuckets);
  const first = Math.floor(min / 1000 / step) * step;
  const n = Math.floor((max / 1000 - first) / step) + 1;
  const times = Array.from({ length: n }, (_, i) => first + i * step);
  const into = { OFFLINE: new Array<number>(n).fill(0), ATTACHED: new Array<number>(n).fill(0), ONLINE: new Array<number>(n).fill(0) };
  for (const t of picked) {
    if (!(CONNECTIVITY_STATES as readonly string[]).includes(t.to)) continue;
    const column = into[t.to as Connectivity];
    const i = Math.floor((t.at / 1000 - first) / step);
    column[i] = (column[i] ?? 0) + 1;
  }
  return { bucketSeconds: step, times, into };
}
