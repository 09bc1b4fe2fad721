import type { FleetSummary } from '@simfleet/core';
import type { ReplayAccount } from '@simfleet/engine';

const TOP = 10;

/** Events after `--until`: counted as rejected (code `after_until`) but not bad records. */
export const AFTER_UNTIL = 'after_until';

/**
 * The human summary of a replay: devices by effective status, connectivity, operator,
 * country and organisation, then what the records came to.
 *
 * @example
 * process.stdout.write(renderSummary(fleet.summary(), account));
 */
export function renderSummary(summary: FleetSummary, account: ReplayAccount): string {
  const lines: string[] = [];
  const asOf = account.asOf === null ? 'no events applied' : `as of ${new Date(account.asOf).toISOString()}`;
  const { endpoints, organisations } = summary.totals;
  lines.push(`${endpoints} endpoints in ${organisations} organisations, ${asOf}`, '');
  section(lines, 'By status (effective: DELETED > SUSPENDED > DISABLED > BLOCKED, else the connectivity state)', summary.byStatus, endpoints);
  section(lines, 'By connectivity', summary.byConnectivity, endpoints);
  section(lines, 'By operator', summary.byOperator, endpoints, { top: TOP, of: 'operators' });
  section(lines, 'By country', summary.byCountry, endpoints, { top: TOP, of: 'countries' });
  // Organisations that only appear in organisation-level events hold no endpoint.
  section(lines, 'By organisation', summary.byOrganisation, endpoints, { top: TOP, of: 'organisations', total: organisations });
  const afterUntil = account.rejectedByReason[AFTER_UNTIL] ?? 0;
  lines.push('Records');
  lines.push(`  applied      ${pad(account.applied)}  (${account.eventsWithoutEndpoint} without an endpoint)`);
  lines.push(`  duplicates   ${pad(account.duplicates)}`);
  lines.push(`  rejected     ${pad(account.rejected - afterUntil)}`);
  for (const [reason, count] of Object.entries(account.rejectedByReason)) {
    if (reason !== AFTER_UNTIL) lines.push(`    ${reason.padEnd(20)} ${pad(count)}`);
  }
  if (afterUntil > 0) lines.push(`  after --until${pad(afterUntil)}  (not applied; in the snapshot's rejected count as ${AFTER_UNTIL})`);
  const unknown = Object.entries(account.unknownEventTypes);
  if (unknown.length > 0) {
    lines.push('', 'Event types not in the catalog (applied and counted, but they change no state):');
    for (const [id, n] of unknown) lines.push(`  type ${id.padEnd(8)} ${pad(n)} ${n === 1 ? 'event' : 'events'}`);
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

interface TopOnly {
  readonly top: number;
  /** What the keys are, for the title ("top 10 of 11 operators"). */
  readonly of: string;
  /** How many there are in all, when more exist than have endpoints. */
  readonly total?: number;
}

function section(lines: string[], title: string, counts: Readonly<Record<string, number>>, endpoints: number, topOnly?: TopOnly): void {
  let entries = Object.entries(counts);
  if (topOnly !== undefined) entries = entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = topOnly === undefined ? entries : entries.slice(0, topOnly.top);
  const total = Math.max(topOnly?.total ?? 0, entries.length);
  if (topOnly === undefined || shown.length === total) lines.push(title);
  else {
    const without = total - entries.length;
    const note = without > 0 ? `; ${without} without endpoints` : '';
    lines.push(`${title} (top ${shown.length} of ${total} ${topOnly.of}${note})`);
  }
  for (const [key, count] of shown) {
    const share = endpoints === 0 ? 0 : (100 * count) / endpoints;
    lines.push(`  ${key.padEnd(12)} ${pad(count)}  ${share.toFixed(1).padStart(5)}%`);
  }
  lines.push('');
}

function pad(n: number): string {
  return String(n).padStart(9);
}
