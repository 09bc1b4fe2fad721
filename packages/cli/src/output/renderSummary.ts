import type { FleetSummary } from '@simfleet/core';
import { type ReplayAccount } from '@simfleet/engine';

const TOP = 10;

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
  lines.push(`${summary.totals.endpoints} endpoints in ${summary.totals.organisations} organisations, ${asOf}`, '');
  section(lines, 'By status', summary.byStatus, summary.totals.endpoints, false);
  section(lines, 'By connectivity', summary.byConnectivity, summary.totals.endpoints, false);
  section(lines, 'By operator', summary.byOperator, summary.totals.endpoints, true);
  section(lines, 'By country', summary.byCountry, summary.totals.endpoints, true);
  section(lines, 'By organisation', summary.byOrganisation, summary.totals.endpoints, true);
  lines.push('Records');
  lines.push(`  applied      ${pad(account.applied)}  (${account.eventsWithoutEndpoint} without an endpoint)`);
  lines.push(`  duplicates   ${pad(account.duplicates)}`);
  lines.push(`  rejected     ${pad(account.rejected)}`);
  for (const [reason, count] of Object.entries(account.rejectedByReason)) lines.push(`    ${reason.padEnd(20)} ${pad(count)}`);
  const unknown = Object.entries(account.unknownEventTypes);
  if (unknown.length > 0) {
    lines.push(`  unknown event types (applied, no state change): ${unknown.map(([id, n]) => `${id}×${n}`).join(', ')}`);
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

function section(lines: string[], title: string, counts: Readonly<Record<string, number>>, total: number, topOnly: boolean): void {
  let entries = Object.entries(counts);
  if (topOnly) entries = entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = topOnly ? entries.slice(0, TOP) : entries;
  lines.push(topOnly && entries.length > TOP ? `${title} (top ${TOP} of ${entries.length})` : title);
  for (const [key, count] of shown) {
    const share = total === 0 ? 0 : (100 * count) / total;
    lines.push(`  ${key.padEnd(12)} ${pad(count)}  ${share.toFixed(1).padStart(5)}%`);
  }
  lines.push('');
}

function pad(n: number): string {
  return String(n).padStart(9);
}
