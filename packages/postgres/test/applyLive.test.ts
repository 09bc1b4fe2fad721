import { applyBatch, type DeviceEvent, FleetStore, transitionOf } from '@simfleet/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FleetDatabase } from '../src/FleetDatabase.js';
import { TransitionLog } from '../src/TransitionLog.js';
import { endpointRowsAsJson } from '../src/testing/endpointRowsAsJson.js';
import { freshDatabase } from '../src/testing/freshDatabase.js';
import { applyEvents, simulatedEvents } from './simulatedFleet.js';

let url: string;
let client: pg.Client;

beforeAll(async () => {
  url = await freshDatabase(inject('pgUrl'), 'apply_live');
  client = new pg.Client({ connectionString: url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
});

const events = simulatedEvents({ events: 5000, devices: 300, seed: 23, organisations: 3 });

/** Rows of endpoints, transitions and organisations (progress differs by writer), in key order. */
async function fleetRows(schema: string): Promise<string> {
  const out: string[] = [];
  for (const [table, key] of [
    ['endpoints', 'endpoint_id'],
    ['transitions', 'endpoint_id, region, event_id'],
    ['organisations', 'organisation_id'],
  ] as const) {
    const { rows } = await client.query(`SELECT * FROM "${schema}".${table} ORDER BY ${key}`);
    out.push(rows.map((r) => JSON.stringify(r)).join('\n'));
  }
  return out.join('\n--\n');
}

/** Applies `events` as a live service would: batch by batch, each written with applyLive. */
async function liveBatches(db: FleetDatabase, batches: readonly (readonly DeviceEvent[])[], fleet = new FleetStore()) {
  const log = new TransitionLog();
  let offset = 0;
  const positions: number[] = [];
  for (const batch of batches) {
    const columns = fleet.createColumns();
    for (const e of batch) columns.push(e);
    log.clear();
    applyBatch(fleet, columns, { onTransition: log.push });
    offset += batch.length;
    // Changed endpoints: those the batch named, and those an organisation's change reached.
    const changed = [
      ...batch.map((e) => e.endpointId).filter((id): id is number => id !== null),
      ...Array.from({ length: log.length }, (_, i) => log.get(i).endpointId),
    ];
    const asOf = Math.max(...batch.map((e) => e.at));
    await db.applyLive({ fleet, endpointIds: changed, transitions: log, position: { journal: 'live.journal', offset }, asOf });
    positions.push(offset);
  }
  return { fleet, positions };
}

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

describe('applyLive', () => {
  it('batch by batch reaches the tables of one replay of every event', async () => {
    const live = await FleetDatabase.open(url, { schema: 'live' });
    const { fleet } = await liveBatches(live, chunks(events, 337));
    await live.close();
    const whole = applyEvents(events);
    const replay = await FleetDatabase.open(url, { schema: 'replayed' });
    await replay.writeReplay({ fleet: whole.fleet, transitions: whole.log, position: {}, asOf: whole.asOf });
    await replay.close();
    expect(await fleetRows('live')).toBe(await fleetRows('replayed'));
    expect(await endpointRowsAsJson(url, 'live')).toHaveLength(fleet.endpointCount);
  });

  it('records the journal position of the last batch in the same transaction', async () => {
    const db = await FleetDatabase.open(url, { schema: 'positions' });
    expect(await db.readProgress('live')).toBeUndefined();
    const { positions } = await liveBatches(db, chunks(events.slice(0, 1000), 250));
    expect(await db.readProgress('live')).toEqual({
      stream: 'live',
      position: { journal: 'live.journal', offset: positions.at(-1) },
      asOf: Math.max(...events.slice(0, 1000).map((e) => e.at)),
    });
    await db.close();
  });

  it('a batch applied again after a restart (committed, not yet acknowledged) changes nothing', async () => {
    const db = await FleetDatabase.open(url, { schema: 'redelivered' });
    const batches = chunks(events, 500);
    await liveBatches(db, batches);
    const before = await fleetRows('redelivered');
    // Restarted from an older checkpoint: the fleet is rebuilt up to the batch before the
    // last, and the journal's last batch is applied and written once more.
    const last = batches.at(-1)!;
    const { fleet } = applyEvents(batches.slice(0, -1).flat());
    const log = new TransitionLog();
    const columns = fleet.createColumns();
    for (const e of last) columns.push(e);
    applyBatch(fleet, columns, { onTransition: log.push });
    expect(log.length).toBeGreaterThan(100);
    const result = await db.applyLive({
      fleet,
      endpointIds: last.map((e) => e.endpointId).filter((id): id is number => id !== null),
      transitions: log,
      position: { journal: 'live.journal', offset: events.length },
      asOf: null,
    });
    expect(result).toMatchObject({ endpoints: 0, transitions: 0, organisations: 0 });
    expect(await fleetRows('redelivered')).toBe(before);
    await db.close();
  });

  it('takes a batch that names an endpoint many times and repeats a transition (deduplicated)', async () => {
    const db = await FleetDatabase.open(url, { schema: 'repeats' });
    const { fleet, log } = applyEvents(events.slice(0, 800));
    const ids = [...fleet.endpointIds()];
    const transitions = Array.from({ length: log.length }, (_, i) => log.get(i));
    const result = await db.applyLive({
      fleet,
      endpointIds: [...ids, ...ids, ...ids],
      transitions: [...transitions, ...transitions],
      position: { offset: 800 },
      asOf: null,
    });
    expect(result.endpoints).toBe(ids.length);
    expect(result.transitions).toBe(transitions.length);
    await db.close();
  });

  it('reads endpoint rows when called: later changes to the fleet are not in the batch', async () => {
    const db = await FleetDatabase.open(url, { schema: 'captured' });
    const { fleet, log } = applyEvents(events.slice(0, 500));
    const ids = [...fleet.endpointIds()];
    const expected = ids.map((id) => JSON.stringify(fleet.readEndpoint(id)!.lastEventAt));
    const pending = db.applyLive({ fleet, endpointIds: ids, transitions: log, position: { offset: 500 }, asOf: null });
    // The service goes on applying while the write is under way.
    applyEvents(events.slice(500, 2000), fleet, new TransitionLog());
    await pending;
    const { rows } = await client.query('SELECT last_event_at FROM captured.endpoints ORDER BY endpoint_id');
    expect(rows.map((r) => JSON.stringify(r.last_event_at === null ? null : r.last_event_at.getTime()))).toEqual(expected);
    await db.close();
  });

  it('compare-and-set on a stream of its own: a write continuing a stale position is refused whole; organisations filtered', async () => {
    const db = await FleetDatabase.open(url, { schema: 'cas' });
    try {
      const fleet = new FleetStore();
      const columns = fleet.createColumns();
      for (const e of events.slice(0, 2000)) columns.push(e);
      const log = new TransitionLog();
      applyBatch(fleet, columns, { onTransition: log.push });
      const ids = [...fleet.endpointIds()];
      const at = (seq: number) => (stored: unknown) => ((stored as { seq?: number } | undefined)?.seq ?? 0) === seq;
      const orgs = Array.from(fleet.organisationIds.subarray(0, fleet.organisationCount));
      expect(orgs.length).toBeGreaterThan(1);
      const kept = orgs[0] as number;
      await db.applyLive({
        fleet,
        endpointIds: ids.slice(0, 10),
        transitions: [],
        position: { seq: 5 },
        asOf: null,
        stream: 'partition.1',
        expectPosition: at(0),
        organisations: (id) => id === kept,
      });
      const stale = db.applyLive({ fleet, endpointIds: ids, transitions: log, position: { seq: 9 }, asOf: null, stream: 'partition.1', expectPosition: at(0) });
      await expect(stale).rejects.toMatchObject({ code: 'position_moved' });
      await expect(stale).rejects.toThrow(/progress partition\.1 is at \{"seq":5\}/);
      expect(Number((await client.query('SELECT count(*) AS n FROM cas.endpoints')).rows[0].n)).toBe(10);
      expect(Number((await client.query('SELECT count(*) AS n FROM cas.transitions')).rows[0].n)).toBe(0);
      expect((await client.query('SELECT organisation_id FROM cas.organisations')).rows.map((r) => Number(r.organisation_id))).toEqual([kept]);
      await db.applyLive({ fleet, endpointIds: ids, transitions: log, position: { seq: 9 }, asOf: null, stream: 'partition.1', expectPosition: at(5) });
      expect((await db.readProgress('partition.1'))?.position).toEqual({ seq: 9 });
      expect(await db.readProgress('live')).toBeUndefined();
      expect(Number((await client.query('SELECT count(*) AS n FROM cas.endpoints')).rows[0].n)).toBe(ids.length);
    } finally {
      await db.close();
    }
  });

  it('a shared change written again with other endpoints (a partition each) adds the missing ones, and only those', async () => {
    const db = await FleetDatabase.open(url, { schema: 'shared_parts' });
    const change = (ids: readonly number[]) =>
      ids.map((endpointId) => transitionOf({ endpointId, region: 'block', from: 'NOT_BLOCKED', to: 'BLOCKED', at: Date.UTC(2026, 0, 1), eventId: 77n }));
    const write = (ids: readonly number[], seq: number) =>
      db.applyLive({ fleet: new FleetStore(), endpointIds: [], transitions: change(ids), position: { seq }, asOf: null });
    const stored = async () =>
      (await client.query('SELECT endpoint_ids::text AS ids FROM shared_parts.organisation_transitions')).rows.map((r) => r.ids as string);
    try {
      expect((await write([1, 2, 3], 1)).transitions).toBe(3);
      expect((await write([5, 3, 4], 2)).transitions).toBe(2);
      expect(await stored()).toEqual(['{1,2,3,4,5}']);
      // Held already, whole or in part: nothing added, the row not rewritten.
      const version = async () => (await client.query('SELECT xmin::text AS v FROM shared_parts.organisation_changes')).rows[0].v as string;
      const before = await version();
      expect((await write([1, 2, 3, 4, 5], 3)).transitions).toBe(0);
      expect((await write([4, 2], 4)).transitions).toBe(0);
      expect(await version()).toBe(before);
      expect(await stored()).toEqual(['{1,2,3,4,5}']);
      const { rows } = await client.query('SELECT endpoint_id::int AS id FROM shared_parts.transitions ORDER BY 1');
      expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await db.close();
    }
  });

  it('writers of one fleet, a partition of its endpoints each, reach the tables of one replay, whatever their order', async () => {
    const whole = applyEvents(events);
    const one = await FleetDatabase.open(url, { schema: 'parts_whole' });
    await one.writeReplay({ fleet: whole.fleet, transitions: whole.log, position: { inputs: ['fleet.ndjson'] }, asOf: whole.asOf });
    await one.close();
    const all = Array.from({ length: whole.log.length }, (_, i) => whole.log.get(i));
    const shared = new Set(all.filter((t, i) => all.findIndex((u) => u.eventId === t.eventId && u.region === t.region) !== i).map((t) => t.eventId));
    expect(shared.size).toBeGreaterThan(0);
    const ids = [...new Set(all.map((t) => t.endpointId))];
    const parts = [0, 1, 2].map((p) => ids.filter((id) => id % 3 === p));
    for (const [schema, order] of [
      ['parts_012', [0, 1, 2]],
      ['parts_201', [2, 0, 1]],
    ] as const) {
      const writers = await Promise.all(order.map(() => FleetDatabase.open(url, { schema })));
      try {
        // Concurrently: each writer its partition's endpoints and their transitions.
        await Promise.all(
          order.map((p, w) => {
            const mine = new Set(parts[p]);
            return (writers[w] as FleetDatabase).applyLive({
              fleet: whole.fleet,
              endpointIds: parts[p] as number[],
              transitions: all.filter((t) => mine.has(t.endpointId)),
              position: { partition: p },
              asOf: whole.asOf,
            });
          }),
        );
      } finally {
        await Promise.all(writers.map((w) => w.close()));
      }
      expect(await fleetRows(schema)).toBe(await fleetRows('parts_whole'));
      const view = async (sch: string) =>
        (await client.query(`SELECT * FROM "${sch}".organisation_transitions ORDER BY event_id, region, from_state, to_state`)).rows;
      expect(await view(schema)).toEqual(await view('parts_whole'));
    }
  });

  it('writers delivering overlapping endpoints of one change at once store each endpoint once', async () => {
    const writers = await Promise.all([0, 1, 2, 3].map(() => FleetDatabase.open(url, { schema: 'shared_overlap' })));
    const change = (ids: readonly number[], eventId: bigint) =>
      ids.map((endpointId) => transitionOf({ endpointId, region: 'block', from: 'NOT_BLOCKED', to: 'BLOCKED', at: Date.UTC(2026, 0, 1), eventId }));
    try {
      // Endpoint rows first: writers into an empty table take turns for the whole write.
      const first = applyEvents(events.slice(0, 200));
      await (writers[0] as FleetDatabase).applyLive({
        fleet: first.fleet,
        endpointIds: [...first.fleet.endpointIds()],
        transitions: [],
        position: {},
        asOf: first.asOf,
      });
      for (let round = 0; round < 5; round++) {
        const eventId = BigInt(100 + round);
        // Each writer 1..400 with a stride of its own: most ids delivered by two or more.
        const lists = writers.map((_, w) => Array.from({ length: 400 }, (_, i) => i + 1).filter((id) => id % (w + 2) !== 0 || id % 7 === 0));
        const added = await Promise.all(
          writers.map((db, w) =>
            db.applyLive({
              fleet: new FleetStore(),
              endpointIds: [],
              transitions: change(lists[w] as number[], eventId),
              stream: `writer.${w}`,
              position: { round },
              asOf: null,
            }),
          ),
        );
        const union = [...new Set(lists.flat())].sort((a, b) => a - b);
        expect(added.reduce((n, r) => n + r.transitions, 0)).toBe(union.length);
        const { rows } = await client.query<{ ids: string[]; count: number }>(
          'SELECT endpoint_ids::text[] AS ids, endpoint_count AS count FROM shared_overlap.organisation_transitions WHERE event_id = $1',
          [eventId.toString()],
        );
        expect(rows).toHaveLength(1);
        expect(rows[0]!.ids.map(Number)).toEqual(union);
        expect(rows[0]!.count).toBe(union.length);
      }
    } finally {
      await Promise.all(writers.map((w) => w.close()));
    }
  });
});
