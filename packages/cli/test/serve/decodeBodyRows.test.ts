/**
 * `decodeBodyRows` (a body straight into the engine's rows, the fast line decoder first)
 * against `parseEventsBody` (event objects): the same records, the same reasons, rows equal
 * to what the full decoder's events give, and a journal payload whose lines decode to the
 * same events — for NDJSON the fast decoder reads and lines it passes on, arrays, single
 * objects and broken bodies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyEvent, decodeEventText, type EmnifyEvent, eventTypeByKey, FleetStore, parseJsonText, stringifyJson } from '@simfleet/core';
import { describe, expect, it } from 'vitest';
import { type BodyRows, RowBufferPool } from '../../src/serve/BodyRows.js';
import { decodeBodyRows, parseEventsBody } from '../../src/serve/parseEventsBody.js';
import { REPO } from '../support.js';

const line = (id: number, endpointId: number, time: string): string =>
  `{"id":${id},"timestamp":"${time}","description":"x","event_type":{"id":${eventTypeByKey('updateLocation').id}},"organisation":{"id":77},"endpoint":{"id":${endpointId},"imei":"8677300511111142"}}`;

/** Every column of a row, strings resolved through the pool. */
function rowOf(rows: BodyRows['rows'], r: number): Record<string, unknown> {
  const pool = rows.pool;
  return {
    at: rows.at[r],
    id: `${rows.idHi[r]}:${rows.idLo[r]}`,
    endpointId: rows.endpointId[r],
    type: rows.type[r],
    organisationId: rows.organisationId[r],
    simId: rows.simId[r],
    iccid: pool.get(rows.iccid[r] as number),
    imsi: pool.get(rows.imsi[r] as number),
    imei: pool.get(rows.imei[r] as number),
    name: pool.get(rows.name[r] as number),
    ipAddress: pool.get(rows.ipAddress[r] as number),
    apn: pool.get(rows.apn[r] as number),
    operator: stringifyJson(pool.operator(rows.operator[r] as number) as never),
    ratType: rows.ratType[r],
    rejectionReason: rows.rejectionReason[r],
  };
}

/** What `decodeBodyRows` must give for a body: rows of parseEventsBody's events (pushed by the full route), its reasons. */
function expected(body: Buffer, type: string | undefined) {
  const parsed = parseEventsBody(body, type, { maxListedRejects: 100 });
  const columns = new FleetStore().createColumns();
  const rows: Record<string, unknown>[] = [];
  const rowIndexes: number[] = [];
  const misfits: { index: number; code: string }[] = [];
  parsed.events.forEach((event, k) => {
    const pushed = columns.push(classifyEvent(event));
    if (pushed.ok) {
      rows.push(rowOf(columns, pushed.value));
      rowIndexes.push(parsed.eventIndexes[k] as number);
    } else misfits.push({ index: parsed.eventIndexes[k] as number, code: pushed.error.code });
  });
  return { parsed, rows, rowIndexes, misfits };
}

/** The documentation's example records, one line each (the sample log's NDJSON, numbers kept exactly). */
const examples = readFileSync(join(REPO, 'examples/data/seed-events.ndjson'), 'utf8')
  .split('\n')
  .flatMap((text) => {
    const parsed = text === '' ? undefined : parseJsonText(text);
    return parsed?.ok ? [stringifyJson(parsed.value)] : [];
  });

describe('decodeBodyRows', () => {
  it('gives parseEventsBody’s records and reasons, as rows, with a journal payload of the lines as received', async () => {
    const good = [line(1, 10, '2022-01-01T00:00:00Z'), line(2, 11, '2022-01-01T00:00:01Z')];
    // Lines the full decoder must take: an escape in a string the reducer keeps, a number as a string, an unknown type, bytes that are not UTF-8.
    const escaped = good[0]?.replace('"8677300511111142"', '"86773\\u00300511111142"').replace('"id":1,', '"id":3,') as string;
    const unknownType = `{"id":4,"timestamp":"2022-01-01T00:00:02Z","description":"x","event_type":{"id":999},"endpoint":{"id":12}}`;
    const numberAsString = `{"id":"5","timestamp":"2022-01-01T00:00:03Z","description":"x","event_type":{"id":1},"endpoint":{"id":13}}`;
    // Decodes, but no column holds a RAT type past 32767: a misfit the engine refuses.
    const misfit = `{"id":6,"timestamp":"2022-01-01T00:00:04Z","description":"x","event_type":{"id":3},"endpoint":{"id":5},"detail":{"pdp_context":{"rat_type":99999,"apn":"a"}}}`;
    const bodies: [Buffer, string | undefined][] = [
      [Buffer.from(`${good.join('\n')}\n`), 'application/x-ndjson'],
      [Buffer.from(`${examples.join('\n')}\n`), 'application/x-ndjson'],
      [Buffer.from(`${good[0]}\n{"id":3,"timestamp":"later"}\r\n\n${good[1]}\r\n${escaped}\n  \n${unknownType}\n${numberAsString}\n${misfit}`), undefined],
      [
        Buffer.concat([Buffer.from(`${good[0]}\n`), Buffer.from(good[1]?.replace('"x"', '"\xff"') as string, 'latin1'), Buffer.from(`\n${escaped}`)]),
        'application/x-ndjson',
      ],
      [Buffer.from(`[${good[0]},\n  ${good[1]}, ${unknownType}]`), 'application/json'],
      [Buffer.from(`[${good[0]}, 5, {"id":"x"}, ${good[1]}]  \n`), 'application/json'],
      [Buffer.from(`[${good[0]},\n${good[1]},]`), 'application/json'],
      [Buffer.from(`\ufeff${good[0]}\n${good[1]}`), undefined],
      [Buffer.from('[]'), undefined],
      [Buffer.from(''), undefined],
      [Buffer.from('  \n \n'), undefined],
      [Buffer.from(good[0] as string), undefined],
      [Buffer.from('{"id":1,"timestamp":"2022-01-01T00:00:00Z"}'), undefined],
    ];
    for (const [body, type] of bodies) {
      const label = body.toString('utf8').slice(0, 120);
      const want = expected(body, type);
      const pool = new RowBufferPool(new FleetStore());
      const got = await decodeBodyRows(body, type, pool, { sliceMs: 0 });
      expect(got.format, label).toBe(want.parsed.format);
      expect({ rejects: got.rejects, rejectCount: got.rejectCount, rejectedRecords: got.rejectedRecords, rejectsByCode: got.rejectsByCode }, label).toEqual({
        rejects: want.parsed.rejects,
        rejectCount: want.parsed.rejectCount,
        rejectedRecords: want.parsed.rejectedRecords,
        rejectsByCode: want.parsed.rejectsByCode,
      });
      expect(
        Array.from({ length: got.rows.length }, (_, r) => rowOf(got.rows, r)),
        label,
      ).toEqual(want.rows);
      expect(got.rowIndexes, label).toEqual(want.rowIndexes);
      expect(
        got.misfits.map((m) => ({ index: m.index, code: m.code })),
        label,
      ).toEqual(want.misfits);
      expect(
        Array.from({ length: got.records }, (_, i) => got.bodyIndex(i)),
        label,
      ).toEqual([...want.rowIndexes, ...want.misfits.map((m) => m.index)]);
      // The events, when asked for: those of the rows, as the full decoder gives them.
      const events = want.parsed.events.filter((_, k) => !want.misfits.some((m) => m.index === want.parsed.eventIndexes[k]));
      expect(got.events(), label).toEqual(events);
      // Types the catalog does not know are named per row (the account counts them).
      expect(
        Array.from({ length: got.rows.length }, (_, r) => got.unknownTypes?.[r] ?? -1),
        label,
      ).toEqual(events.map((e) => (e.type === 'unknown' ? e.typeId : -1)));
      // The journal payload: one line per row, each decoding to the row's event.
      const payload = got.journalPayload(() => true);
      if (events.length === 0) expect(payload, label).toBeNull();
      else {
        const lines = Buffer.from(payload as Uint8Array)
          .toString('utf8')
          .split('\n');
        expect(
          lines.map((l) => decodeEventText(l)).map((r) => (r.ok ? r.value : r.error.message)),
          label,
        ).toEqual(events);
      }
      // Every other row only: the payload holds exactly those.
      const odd = got.journalPayload((row) => row % 2 === 1);
      const oddEvents = events.filter((_, k) => k % 2 === 1);
      if (oddEvents.length === 0) expect(odd, label).toBeNull();
      else
        expect(
          Buffer.from(odd as Uint8Array)
            .toString('utf8')
            .split('\n')
            .map((l) => (decodeEventText(l) as { value: EmnifyEvent }).value),
          label,
        ).toEqual(oddEvents);
    }
  });

  it('gives the same rows and reasons whichever decoder settles the body: the WebAssembly one in one call, or in slices for many bad lines or a large body', async () => {
    const good = (from: number, n: number): string[] =>
      Array.from({ length: n }, (_, i) => line(from + i, 10 + ((from + i) % 7), `2022-01-01T00:00:${String((from + i) % 60).padStart(2, '0')}Z`));
    const bad = (n: number): string[] => Array.from({ length: n }, (_, i) => `{"id":${9000 + i},"timestamp":"not a time"}`);
    const bodies: [string, Buffer][] = [
      // A few lines for the full decoder among rows: settled in the one call.
      ['mixed', Buffer.from(`${[...good(1, 20), ...bad(3), ...good(21, 20), '', ...bad(2)].join('\r\n')}\n`)],
      // More bad lines than one call settles: decoded again in slices, nothing kept from the first try.
      ['many bad', Buffer.from(`${[...good(100, 10), ...bad(80), ...good(110, 10)].join('\n')}\n`)],
      // Past the size one call takes.
      ['large', Buffer.from(`${[...good(1000, 2000), ...bad(2)].join('\n')}\n`)],
    ];
    const pool = new RowBufferPool(new FleetStore());
    for (const [label, body] of bodies) {
      const want = expected(body, 'application/x-ndjson');
      const got = await decodeBodyRows(body, 'application/x-ndjson', pool, { sliceMs: 0 });
      expect(got.rejects, label).toEqual(want.parsed.rejects);
      expect(got.rejectsByCode, label).toEqual(want.parsed.rejectsByCode);
      expect(
        Array.from({ length: got.rows.length }, (_, r) => rowOf(got.rows, r)),
        label,
      ).toEqual(want.rows);
      expect(got.rowIndexes, label).toEqual(want.rowIndexes);
      const lines = Buffer.from(got.journalPayload(() => true) as Uint8Array)
        .toString('utf8')
        .split('\n');
      expect(lines, label).toEqual(want.parsed.texts);
      got.release();
    }
    expect(bodies[2]?.[1].length).toBeGreaterThan(256 * 1024);
  });

  it('journals a plain NDJSON body as one slice of it, not a copy', async () => {
    const body = Buffer.from(`${[line(1, 10, '2022-01-01T00:00:00Z'), line(2, 11, '2022-01-01T00:00:01Z'), line(3, 12, '2022-01-01T00:00:02Z')].join('\n')}\n`);
    const got = await decodeBodyRows(body, 'application/x-ndjson', new RowBufferPool(new FleetStore()));
    const payload = got.journalPayload(() => true) as Uint8Array;
    expect(payload.buffer).toBe(body.buffer);
    expect(Buffer.from(payload).toString('utf8')).toBe(body.toString('utf8', 0, body.length - 1));
  });

  it('reuses row buffers once released, and a released body holds no rows', async () => {
    const pool = new RowBufferPool(new FleetStore());
    const first = await decodeBodyRows(Buffer.from(line(1, 10, '2022-01-01T00:00:00Z')), 'application/x-ndjson', pool);
    const rows = first.rows;
    expect(rows.length).toBe(1);
    first.release();
    expect(rows.length).toBe(0);
    const second = await decodeBodyRows(Buffer.from(line(2, 11, '2022-01-01T00:00:01Z')), 'application/x-ndjson', pool);
    expect(second.rows).toBe(rows);
    expect(rowOf(second.rows, 0)['endpointId']).toBe(11);
  });
});
