import { type EndpointState, formatTimestamp } from '@simfleet/core';

/** The CSV export's columns, in order (the header row). */
export const CSV_COLUMNS = [
  'endpointId',
  'status',
  'connectivity',
  'since',
  'stale',
  'operator',
  'country',
  'organisationId',
  'iccid',
  'imsi',
  'imei',
  'name',
  'ipAddress',
  'simStatus',
  'endpointStatus',
  'blocked',
  'lastEventId',
  'lastEventAt',
] as const;

/** RFC 4180 quoting: only fields that need it, quotes doubled. */
function field(value: string | number | bigint | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const time = (ms: number | null): string | null => (ms === null ? null : formatTimestamp(ms));

/**
 * One endpoint as a CSV line (CRLF-terminated, as RFC 4180 has it).
 *
 * @example
 * endpointCsvLine(state, false) // '11089066,ONLINE,ONLINE,2021-10-27T08:38:02.000Z,false,Telekom,de,77,…\r\n'
 */
export function endpointCsvLine(s: EndpointState, stale: boolean): string {
  const values = [
    s.endpointId,
    s.status,
    s.connectivity,
    time(s.since),
    stale,
    s.operator?.name ?? null,
    s.operator?.country ?? null,
    s.organisationId,
    s.iccid,
    s.imsi,
    s.imei,
    s.name,
    s.ipAddress,
    s.simStatus,
    s.endpointStatus,
    s.blocked,
    s.lastEventId,
    time(s.lastEventAt),
  ];
  return `${values.map(field).join(',')}\r\n`;
}

/** The header line. */
export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\r\n`;
