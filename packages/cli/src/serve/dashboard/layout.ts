import { formatTimestamp } from '@simfleet/core';
import { html, type SafeHtml } from './html.js';

/** Where the dashboard's pages live (besides the overview at `/`). */
export const DASHBOARD = '/dashboard';

export interface PageOptions {
  readonly title: string;
  /** Which navigation entry is the current page. */
  readonly current?: 'overview' | 'endpoints';
  /** Signed-in pages show the navigation, the live state and sign-out. */
  readonly signedIn: boolean;
  /** The SSE filter for live updates (`endpoint=ID` on a device page). */
  readonly live?: string;
  /** Where the page's fleet data was read from, said under the header. */
  readonly source?: string;
}

/**
 * The page shell: a skip link, the site header with navigation, the live-connection state
 * and sign-out, then `main`. Styles and the script are files of the server (CSP `'self'`).
 *
 * @example
 * page({ title: 'Fleet overview', current: 'overview', signedIn: true }, html`<h1>…</h1>`)
 */
export function page(options: PageOptions, main: SafeHtml): string {
  const nav = (name: 'overview' | 'endpoints', href: string, label: string): SafeHtml =>
    html`<li><a href="${href}"${options.current === name ? html` aria-current="page"` : ''}>${label}</a></li>`;
  const header = options.signedIn
    ? html`<nav aria-label="Dashboard"><ul>${nav('overview', '/', 'Overview')}${nav('endpoints', `${DASHBOARD}/endpoints`, 'Endpoints')}</ul></nav>
  <p id="live-state" class="live-state" data-state="connecting"><span class="live-dot" aria-hidden="true"></span> <span class="live-text" role="status">Live updates: connecting…</span><span class="live-count"></span></p>
  <form method="post" action="${DASHBOARD}/sign-out" class="sign-out"><button type="submit">Sign out</button></form>`
    : '';
  return `<!doctype html>\n${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · simfleet</title>
<link rel="stylesheet" href="${DASHBOARD}/assets/uPlot.min.css">
<link rel="stylesheet" href="${DASHBOARD}/assets/app.css">
<script src="${DASHBOARD}/assets/uPlot.iife.min.js" defer></script>
<script src="${DASHBOARD}/assets/app.js" defer></script>
</head>
<body${options.live === undefined ? '' : html` data-live="${options.live}"`}>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
  <p class="brand"><a href="/">simfleet</a></p>
  ${header}
</header>
<main id="main" tabindex="-1">
${options.source === undefined ? '' : html`<p class="data-source">Read from ${options.source}</p>`}
${main}
</main>
</body>
</html>`.text
  }\n`;
}

/**
 * A time as `<time>`: ISO-8601 UTC for machines, the same without milliseconds for people
 * (`zone` false where a column header already says UTC).
 *
 * @example
 * timeTag(Date.UTC(2021, 9, 27, 8, 38, 2)).text // '<time datetime="2021-10-27T08:38:02.000Z">2021-10-27 08:38:02 UTC</time>'
 */
export function timeTag(ms: number | null, zone = true): SafeHtml {
  if (ms === null) return html`<span class="none">—</span>`;
  const iso = formatTimestamp(ms);
  return html`<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 19)}${zone ? ' UTC' : ''}</time>`;
}

/** A symbol per status, so status reads without colour (and survives greyscale). */
const STATUS_SYMBOL: Record<string, string> = {
  ONLINE: '●',
  ATTACHED: '◐',
  OFFLINE: '○',
  BLOCKED: '⊘',
  DISABLED: '⊖',
  SUSPENDED: '‖',
  DELETED: '✕',
  ACTIVE: '●',
  STALE: '◌',
};

/**
 * A status or connectivity state as a badge: symbol, word and colour (never colour alone).
 *
 * @example
 * badge('OFFLINE').text // '<span class="badge s-OFFLINE"><span aria-hidden="true">○</span> OFFLINE</span>'
 */
export function badge(state: string): SafeHtml {
  return html`<span class="badge s-${state}"><span aria-hidden="true">${STATUS_SYMBOL[state] ?? '◇'}</span> ${state}</span>`;
}

/** Integers with thousands separators (`12 345`), the same on every locale. */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}
