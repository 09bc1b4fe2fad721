import { CONNECTIVITY_STATES, ENDPOINT_STATUSES, type EndpointState, REJECTION_REASON_CODES } from '@simfleet/core';
import fc from 'fast-check';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { copyChunks } from '../src/copyText.js';
import { ENDPOINT_COLUMNS, endpointCopyBinary, endpointCopyLine } from '../src/endpointRows.js';
import { migrate } from '../src/migrations.js';
import { freshDatabase } from '../src/testing/freshDatabase.js';

let client: pg.Client;
/** 0001-01-01T00:00:00.000Z. */
const YEAR_1_MS = -62135596800000;

beforeAll(async () => {
  client = new pg.Client({ connectionString: await freshDatabase(inject('pgUrl'), 'endpoint_rows') });
  await client.connect();
  await migrate(client, 'simfleet');
});
afterAll(async () => {
  await client.end();
});

async function copy(sql: string, chunks: Iterable<string | Buffer>): Promise<number> {
  const stream = client.query(copyFrom(sql));
  await pipeline(Readable.from(chunks, { objectMode: false }), stream);
  return stream.rowCount;
}

/** Strings as events may spell them: COPY text's escapes, non-ASCII, lone surrogates, the empty string. */
const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', '\\N', 'a\tb', 'line\nbreak\r', 'back\\slash', 'Ünïcödé 🚀', '\ud800 lone', '8988303000005733850'),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);
const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null });
/** Integers as numbers, beyond 2^53 too (their text is JavaScript's shortest decimal). */
const bigintNumber = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 31 }),
  fc.maxSafeInteger(),
  fc
    .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
    .map((v) => Number(v))
    .filter((v) => Math.abs(v) < 9.2e18),
);
/**
 * Whole milliseconds in years 0001–9999 (the decoder's four-digit years; the server takes
 * no year 0000 in text), and around the binary epoch.
 */
const instant = fc.oneof(
  fc.integer({ min: YEAR_1_MS, max: 253402300799999 }),
  fc.integer({ min: 946684800000 - 1000, max: 946684800000 + 1000 }),
  fc.constantFrom(YEAR_1_MS, 253402300799999, 0, 1635323882000),
);

const endpointState: fc.Arbitrary<EndpointState> = fc.record({
  endpointId: bigintNumber,
  status: fc.constantFrom(...ENDPOINT_STATUSES),
  connectivity: fc.constantFrom(...CONNECTIVITY_STATES),
  since: nullable(instant),
  simStatus: fc.constantFrom('ISSUED', 'ACTIVATED', 'SUSPENDED', 'FACTORY_TEST', 'DELETED', null),
  endpointStatus: fc.constantFrom('ENABLED', 'DISABLED', null),
  blocked: fc.boolean(),
  dataQuota: fc.constantFrom('NONE', 'ACTIVE', 'EXHAUSTED', 'EXPIRED', null),
  dataQuotaThresholdReached: fc.boolean(),
  smsQuota: fc.constantFrom('NONE', 'ACTIVE', 'EXHAUSTED', null),
  smsQuotaThresholdReached: fc.boolean(),
  organisationId: nullable(bigintNumber),
  simId: nullable(bigintNumber),
  iccid: nullable(text),
  imsi: nullable(text),
  imei: nullable(text),
  ipAddress: nullable(text),
  name: nullable(fc.oneof(text, fc.string({ minLength: 300, maxLength: 3000 }))),
  operator: nullable(fc.record({ name: nullable(text), mcc: nullable(text), mnc: nullable(text), country: nullable(text) })),
  ratType: nullable(fc.integer({ min: -2147483648, max: 2147483647 })),
  apn: nullable(text),
  lastEventId: nullable(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
  lastEventAt: nullable(instant),
  attaches: fc.nat(),
  sessions: fc.nat(),
  rejections: fc.nat(),
  lastRejectionReason: fc.constantFrom(null, ...REJECTION_REASON_CODES),
});

describe('endpoint COPY rows', () => {
  it('binary rows are the rows of the COPY text lines, value for value, as the server stores them', async () => {
    const columns = ENDPOINT_COLUMNS.join(', ');
    await fc.assert(
      // One row per endpoint id (the primary key), as the writers hand them.
      fc.asyncProperty(fc.uniqueArray(endpointState, { minLength: 1, maxLength: 40, selector: (s) => s.endpointId }), async (rows) => {
        await client.query('BEGIN');
        try {
          await client.query(`CREATE TEMP TABLE from_text (LIKE simfleet.endpoints) ON COMMIT DROP`);
          await client.query(`CREATE TEMP TABLE from_binary (LIKE simfleet.endpoints) ON COMMIT DROP`);
          await copy(
            `COPY from_text (${columns}) FROM STDIN`,
            copyChunks(rows.length, (i) => endpointCopyLine(rows[i]!)),
          );
          expect(
            await copy(
              `COPY from_binary (${columns}) FROM STDIN (FORMAT binary)`,
              endpointCopyBinary(rows.length, (i) => rows[i]!),
            ),
          ).toBe(rows.length);
          const read = async (table: string) =>
            (await client.query({ text: `SELECT * FROM ${table} ORDER BY endpoint_id`, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } }))
              .rows;
          expect(await read('from_binary')).toEqual(await read('from_text'));
        } finally {
          await client.query('ROLLBACK');
        }
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the extremes exactly: ids up to 2^53 - 1 and beyond, event ids up to 2^64 - 1, years 0001 and 9999', async () => {
    const base = fc.sample(endpointState, { numRuns: 1, seed: 7 })[0]!;
    const rows: EndpointState[] = [
      {
        ...base,
        endpointId: 2 ** 53 - 1,
        simId: 2 ** 60,
        organisationId: -(2 ** 62),
        lastEventId: 2n ** 64n - 1n,
        lastEventAt: 253402300799999,
        since: YEAR_1_MS,
      },
      { ...base, endpointId: 1, simId: null, organisationId: null, lastEventId: 0n, lastEventAt: 946684800000, since: 946684799999 },
    ];
    await client.query('BEGIN');
    try {
      await client.query(`CREATE TEMP TABLE extremes (LIKE simfleet.endpoints) ON COMMIT DROP`);
      await copy(
        `COPY extremes (${ENDPOINT_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`,
        endpointCopyBinary(rows.length, (i) => rows[i]!),
      );
      const { rows: read } = await client.query<Record<string, string | null>>(
        `SELECT endpoint_id::text, sim_id::text, organisation_id::text, last_event_id::text, to_char(last_event_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS last_at,
                to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS since FROM extremes ORDER BY endpoint_id`,
      );
      expect(read).toEqual([
        { endpoint_id: '1', sim_id: null, organisation_id: null, last_event_id: '0', last_at: '2000-01-01 00:00:00.000', since: '1999-12-31 23:59:59.999' },
        {
          endpoint_id: '9007199254740991',
          sim_id: String(2 ** 60),
          organisation_id: String(-(2 ** 62)),
          last_event_id: '18446744073709551615',
          last_at: '9999-12-31 23:59:59.999',
          since: '0001-01-01 00:00:00.000',
        },
      ]);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('the server refuses the text of a time in year 0000, as the binary path does', async () => {
    const base = fc.sample(endpointState, { numRuns: 1, seed: 5 })[0]!;
    await client.query('BEGIN');
    try {
      await client.query(`CREATE TEMP TABLE year_zero (LIKE simfleet.endpoints) ON COMMIT DROP`);
      await expect(
        copy(`COPY year_zero (${ENDPOINT_COLUMNS.join(', ')}) FROM STDIN`, [`${endpointCopyLine({ ...base, since: YEAR_1_MS - 1 })}\n`]),
      ).rejects.toThrow(/out of range/);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('refuses, as the server refuses their text, numbers that are not integers and times that are not whole milliseconds of years 0001-9999', () => {
    const base = fc.sample(endpointState, { numRuns: 1, seed: 3 })[0]!;
    expect(() => [...endpointCopyBinary(1, () => ({ ...base, simId: 1.5 }))]).toThrow(/1\.5 is not a valid bigint/);
    expect(() => [...endpointCopyBinary(1, () => ({ ...base, attaches: 1e21 }))]).toThrow(/1e\+21 is not a valid bigint/);
    expect(() => [...endpointCopyBinary(1, () => ({ ...base, ratType: 2 ** 31 }))]).toThrow(/out of range for integer/);
    expect(() => [...endpointCopyBinary(1, () => ({ ...base, since: 0.5 }))]).toThrow(/whole milliseconds/);
    expect(() => [...endpointCopyBinary(1, () => ({ ...base, lastEventAt: YEAR_1_MS - 1 }))]).toThrow(/outside the years 0001-9999/);
    expect(() => [...endpointCopyBinary(1, () => ({ ...base, since: 253402300800000 }))]).toThrow(/outside the years 0001-9999/);
  });
});
