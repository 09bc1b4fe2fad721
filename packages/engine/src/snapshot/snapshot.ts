import { ENDPOINT_LINE_ROOM, EndpointLineWriter, endpointJsonText, type FleetStore, formatTimestamp, stringifyJson } from '@simfleet/core';
import type { ReplayAccount } from '../replay/ReplaySession.js';

/** The snapshot contract's schema id (docs/snapshot.md, schema/snapshot-v1.schema.json). */
export const SNAPSHOT_SCHEMA = 'simfleet/snapshot@1';

/** Bytes of a snapshot chunk (a line longer than this gets a chunk of its own size). */
const CHUNK_BYTES = 1 << 20;
/** What starts each endpoint's line (after the comma that ends the one before). */
const SEPARATOR = Buffer.from('\n    ');

/**
 * The snapshot as byte chunks of whole lines: one endpoint per line so that large fleets
 * stream out without one giant string, and diffs of two snapshots read line by line.
 * Each line is encoded into the chunk as soon as it is made, so it dies young: building
 * one long string of lines kept every piece alive until the chunk was written, and the
 * young-generation GC copying them cost more than making them (~10 µs an endpoint).
 * Same fleet and account, same bytes.
 *
 * @example
 * await pipeline(Readable.from(snapshotChunks(fleet, account)), createWriteStream('fleet.json'));
 */
export function* snapshotChunks(fleet: FleetStore, account: ReplayAccount): Generator<Buffer> {
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
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  const put = (text: string): Buffer | undefined => {
    let full: Buffer | undefined;
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    if (used + text.length * 3 > chunk.length) {
      full = chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, text.length * 3));
      used = 0;
    }
    used += chunk.write(text, used);
    return full;
  };
  let head = '{\n';
  for (const [key, value] of Object.entries(header)) head += `  ${JSON.stringify(key)}: ${stringifyJson(value)},\n`;
  head += '  "endpoints": [';
  const first = put(head);
  if (first !== undefined) yield first;
  const ids = fleet.endpointIds();
  // Lines are written as bytes from the device records (EndpointLineWriter: the same bytes as
  // endpointJsonText); a device with a string too long for that path takes the text path.
  const lines = new EndpointLineWriter(fleet);
  for (let i = 0; i < ids.length; i++) {
    const d = fleet.findDevice(ids[i]!);
    if (d < 0) continue;
    if (chunk.length - used < ENDPOINT_LINE_ROOM + 8) {
      yield chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      used = 0;
    }
    const start = used;
    if (i > 0) chunk[used++] = 0x2c; // ,
    used += SEPARATOR.copy(chunk, used);
    const end = lines.write(d, chunk, used);
    if (end >= 0) {
      used = end;
      continue;
    }
    used = start;
    const full = put(`${i === 0 ? '' : ','}\n    ${endpointJsonText(fleet.readDevice(d))}`);
    if (full !== undefined) yield full;
  }
  const last = put(ids.length === 0 ? ']\n}\n' : '\n  ]\n}\n');
  if (last !== undefined) yield last;
  yield chunk.subarray(0, used);
}

function blockedOrganisations(fleet: FleetStore): number[] {
  return [...fleet.organisationIndexById.keys()].filter((id) => fleet.organisationBlocked(id)).sort((a, b) => a - b);
}
