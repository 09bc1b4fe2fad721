/** Shared helpers for the decoder tests: fixtures, a base record, result unwrapping. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DecodeError, DecodeResult } from '../../src/decode/DecodeError.js';
import type { EmnifyEvent } from '../../src/model/event.js';

export const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** One example event of emnify's event-type documentation: a line of the fixture. */
export interface SeedRecord {
  /** 1-based line in `seed-events.ndjson`. */
  readonly line: number;
  /** The record, one line of NDJSON. */
  readonly text: string;
}

/**
 * The example events of emnify's event-type documentation, in its order, as NDJSON
 * (`test/fixtures/seed-events.ndjson`; `examples/data/seed-events.ndjson` is built from it).
 */
export function seedExamples(): SeedRecord[] {
  return readFileSync(`${fixturesDir}seed-events.ndjson`, 'utf8')
    .split('\n')
    .flatMap((text, i) => (text === '' ? [] : [{ line: i + 1, text }]));
}

/**
 * A record as the documentation prints it: two-space indented over lines, its strings'
 * line breaks raw — invalid JSON where a string holds one (the Update location example).
 * The seed ids are below 2^53, so `JSON.parse` keeps them.
 */
export function printedWithRawBreaks(text: string): string {
  return JSON.stringify(JSON.parse(text), null, 2).replaceAll('\\n', '\n');
}

/** The value of an ok result; fails the test with the decode error otherwise. */
export function ok<T>(result: DecodeResult<T>): T {
  if (!result.ok) throw new Error(`expected a decoded value, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The error of a failed result; fails the test if it decoded. */
export function err<T>(result: DecodeResult<T>): DecodeError {
  if (result.ok) throw new Error(`expected a decode error, got a value: ${String(result.value)}`);
  return result.error;
}

export type Rec = Record<string, unknown>;

/**
 * A valid network record (modelled on the seed's accepted Create PDP Context, with
 * its own ids) that the variant tests change one shape at a time.
 */
export function baseRecord(typeId: number): Rec {
  return {
    timestamp: '2021-10-27T08:38:02.000Z',
    alert: false,
    description: 'New PDP Context successfully activated with SGSN CP=213.181.61.176, DP=213.181.61.176.',
    id: 500000000000001,
    event_type: { id: typeId, description: 'Event type name' },
    event_source: { id: 0, description: 'Network' },
    event_severity: { id: 0, description: 'Info' },
    organisation: { id: 12033, name: 'Test Org' },
    endpoint: { id: 11089066, imei: '8693700220003770', ip_address: '100.102.41.209', name: 'Test Sim 2', tags: null },
    sim: { iccid: '8988303000005733850', id: 3577707, production_date: '2020-12-23T13:02:11.000Z' },
    imsi: { id: 10770316, import_date: '2020-12-23T13:02:11.000Z', imsi: '295090004145444' },
    detail: {
      country: { country_code: '49', mcc: '262', name: 'Germany', iso_code: 'de', id: 74 },
      name: 'Vodafone',
      pdp_context: {
        rat_type: 6,
        mcc: '262',
        mnc: '02',
        apn: 'em',
        gtp_version: 1,
        ue_ip_address: '100.112.45.209',
        tunnel_created: '2021-10-27T08:38:02',
        imsi: '295090004145444',
        rac: null,
        sac: null,
      },
      id: 3,
    },
  };
}

/** The record as NDJSON text. */
export function text(record: Rec): string {
  return JSON.stringify(record);
}

export type { EmnifyEvent };
