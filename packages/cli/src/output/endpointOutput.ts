import { endpointJson, endpointJsonText, type EndpointState, type FleetStore, formatTimestamp, initialEndpointState } from '@simfleet/core';
import { UsageError } from '../cliIo.js';
import { type EndpointFilter, matchesFilter } from './endpointFilter.js';

/** `replay --format`: the snapshot (`json`, the contract) or one row per endpoint. */
export const OUTPUT_FORMATS = ['json', 'ndjson', 'csv', 'table'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Endpoint rows of these formats; `json` is the snapshot, written by the engine. */
export type EndpointRowFormat = Exclude<OutputFormat, 'json'>;

/**
 * The `--format` value, checked.
 *
 * @example
 * parseOutputFormat('csv'); // 'csv'
 */
export function parseOutputFormat(text: string): OutputFormat {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(text)) {
    throw new UsageError(`--format expects one of ${OUTPUT_FORMATS.join(', ')}, got '${text}'`);
  }
  return text as OutputFormat;
}

/** CSV columns: the snapshot's endpoint fields, the operator object spread into four. */
const CSV_COLUMNS = Object.keys(endpointJson(initialEndpointState(0))).flatMap((key) =>
  key === 'operator' ? ['operatorName', 'operatorMcc', 'operatorMnc', 'operatorCountry'] : [key],
);

/** Rows are gathered into chunks of about this many characters before they are written. */
const CHUNK_CHARS = 1 << 16;

/**
 * The endpoints, in endpoint id order, that pass the filter, as text chunks of the format:
 * `ndjson` (each line exactly a snapshot `endpoints[]` entry), `csv` (RFC 4180, a header
 * row, empty cells for nulls) or `table` (aligned columns for a terminal).
 *
 * @example
 * for (const chunk of endpointRows(fleet, 'csv', undefined)) process.stdout.write(chunk);
 */
export function* endpointRows(fleet: FleetStore, format: EndpointRowFormat, filter: EndpointFilter | undefined): Generator<string> {
  const ids = Float64Array.from(fleet.endpointIds()).sort();
  let chunk = format === 'csv' ? `${CSV_COLUMNS.join(',')}\n` : format === 'table' ? `${tableRow(TABLE_HEADER)}\n` : '';
  for (const id of ids) {
    const state = fleet.readEndpoint(id);
    if (state === undefined || (filter !== undefined && !matchesFilter(state, filter))) continue;
    chunk += `${format === 'ndjson' ? endpointJsonText(state) : format === 'csv' ? csvRow(state) : tableRow(tableCells(state))}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

function csvRow(state: EndpointState): string {
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(endpointJson(state))) {
    if (key !== 'operator') values.push(value);
    else {
      const op = state.operator;
      values.push(op?.name ?? null, op?.mcc ?? null, op?.mnc ?? null, op?.country ?? null);
    }
  }
  return values.map(csvCell).join(',');
}

/** One CSV cell: nulls empty, quoted when it holds a comma, quote or line break. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const TABLE_HEADER = ['ENDPOINT', 'STATUS', 'CONNECTIVITY', 'SINCE', 'ORGANISATION', 'OPERATOR', 'COUNTRY'];
/** Fixed widths: rows are written as they are made, so a million endpoints never sit in memory as cells. */
const TABLE_WIDTHS = [12, 10, 12, 24, 12, 20, 0];

function tableCells(s: EndpointState): string[] {
  return [
    String(s.endpointId),
    s.status,
    s.connectivity,
    s.since === null ? '-' : formatTimestamp(s.since),
    s.organisationId === null ? '-' : String(s.organisationId),
    s.operator?.name ?? '-',
    s.operator?.country ?? '-',
  ];
}

function tableRow(cells: readonly string[]): string {
  return cells
    .map((cell, i) => cell.padEnd(TABLE_WIDTHS[i] ?? 0))
    .join(' ')
    .trimEnd();
}
