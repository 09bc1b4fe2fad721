/**
 * What the WASM decoder's proof compares: its verdict on each line against the full decoder
 * (decodeEventText + classifyEvent + EventColumns.push), row by row with strings resolved
 * through the pool.
 */
import { readFileSync } from 'node:fs';
import { classifyEvent, decodeEventText, EventColumns, StringPool } from '@simfleet/core';
import { POOL_COLUMNS, ROW_COLUMNS } from '@simfleet/core/columns';
import { generateFleetLog } from '@simfleet/testkit';
import { expect } from 'vitest';
import { type DecodedChunk, STATUS_BLANK, STATUS_FALLBACK, STATUS_HELD, STATUS_INVALID, STATUS_ROW, WasmLineDecoder } from '../src/index.js';

export const encoder = new TextEncoder();

/** Simulator lines (FleetSimulator through the record renderer), canonical or messy. */
export function simulatorLines(messy: boolean, events: number, seed: number, devices = 40): string[] {
  let text = '';
  generateFleetLog({ events, devices, seed, messy }, (chunk) => {
    text += chunk;
  });
  return text.split('\n').filter((l) => l !== '');
}

/** core's seed examples: the documentation's example records, one NDJSON line each. */
export function seedLines(): string[] {
  const path = new URL('../../core/test/fixtures/seed-events.ndjson', import.meta.url);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

/** Every row column of one row (core's `ROW_COLUMNS`, so a new column is compared too), strings resolved through the pool. */
export function rowOf(c: EventColumns, row: number): unknown[] {
  return ROW_COLUMNS.map(([name]) => {
    const v = c[name][row] as number;
    return POOL_COLUMNS.includes(name) ? c.pool.get(v) : v;
  });
}

/** The full decoder's verdict on a line: its row, 'blank', 'invalid json' or 'rejected' (for another reason). */
export function fullRow(bytes: Uint8Array): unknown[] | 'blank' | 'invalid json' | 'rejected' {
  let text = Buffer.from(bytes).toString('utf8');
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (text.trim() === '') return 'blank';
  const decoded = decodeEventText(text);
  if (!decoded.ok) return decoded.error.code === 'invalid_json' ? 'invalid json' : 'rejected';
  const columns = new EventColumns(new StringPool(), 1);
  const pushed = columns.push(classifyEvent(decoded.value));
  return pushed.ok ? rowOf(columns, 0) : 'rejected';
}

/** How many lines got each verdict. */
export interface Tally {
  row: number;
  fallback: number;
  invalid: number;
  blank: number;
}

export const tally = (): Tally => ({ row: 0, fallback: 0, invalid: 0, blank: 0 });

/** One line's WASM verdict: its status, and its row when it has one. */
export interface LineVerdict {
  readonly bytes: Uint8Array;
  readonly status: number;
  readonly row: unknown[] | undefined;
}

/**
 * Decodes `input` in pieces of `piece` bytes (all at once by default) and returns each line's
 * verdict, in order. The decoder (and its pools) is the caller's, shared across calls on purpose.
 */
export function decodeAll(decoder: WasmLineDecoder, input: Uint8Array, piece = input.length, final = true): LineVerdict[] {
  const columns = new EventColumns(decoder.pool, 16);
  const out: LineVerdict[] = [];
  const onChunk = (chunk: DecodedChunk): void => {
    const first = columns.length;
    chunk.appendRows(columns, 0, chunk.rows);
    for (let i = 0; i < chunk.lines; i++) {
      const status = chunk.status[i] as number;
      const bytes = chunk.bytes.slice(chunk.start[i], chunk.end[i]);
      out.push({ bytes, status, row: status === STATUS_ROW ? rowOf(columns, first + (chunk.row[i] as number)) : undefined });
    }
    expect(columns.length - first).toBe(chunk.rows);
  };
  if (input.length === 0) decoder.feed(input, final, onChunk);
  for (let at = 0; at < input.length; at += Math.max(1, piece)) {
    const end = Math.min(input.length, at + Math.max(1, piece));
    decoder.feed(input.subarray(at, end), final && end === input.length, onChunk);
  }
  return out;
}

/** Asserts one verdict: a row equals the full decoder's, a blank is blank, invalid JSON is what the full decoder calls invalid JSON. */
export function checkVerdict(v: LineVerdict, t?: Tally): void {
  const expected = fullRow(v.bytes);
  const line = Buffer.from(v.bytes).toString('latin1');
  switch (v.status) {
    case STATUS_ROW:
      if (t) t.row++;
      expect(v.row, line).toEqual(expected);
      return;
    case STATUS_BLANK:
      if (t) t.blank++;
      expect(expected, line).toBe('blank');
      return;
    case STATUS_INVALID:
      if (t) t.invalid++;
      expect(expected, line).toBe('invalid json');
      return;
    case STATUS_FALLBACK:
      if (t) t.fallback++;
      return;
    default:
      expect.unreachable(`status ${v.status} (HELD is only for until / watched endpoint) for ${line}`);
  }
}

/** Decodes one line (with its newline) and checks the verdict. */
export function checkLine(decoder: WasmLineDecoder, bytes: Uint8Array, t?: Tally): LineVerdict {
  const input = new Uint8Array(bytes.length + 1);
  input.set(bytes);
  input[bytes.length] = 0x0a;
  const verdicts = decodeAll(decoder, input);
  // A byte edit may add a newline: every piece is a line of its own, each checked.
  for (const v of verdicts) checkVerdict(v, t);
  return verdicts[0] as LineVerdict;
}

export const newDecoder = (options?: ConstructorParameters<typeof WasmLineDecoder>[1]): WasmLineDecoder => new WasmLineDecoder(new StringPool(), options);

export { STATUS_BLANK, STATUS_FALLBACK, STATUS_HELD, STATUS_INVALID, STATUS_ROW };
