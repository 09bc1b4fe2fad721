import { endpointJsonText, type FleetStore, formatTimestamp, stringifyJson } from '@simfleet/core';
import type { ReplayAccount } from './ReplaySession.js';

/** The snapshot contract's schema id (docs/snapshot.md, schema/snapshot-v1.schema.json). */
export const SNAPSHOT_SCHEMA = 'simfleet/snapshot@1';

const CHUNK_CHARS = 1 << 20;

/**
 * The snapshot as text chunks: one endpoint per line so that large fleets stream out
 * without one giant string, and diffs of two snapshots read line by line.
 * Same fleet and account, same bytes.
 *
 * @example
 * await pipeline(Readable.from(snapshotChunks(fleet, account)), createWriteStream('fleet.json'));
 */
export function* snapshotChunks(fleet: FleetStore, account: ReplayAccount): Generator<string> {
  const header = {
    schema: SNAPSHOT_SCHEMA,
    asOf: account.asOf === null ? null : formatTimestamp(account.asOf),
    counts: { records: account.records, applied: account.applied, duplicates: account.duplicates, rejected: account.rejected },
    report: {
      rejectedByReason: account.rejectedByReason,
      unknownEventTypes: account.unknownEventTypes,
      eventsWithoutEndpoint: account.eventsWithoutEndpoint,
      blockedOrganisations: blockedOrganisations(fleet),
    },
  };
  let chunk = '{\n';
  for (const [key, value] of Object.entries(header)) chunk += `  ${JSON.stringify(key)}: ${stringifyJson(value)},\n`;
  chunk += '  "endpoints": [';
  const ids = fleet.endpointIds();
  for (let i = 0; i < ids.length; i++) {
    const state = fleet.readEndpoint(ids[i]!);
    if (state === undefined) continue;
    chunk += `${i === 0 ? '' : ','}\n    ${endpointJsonText(state)}`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  chunk += ids.length === 0 ? ']\n}\n' : '\n  ]\n}\n';
  yield chunk;
}

function blockedOrganisations(fleet: FleetStore): number[] {
  return [...fleet.organisationIndexById.keys()].filter((id) => fleet.organisationBlocked(id)).sort((a, b) => a - b);
}
