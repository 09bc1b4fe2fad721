import { endpointJsonText, FleetStore } from '@simfleet/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FleetDatabase } from '../src/FleetDatabase.js';
import { PgFleetError } from '../src/PgFleetError.js';
import { endpointRowsAsJson } from '../src/testing/endpointRowsAsJson.js';
import { freshDatabase } from '../src/testing/freshDatabase.js';
import { TransitionLog } from '../src/TransitionLog.js';
import { applyEvents, simulatedEvents } from './simulatedFleet.js';

let url: string;
let client: pg.Client;

beforeAll(async () => {
  url = await freshDatabase(inject('pgUrl'), 'write_replay');
  client = new pg.Client({ connectionString: url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
});

/** Every row of every table simfleet writes (but `migrations`, which records when), in key order. */
async function dump(schema: string): Promise<string> {
  const tables = {
    endpoints: 'endpoint_id',
    transitions: 'endpoint_id, region, event_id',
    organisation_transitions: 'event_id, region, from_state, to_state',
    organisation_changes: 'event_id, region, from_state, to_state',
    member_chunks: 'chunk_id',
    organisations: 'organisation_id',
    progress: 'stream',
  };
  const parts: string[] = [];
  for (const [table, key] of Object.entries(tables)) {
    const { rows } = await client.query(`SELECT * FROM "${schema}".${table} ORDER BY ${key}`);
    parts.push(`${table}\n${rows.map((r) => JSON.stringify(r)).join('\n')}`);
  }
  return parts.join('\n');
}

async function write(schema: string, fleet: FleetStore, log: TransitionLog, asOf: number | null, position: object = { inputs: ['fleet.ndjson'] }) {
  const db = await FleetDatabase.open(url, { schema: `${schema}${suffix}`, bulkTransitions });
  try {
    return await db.writeReplay({ fleet, transitions: log, position: position as never, asOf });
  } finally {
    await db.close();
  }
}

const events = simulatedEvents({ events: 6000, devices: 400, seed: 11, organisations: 4 });

// Both ways of adding transitions (the unique key maintained row by row, or rebuilt after a bulk insert).
let suffix = '';
let bulkTransitions = Number.POSITIVE_INFINITY;
describe.each([
  { way: 'row by row', suffix: '', bulkTransitions: Number.POSITIVE_INFINITY },
  { way: 'bulk, key rebuilt', suffix: '_bulk', bulkTransitions: 1 },
])('writeReplay, transitions added $way', (way) => {
  beforeAll(() => {
    suffix = way.suffix;
    bulkTransitions = way.bulkTransitions;
  });

  it('writes every endpoint as its snapshot entry, field for field', async () => {
    const { fleet, log, asOf } = applyEvents(events);
    const result = await write('snapshot_rows', fleet, log, asOf);
    const expected = [...fleet.endpointIds()].map((id) => endpointJsonText(fleet.readEndpoint(id)!));
    expect(expected.length).toBeGreaterThan(300);
    expect(await endpointRowsAsJson(url, `snapshot_rows${suffix}`)).toEqual(expected);
    expect(result.endpoints).toBe(expected.length);
    expect(result.transitions).toBe(log.length);
  });

  it('writes every transition once, as applyBatch reported it', async () => {
    const { fleet, log, asOf } = applyEvents(events);
    await write('transition_rows', fleet, log, asOf);
    const { rows } = await client.query<{ endpoint_id: string; region: string; from_state: string; to_state: string; at: Date; event_id: string }>(
      `SELECT * FROM transition_rows${suffix}.transitions`,
    );
    const key = (t: { endpointId: number; region: string; from: string; to: string; at: number; eventId: bigint }) =>
      `${t.endpointId} ${t.region} ${t.from} ${t.to} ${t.at} ${t.eventId}`;
    const fromTable = rows
      .map((r) =>
        key({ endpointId: Number(r.endpoint_id), region: r.region, from: r.from_state, to: r.to_state, at: r.at.getTime(), eventId: BigInt(r.event_id) }),
      )
      .sort();
    const reported = Array.from({ length: log.length }, (_, i) => key(log.get(i))).sort();
    expect(log.length).toBeGreaterThan(1000);
    expect(fromTable).toEqual(reported);
    // Organisations' blocks are among them, stored once per change with the endpoints they reached.
    const { rows: stored } = await client.query<{ shared: number; members: number; own: number }>(
      `SELECT count(*)::int AS shared, coalesce(sum(cardinality(endpoint_ids)), 0)::int AS members,
              (SELECT count(*)::int FROM transition_rows${suffix}.endpoint_transitions) AS own
       FROM transition_rows${suffix}.organisation_transitions`,
    );
    expect(stored[0]!.shared).toBeGreaterThan(0);
    expect(stored[0]!.members).toBeGreaterThan(stored[0]!.shared);
    expect(stored[0]!.own + stored[0]!.members).toBe(log.length);
  });

  it('writes the organisations and the progress marker', async () => {
    const { fleet, log, asOf } = applyEvents(events);
    await write('org_rows', fleet, log, asOf, { inputs: ['a.ndjson', 'b.ndjson'], records: events.length });
    const { rows: organisations } = await client.query(`SELECT organisation_id::float8 AS id, state, blocked FROM org_rows${suffix}.organisations ORDER BY 1`);
    const expected = Array.from({ length: fleet.organisationCount }, (_, o) => fleet.organisationIds[o] as number)
      .sort((a, b) => a - b)
      .map((id) => ({ id, state: fleet.organisationBlocked(id) ? 'BLOCKED' : 'ACTIVE', blocked: fleet.organisationBlocked(id) }));
    expect(organisations).toEqual(expected);
    const { rows: progress } = await client.query(`SELECT stream, position, as_of FROM org_rows${suffix}.progress`);
    expect(progress).toEqual([{ stream: 'replay', position: { inputs: ['a.ndjson', 'b.ndjson'], records: events.length }, as_of: new Date(asOf!) }]);
  });

  it('leaves identical tables when the same replay is written twice, and changes no row the second time', async () => {
    const first = applyEvents(events);
    await write('twice', first.fleet, first.log, first.asOf);
    const before = await dump(`twice${suffix}`);
    const again = applyEvents(events);
    const result = await write('twice', again.fleet, again.log, again.asOf);
    expect(result).toEqual({ endpoints: 0, endpointsRemoved: 0, transitions: 0, organisations: 0 });
    expect(await dump(`twice${suffix}`)).toBe(before);
  });

  it('a compacting log (what replay --pg keeps) writes the same tables as a plain one', async () => {
    const plain = applyEvents(events);
    await write('plain_log', plain.fleet, plain.log, plain.asOf);
    const compact = applyEvents(events, undefined, new TransitionLog({ compact: true }));
    const result = await write('compact_log', compact.fleet, compact.log, compact.asOf);
    expect(result.transitions).toBe(plain.log.length);
    expect((await dump(`compact_log${suffix}`)).replaceAll('compact_log', 'plain_log')).toBe(await dump(`plain_log${suffix}`));
  });

  it('a first replay leaves every index and constraint the migrations made (those it builds after the rows included)', async () => {
    const shape = async (schema: string) => {
      const { rows } = await client.query(
        `SELECT indexname, replace(indexdef, $1, 'S') AS def FROM pg_indexes WHERE schemaname = $2
         UNION ALL SELECT conname, pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname = $2
         ORDER BY 1, 2`,
        [`${schema}.`, schema],
      );
      return rows;
    };
    const empty = await FleetDatabase.open(url, { schema: `index_shape_empty${suffix}` });
    await empty.close();
    const { fleet, log, asOf } = applyEvents(events);
    await write('index_shape', fleet, log, asOf);
    const before = await shape(`index_shape_empty${suffix}`);
    expect(before.map((r) => r.indexname)).toContain('endpoints_status');
    expect(await shape(`index_shape${suffix}`)).toEqual(before);
  });

  it('organisation changes reported once (onOrganisationTransition, what replay --pg does) write the same tables', async () => {
    const plain = applyEvents(events);
    await write('plain_once', plain.fleet, plain.log, plain.asOf);
    const once = applyEvents(events, undefined, new TransitionLog({ compact: true }), { once: true });
    const result = await write('org_once', once.fleet, once.log, once.asOf);
    expect(result.transitions).toBe(plain.log.length);
    expect((await dump(`org_once${suffix}`)).replaceAll('org_once', 'plain_once')).toBe(await dump(`plain_once${suffix}`));
  });

  it('a longer replay over a shorter one gives the tables of the longer replay alone', async () => {
    const half = applyEvents(events.slice(0, 3000));
    await write('continued', half.fleet, half.log, half.asOf);
    const full = applyEvents(events);
    await write('continued', full.fleet, full.log, full.asOf);
    await write('direct', full.fleet, full.log, full.asOf);
    expect(await dump(`continued${suffix}`)).toBe(await dump(`direct${suffix}`));
  });

  it('removes the rows of endpoints the replayed fleet does not hold: the table is the snapshot', async () => {
    const wide = applyEvents(events);
    await write('narrowed', wide.fleet, wide.log, wide.asOf);
    const someDevices = new Set([...wide.fleet.endpointIds()].slice(0, 50));
    const narrow = applyEvents(events.filter((e) => e.endpointId !== null && someDevices.has(e.endpointId)));
    const result = await write('narrowed', narrow.fleet, narrow.log, narrow.asOf);
    expect(result.endpointsRemoved).toBe(wide.fleet.endpointCount - narrow.fleet.endpointCount);
    const expected = [...narrow.fleet.endpointIds()].map((id) => endpointJsonText(narrow.fleet.readEndpoint(id)!));
    expect(await endpointRowsAsJson(url, `narrowed${suffix}`)).toEqual(expected);
  });

  it('a change the log holds twice: added once row by row; refused by the rebuilt key in bulk, nothing written', async () => {
    const { fleet, log, asOf } = applyEvents(events.slice(0, 2000));
    const doubled = new TransitionLog();
    for (let i = 0; i < log.length; i++) doubled.push(log.get(i));
    for (let i = 0; i < log.length; i++) doubled.push(log.get(i));
    const count = async (table: string) => (await client.query(`SELECT count(*)::int AS n FROM doubled${suffix}.${table}`)).rows[0].n;
    if (bulkTransitions === Number.POSITIVE_INFINITY) {
      const result = await write('doubled', fleet, doubled, asOf);
      expect(result.transitions).toBe(log.length);
      expect(await count('transitions')).toBe(log.length);
    } else {
      const error = await write('doubled', fleet, doubled, asOf).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PgFleetError);
      expect((error as PgFleetError).message).toMatch(
        /^schema doubled_bulk: the transition log holds a change twice \(Key \(endpoint_id, region, event_id\)=.* is duplicated\.\): nothing was written$/,
      );
      expect(await count('transitions')).toBe(0);
      expect(await count('endpoints')).toBe(0);
    }
  });

  it('keeps a shared change exactly: event ids up to 2^64 - 1, times before 2000, endpoint ids up to 2^53 - 1', async () => {
    const log = new TransitionLog();
    const changes = [
      { eventId: 18446744073709551615n, at: Date.UTC(1999, 11, 31, 23, 59, 59, 999), ids: [9007199254740991, 1, 4294967296] },
      { eventId: 10000n, at: Date.UTC(2026, 0, 1, 0, 0, 0, 1), ids: [2, 3] },
      { eventId: 0n, at: Date.UTC(2026, 0, 1), ids: [5, 6] },
    ];
    for (const c of changes)
      for (const endpointId of c.ids) log.push({ endpointId, region: 'block', from: 'NOT_BLOCKED', to: 'BLOCKED', at: c.at, eventId: c.eventId });
    const result = await write('shared_exact', new FleetStore(), log, null);
    expect(result.transitions).toBe(7);
    const { rows } = await client.query(
      `SELECT organisation_id, event_id, at, endpoint_ids::text AS ids FROM shared_exact${suffix}.organisation_transitions ORDER BY event_id`,
    );
    expect(rows).toEqual([
      { organisation_id: null, event_id: '0', at: new Date(Date.UTC(2026, 0, 1)), ids: '{5,6}' },
      { organisation_id: null, event_id: '10000', at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 1)), ids: '{2,3}' },
      {
        organisation_id: null,
        event_id: '18446744073709551615',
        at: new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999)),
        ids: '{1,4294967296,9007199254740991}',
      },
    ]);
    const { rows: view } = await client.query(`SELECT count(*)::int AS n FROM shared_exact${suffix}.transitions WHERE region = 'block'`);
    expect(view[0].n).toBe(7);
  });

  it('keeps strings that COPY must escape, and event ids beyond 2^53, exactly', async () => {
    const fleet = new FleetStore();
    const columns = fleet.createColumns();
    const odd = 'tab\there\\back\nnew\rret ünï';
    columns.push({
      type: 'ATTACH',
      at: Date.UTC(2026, 0, 1),
      eventId: 18446744073709551615n,
      endpointId: 9007199254740991,
      observation: {
        organisationId: 7,
        simId: 8,
        iccid: odd,
        imsi: '\\N',
        imei: null,
        ipAddress: null,
        operator: { name: odd, mcc: '001', mnc: '01', country: 'de' },
        ratType: null,
        apn: null,
        rejectionReason: null,
        name: odd,
      },
    });
    const log = new TransitionLog();
    const { applyBatch } = await import('@simfleet/core');
    applyBatch(fleet, columns, { onTransition: log.push });
    await write('escapes', fleet, log, Date.UTC(2026, 0, 1));
    expect(await endpointRowsAsJson(url, `escapes${suffix}`)).toEqual([endpointJsonText(fleet.readEndpoint(9007199254740991)!)]);
    const { rows } = await client.query(`SELECT DISTINCT event_id FROM escapes${suffix}.transitions`);
    expect(rows).toEqual([{ event_id: '18446744073709551615' }]);
  });
});
