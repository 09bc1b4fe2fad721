import { CONNECTIVITY_STATES, ENDPOINT_STATUSES } from '@simfleet/core';
import type { FleetTransition } from '@simfleet/stream';
import { changeCause, eventTypeCell } from './devicePage.js';
import type { ChartView, FleetCounts } from './FleetReader.js';
import { html, jsonInScript, type SafeHtml } from './html.js';
import { badge, count, DASHBOARD, page, timeTag } from './layout.js';

export interface OverviewInput {
  readonly summary: FleetCounts;
  /** Newest event time applied, ms; null before the first. */
  readonly eventTime: number | null;
  readonly stale: number;
  readonly chart: ChartView;
  /** The most recent transitions, newest first. */
  readonly recent: readonly FleetTransition[];
  /** The catalog type id of an event, when known. */
  readonly eventTypeOf: (eventId: bigint) => number | undefined;
  /** Where the numbers come from (`FleetReader.source`). */
  readonly source: string;
  /** Ends "No transitions …" when `recent` is empty (`FleetReader.noRecent`). */
  readonly noRecent: string;
}

/** How many rows each breakdown shows before "and N more". */
const BREAKDOWN_ROWS = 10;
/** How many recent transitions the overview lists. */
export const RECENT_ROWS = 25;

const endpointsLink = (filter: string): string => `${DASHBOARD}/endpoints?${filter}`;

function countCards(
  caption: string,
  id: string,
  kind: 'status' | 'connectivity',
  names: readonly string[],
  counts: Readonly<Record<string, number>>,
): SafeHtml {
  return html`<section aria-labelledby="${id}-h" class="counts" id="${id}" data-live-region>
  <h2 id="${id}-h">${caption}</h2>
  <ul class="cards">${names.map(
    (name) =>
      html`<li><a href="${endpointsLink(`${kind}=${name}`)}" data-count="${kind}:${name}"><span class="card-label">${badge(name)}</span> <span class="card-value">${count(counts[name] ?? 0)}</span></a></li>`,
  )}</ul>
</section>`;
}

function breakdown(
  caption: string,
  column: string,
  id: string,
  param: string,
  counts: Readonly<Record<string, number>>,
  label: (key: string) => string,
): SafeHtml {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = rows.slice(0, BREAKDOWN_ROWS);
  const rest = rows.length - shown.length;
  return html`<section aria-labelledby="${id}-h" class="breakdown" id="${id}" data-live-region>
  <h2 id="${id}-h">${caption}</h2>
  <table>
    <thead><tr><th scope="col">${column}</th><th scope="col" class="num">Endpoints</th></tr></thead>
    <tbody>${shown.map(([key, n]) => html`<tr><th scope="row"><a href="${endpointsLink(`${param}=${encodeURIComponent(key)}`)}">${label(key)}</a></th><td class="num">${count(n)}</td></tr>`)}</tbody>
  </table>
  ${rest > 0 ? html`<p class="more">and ${count(rest)} more</p>` : ''}
</section>`;
}

/**
 * One transition as a table row: time, endpoint (a link to its page), region, change, and
 * the event (its type's catalog name when known, and its id).
 *
 * @example
 * transitionRow(t, 1) // <tr><td><time …></td><td><a href="/dashboard/endpoints/11089066">11089066</a></td>…<td class="event">Update location #…
 */
export function transitionRow(t: FleetTransition, typeId?: number): SafeHtml {
  const cause = changeCause(t, typeId);
  return html`<tr><td>${timeTag(t.at)}</td><td><a href="${DASHBOARD}/endpoints/${t.endpointId}">${t.endpointId}</a></td><td>${t.region}</td><td class="change">${badge(t.from)} <span aria-label="to">→</span> ${badge(t.to)}</td><td class="event">${eventTypeCell(cause)} <span class="mono">#${String(t.eventId)}</span></td></tr>`;
}

/**
 * `GET /`: counts by status and connectivity (the numbers of `/fleet/summary`), breakdowns
 * by operator, country and organisation, the connectivity chart and recent transitions.
 * Sections marked `data-live-region` are what the script swaps on live updates.
 *
 * @example
 * overviewPage({ summary: store.summary(), eventTime, stale: 0, chart, recent, eventTypeOf: (id) => ring.eventTypeOf(id), source: reader.source, noRecent: reader.noRecent })
 */
export function overviewPage(input: OverviewInput): string {
  const { summary, recent } = input;
  const chart = input.chart.data;
  const main = html`<h1>Fleet overview</h1>
<section id="totals" data-live-region aria-label="Totals">
  <p class="totals"><strong data-count="total">${count(summary.totals.endpoints)}</strong> endpoints in <strong>${count(summary.totals.organisations)}</strong> organisations · ${count(input.stale)} stale · events up to ${timeTag(input.eventTime)}</p>
</section>
${countCards('By status', 'by-status', 'status', ENDPOINT_STATUSES, summary.byStatus)}
${countCards('By connectivity', 'by-connectivity', 'connectivity', CONNECTIVITY_STATES, summary.byConnectivity)}
<div class="breakdowns">
${breakdown('By operator', 'Operator', 'by-operator', 'operator', summary.byOperator, (k) => k)}
${breakdown('By country', 'Country', 'by-country', 'country', summary.byCountry, (k) => (k === 'unknown' ? k : k.toUpperCase()))}
${breakdown('By organisation', 'Organisation', 'by-organisation', 'organisation', summary.byOrganisation, (k) => k)}
</div>
<section aria-labelledby="chart-h" id="chart-section" data-live-region>
  <h2 id="chart-h">Connectivity changes over time</h2>
  <figure class="chart">
    <div id="chart" class="chart-canvas" role="img" aria-label="Connectivity changes per ${chart.bucketSeconds} seconds of event time, by state entered"></div>
    <figcaption>Changes into each connectivity state per ${chart.bucketSeconds >= 60 ? `${chart.bucketSeconds / 60} min` : `${chart.bucketSeconds} s`} of event time, from ${input.chart.covers}.</figcaption>
  </figure>
  <script type="application/json" id="chart-data">${jsonInScript(chart)}</script>
</section>
<section aria-labelledby="recent-h" id="recent" data-live-region>
  <h2 id="recent-h">Recent transitions</h2>
  ${
    recent.length === 0
      ? html`<p class="none">No transitions ${input.noRecent}.</p>`
      : html`<div class="table-scroll" tabindex="0" role="region" aria-labelledby="recent-h"><table class="transitions">
    <thead><tr><th scope="col">At (event time)</th><th scope="col">Endpoint</th><th scope="col">Region</th><th scope="col">Change</th><th scope="col">Event</th></tr></thead>
    <tbody>${recent.map((t) => transitionRow(t, input.eventTypeOf(t.eventId)))}</tbody>
  </table></div>`
  }
</section>`;
  return page({ title: 'Fleet overview', current: 'overview', signedIn: true, live: '', source: input.source }, main);
}
