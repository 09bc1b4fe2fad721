import { CONNECTIVITY_STATES, ENDPOINT_STATUSES, type EndpointState } from '@simfleet/core';
import { type EndpointQuery, type EndpointSelection, endpointQueryString, PAGE_SIZES, type SortKey } from './endpointQuery.js';
import type { FleetCounts } from './FleetReader.js';
import { html, type SafeHtml } from './html.js';
import { badge, count, DASHBOARD, page, timeTag } from './layout.js';

export interface EndpointsTableInput {
  readonly query: EndpointQuery;
  readonly selection: EndpointSelection;
  /** For the filter choices (operators, countries, organisations that exist). */
  readonly summary: FleetCounts;
  readonly isStale: (endpointId: number) => boolean;
  /** Where the rows come from (`FleetReader.source`). */
  readonly source: string;
}

const COLUMNS: readonly { readonly key: SortKey | null; readonly label: string }[] = [
  { key: 'id', label: 'Endpoint · name' },
  { key: 'status', label: 'Status' },
  { key: 'connectivity', label: 'Connectivity' },
  { key: 'since', label: 'Since (UTC)' },
  { key: 'operator', label: 'Operator' },
  { key: 'country', label: 'Country' },
  { key: 'organisation', label: 'Organisation' },
  { key: null, label: 'ICCID' },
  { key: null, label: 'IMEI' },
  { key: 'lastEvent', label: 'Last event (UTC)' },
];

const url = (query: EndpointQuery, change: Partial<EndpointQuery> = {}): string => {
  const search = endpointQueryString(query, change);
  return `${DASHBOARD}/endpoints${search === '' ? '' : `?${search}`}`;
};

function select(name: string, label: string, selected: string, values: readonly string[], show: (v: string) => string = (v) => v): SafeHtml {
  return html`<div class="field"><label for="f-${name}">${label}</label>
<select id="f-${name}" name="${name}"><option value="">Any</option>${values.map((v) => html`<option value="${v}"${v === selected ? html` selected` : ''}>${show(v)}</option>`)}</select></div>`;
}

function headerCell(query: EndpointQuery, column: { readonly key: SortKey | null; readonly label: string }): SafeHtml {
  if (column.key === null) return html`<th scope="col">${column.label}</th>`;
  const active = query.sort === column.key;
  const nextDescending = active && !query.descending;
  const sort = active ? html` aria-sort="${query.descending ? 'descending' : 'ascending'}"` : '';
  const arrow = active ? (query.descending ? ' ▼' : ' ▲') : '';
  const hint = `sort by ${column.label.replace(' (UTC)', '').toLowerCase()}, ${nextDescending ? 'descending' : 'ascending'}`;
  return html`<th scope="col"${sort}><a href="${url(query, { sort: column.key, descending: nextDescending, page: 1 })}" aria-label="${column.label}: ${hint}">${column.label}${arrow}</a></th>`;
}

function row(state: EndpointState, stale: boolean): SafeHtml {
  return html`<tr>
<th scope="row"><a href="${DASHBOARD}/endpoints/${state.endpointId}">${state.endpointId}</a>${state.name === null || state.name === '' ? '' : html`<span class="ep-name">${state.name}</span>`}</th>
<td>${badge(state.status)}${stale ? html` ${badge('STALE')}` : ''}</td>
<td>${badge(state.connectivity)}</td>
<td>${timeTag(state.since, false)}</td>
<td>${state.operator?.name ?? '—'}</td>
<td>${state.operator?.country?.toUpperCase() ?? '—'}</td>
<td>${state.organisationId ?? '—'}</td>
<td class="mono">${state.iccid ?? '—'}</td>
<td class="mono">${state.imei ?? '—'}</td>
<td>${timeTag(state.lastEventAt, false)}</td>
</tr>`;
}

/**
 * `GET /dashboard/endpoints`: the filter form (a plain GET form, so every filter lives in
 * the URL and works without the script), the CSV link for the same set, the sortable table
 * and server-side pages.
 *
 * @example
 * endpointsTablePage({ query, selection: selectEndpoints(rows, query), summary, isStale })
 */
export function endpointsTablePage(input: EndpointsTableInput): string {
  const { query, selection, summary } = input;
  const csvSearch = endpointQueryString(query, { page: 1, per: 50, sort: 'id', descending: false });
  const first = selection.matched === 0 ? 0 : (selection.page - 1) * query.per + 1;
  const last = (selection.page - 1) * query.per + selection.items.length;
  const main = html`<h1>Endpoints</h1>
<form method="get" action="${DASHBOARD}/endpoints" class="filters" role="search" aria-label="Filter endpoints">
  ${select('status', 'Status', query.statuses.join(','), ENDPOINT_STATUSES)}
  ${select('connectivity', 'Connectivity', query.connectivity.join(','), CONNECTIVITY_STATES)}
  ${select('operator', 'Operator', query.operator, Object.keys(summary.byOperator))}
  ${select('country', 'Country', query.country, Object.keys(summary.byCountry), (c) => (c === 'unknown' ? c : c.toUpperCase()))}
  <div class="field"><label for="f-organisation">Organisation</label>
  <input id="f-organisation" name="organisation" list="organisations" inputmode="numeric" value="${query.organisation}" autocomplete="off">
  <datalist id="organisations">${Object.keys(summary.byOrganisation).map((o) => html`<option value="${o}"></option>`)}</datalist></div>
  <div class="field wide"><label for="f-q">Search id, ICCID, IMSI, IMEI, name</label>
  <input id="f-q" name="q" type="search" value="${query.text}" autocomplete="off"></div>
  ${select('per', 'Per page', String(query.per), PAGE_SIZES.map(String))}
  ${query.sort === 'id' ? '' : html`<input type="hidden" name="sort" value="${query.sort}">`}
  ${query.descending ? html`<input type="hidden" name="dir" value="desc">` : ''}
  <div class="actions"><button type="submit">Apply filters</button> <a href="${DASHBOARD}/endpoints">Clear</a></div>
</form>
<div id="results" data-live-region>
<p class="result-line" role="status"><strong data-matched="${selection.matched}">${count(selection.matched)}</strong> endpoints match${selection.matched === 0 ? '' : html`, showing ${count(first)}–${count(last)}`}.
 <a href="${DASHBOARD}/endpoints.csv${csvSearch === '' ? '' : `?${csvSearch}`}" download>Download CSV of all ${count(selection.matched)}</a></p>
<div class="table-scroll" tabindex="0" role="region" aria-label="Endpoints, page ${selection.page} of ${selection.pages}">
<table class="endpoints">
<thead><tr>${COLUMNS.map((c) => headerCell(query, c))}</tr></thead>
<tbody>${selection.items.map((s) => row(s, input.isStale(s.endpointId)))}</tbody>
</table>
</div>
<nav class="pager" aria-label="Pages">
  ${selection.page > 1 ? html`<a href="${url(query, { page: selection.page - 1 })}" rel="prev">← Previous</a>` : html`<span aria-disabled="true">← Previous</span>`}
  <span>Page ${count(selection.page)} of ${count(selection.pages)}</span>
  ${selection.page < selection.pages ? html`<a href="${url(query, { page: selection.page + 1 })}" rel="next">Next →</a>` : html`<span aria-disabled="true">Next →</span>`}
</nav>
</div>`;
  return page({ title: 'Endpoints', current: 'endpoints', signedIn: true, live: '', source: input.source }, main);
}
