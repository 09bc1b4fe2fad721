import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EndpointState, eventTypeByKey, FleetStore, initialEndpointState } from '@simfleet/core';
import { eventTypeName } from '@simfleet/engine';
import type { FleetTransition } from '@simfleet/stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectivityChart } from '../../src/serve/dashboard/connectivityChart.js';
import { deviceTimeline } from '../../src/serve/dashboard/devicePage.js';
import { CSV_HEADER, endpointCsvLine } from '../../src/serve/dashboard/endpointsCsv.js';
import { endpointQueryString, parseEndpointQuery, SORT_KEYS, selectEndpoints, selectSorted, sortEndpoints } from '../../src/serve/dashboard/endpointQuery.js';
import { escapeHtml, html, jsonInScript } from '../../src/serve/dashboard/html.js';
import { RowBufferPool } from '../../src/serve/BodyRows.js';
import { bodyEventTypes } from '../../src/serve/dashboard/bodyEventTypes.js';
import { writerSettled } from '../../src/serve/dashboard/FleetReader.js';
import { decodeBodyRows } from '../../src/serve/parseEventsBody.js';
import { TransitionRing } from '../../src/serve/dashboard/TransitionRing.js';
import { REPO } from '../support.js';

const transition = (i: number, over: Partial<FleetTransition> = {}): FleetTransition =>
  ({
    endpointId: i % 7,
    region: 'connectivity',
    from: 'OFFLINE',
    to: 'ATTACHED',
    at: 1_600_000_000_000 + i * 1000,
    eventId: BigInt(i),
    ...over,
  }) as FleetTransition;

/** A minimal endpoint state; the query only reads a few fields. */
const endpoint = (id: number, over: Partial<EndpointState> = {}): EndpointState => ({ ...initialEndpointState(id), ...over });

describe('TransitionRing', () => {
  it('keeps the newest `capacity` transitions in order, whatever was pushed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 60 }), (capacity, pushed) => {
        const ring = new TransitionRing(capacity);
        for (let i = 0; i < pushed; i++) ring.push(transition(i));
        const kept = [...ring].map((t) => Number(t.eventId));
        const expected = Array.from({ length: pushed }, (_, i) => i).slice(-capacity);
        expect(kept).toEqual(expected);
        expect(ring.size).toBe(expected.length);
        expect(ring.total).toBe(pushed);
        expect(ring.latest(3).map((t) => Number(t.eventId))).toEqual(expected.slice(-3).reverse());
        expect(ring.latest(capacity, (t) => t.endpointId === 3).every((t) => t.endpointId === 3)).toBe(true);
      }),
    );
  });

  it('knows the event type of every event it still holds a transition of, and forgets the rest', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.record({ event: fc.integer({ min: 0, max: 8 }), named: fc.boolean() }), { maxLength: 60 }),
        (capacity, pushes) => {
          const ring = new TransitionRing(capacity);
          // An event's type is a function of its id here (10 + id), as it is of a real event.
          for (const p of pushes) ring.push(transition(p.event, { eventId: BigInt(p.event) }), p.named ? 10 + p.event : undefined);
          const held = pushes.slice(-capacity);
          for (let event = 0; event <= 8; event++) {
            const known = held.some((p) => p.event === event && p.named);
            expect(ring.eventTypeOf(BigInt(event)), `event ${event}`).toBe(known ? 10 + event : undefined);
          }
        },
      ),
    );
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new TransitionRing(0)).toThrow(RangeError);
  });
});

describe('endpoint query', () => {
  const rows = [
    endpoint(1, {
      status: 'ONLINE',
      connectivity: 'ONLINE',
      iccid: '8988300000000000001',
      operator: { name: 'Telekom', country: 'de', mcc: '262', mnc: '01' },
      organisationId: 77,
      lastEventAt: 30,
    }),
    endpoint(2, { status: 'OFFLINE', imei: '350000000000002', organisationId: 77, lastEventAt: 10 }),
    endpoint(3, {
      status: 'BLOCKED',
      connectivity: 'ATTACHED',
      imsi: '295090000000003',
      operator: { name: 'Vodafone', country: 'gb', mcc: '234', mnc: '15' },
      lastEventAt: 20,
    }),
  ];
  const query = (text: string) => {
    const parsed = parseEndpointQuery(new URLSearchParams(text));
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.query;
  };
  const ids = (text: string): number[] => selectEndpoints(rows, query(text)).items.map((s) => s.endpointId);

  it('pages a kept sort order exactly as it sorts the filtered rows', () => {
    const arbitraryRow = fc.record({
      id: fc.integer({ min: 1, max: 60 }),
      status: fc.constantFrom('ONLINE', 'OFFLINE', 'BLOCKED'),
      operator: fc.option(fc.constantFrom('A1', 'Telekom', 'Vodafone'), { nil: null }),
      organisationId: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
      lastEventAt: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(arbitraryRow, { selector: (r) => r.id, maxLength: 40 }),
        fc.constantFrom(...SORT_KEYS),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('', 'status=OFFLINE', 'q=1'),
        (raw, sort, descending, page, filter) => {
          const all = raw
            .map((r) =>
              endpoint(r.id, {
                status: r.status as EndpointState['status'],
                operator: r.operator === null ? null : { name: r.operator, country: 'de', mcc: null, mnc: null },
                organisationId: r.organisationId,
                lastEventAt: r.lastEventAt,
              }),
            )
            .sort((a, b) => a.endpointId - b.endpointId);
          const q = { ...query(filter), sort, descending, page, per: 25 };
          expect(selectSorted(sortEndpoints([...all], sort, descending), q)).toEqual(selectEndpoints(all, q));
        },
      ),
    );
  });

  it('filters by status, connectivity, operator, country, organisation and free text', () => {
    expect(ids('status=OFFLINE,BLOCKED')).toEqual([2, 3]);
    expect(ids('connectivity=attached')).toEqual([3]);
    expect(ids('operator=Telekom')).toEqual([1]);
    expect(ids('operator=unknown')).toEqual([2]);
    expect(ids('country=GB')).toEqual([3]);
    expect(ids('organisation=77')).toEqual([1, 2]);
    expect(ids('organisation=unknown')).toEqual([3]);
    expect(ids('q=0000000000001')).toEqual([1]);
    expect(ids('q=350000')).toEqual([2]);
    expect(ids('q=29509')).toEqual([3]);
    expect(ids('q=3')).toEqual([1, 2, 3]);
    // The name too, case-insensitive, where the store keeps one.
    const named = [...rows.slice(0, 2), { ...(rows[2] as EndpointState), name: 'Cold Chain Tracker' }];
    expect(selectEndpoints(named, query('q=chain')).items.map((s) => s.endpointId)).toEqual([3]);
    expect(selectEndpoints(named, query('q=TRACKER')).items.map((s) => s.endpointId)).toEqual([3]);
    expect(ids('q=chain')).toEqual([]);
    expect(ids('status=&operator=')).toEqual([1, 2, 3]);
  });

  it('sorts with ties by id and pages on the server', () => {
    expect(ids('sort=lastEvent')).toEqual([2, 3, 1]);
    expect(ids('sort=lastEvent&dir=desc')).toEqual([1, 3, 2]);
    expect(ids('sort=status')).toEqual([3, 1, 2]);
    const paged = selectEndpoints(rows, { ...query(''), per: 25, page: 9 });
    expect([paged.page, paged.pages, paged.matched]).toEqual([1, 1, 3]);
  });

  it('says what is wrong with a bad filter, sort or page', () => {
    expect(parseEndpointQuery(new URLSearchParams('status=ASLEEP'))).toEqual({ ok: false, message: expect.stringContaining('status must be one of') });
    expect(parseEndpointQuery(new URLSearchParams('sort=colour')).ok).toBe(false);
    expect(parseEndpointQuery(new URLSearchParams('page=0')).ok).toBe(false);
    expect(parseEndpointQuery(new URLSearchParams('per=7')).ok).toBe(false);
    expect(parseEndpointQuery(new URLSearchParams('dir=up')).ok).toBe(false);
  });

  it('writes a query back to the same query string (defaults left out)', () => {
    const q = query('status=OFFLINE&operator=AT%26T&q=12&sort=since&dir=desc&page=3&per=100');
    expect(query(endpointQueryString(q))).toEqual(q);
    expect(endpointQueryString(query(''))).toBe('');
    expect(endpointQueryString(q, { page: 1 })).not.toContain('page=');
  });
});

describe('CSV lines', () => {
  it('quote only the fields that need it and have one field per header column', () => {
    const line = endpointCsvLine(
      endpoint(5, { operator: { name: 'AT&T "Mobility", US', country: 'us', mcc: null, mnc: null }, lastEventId: 137_112_624_332_866_001n }),
      true,
    );
    expect(line).toBe('5,OFFLINE,OFFLINE,,true,"AT&T ""Mobility"", US",us,,,,,,,,,false,137112624332866001,\r\n');
    // The endpoint's name, when the store keeps one, in its column.
    const named = endpoint(6, { name: 'Tracker, "north"' });
    expect(endpointCsvLine(named, false)).toBe('6,OFFLINE,OFFLINE,,false,,,,,,,"Tracker, ""north""",,,,false,,\r\n');
    expect(CSV_HEADER.split(',').length).toBe(18);
  });
});

describe('markup', () => {
  it('escapes every interpolated value but composed markup', () => {
    const name = '<script>alert("x")</script>';
    expect(html`<td>${name}</td>`.text).toBe('<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</td>');
    expect(html`<tr>${html`<td>${'a&b'}</td>`}</tr>`.text).toBe('<tr><td>a&amp;b</td></tr>');
    expect(html`${[1, null, false, 'x']}`.text).toBe('1x');
    expect(escapeHtml(`'`)).toBe('&#39;');
    expect(jsonInScript({ a: '</script>' }).text).toBe('{"a":"\\u003c/script>"}');
  });
});

describe('connectivity chart', () => {
  it('counts every connectivity change once, in the bucket of its time, by the state entered', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 3 * 86_400_000 }), to: fc.constantFrom('OFFLINE', 'ATTACHED', 'ONLINE') }), { maxLength: 200 }),
        (changes) => {
          const ts = changes.map((c, i) => transition(i, { at: 1_600_000_000_000 + c.at, to: c.to }));
          ts.push(transition(999, { region: 'status', to: 'ONLINE' }));
          const chart = connectivityChart(ts, 120);
          expect(chart.times.length).toBeLessThanOrEqual(121);
          for (const state of ['OFFLINE', 'ATTACHED', 'ONLINE'] as const) {
            expect(chart.into[state].reduce((a, b) => a + b, 0)).toBe(changes.filter((c) => c.to === state).length);
          }
          ts.slice(0, -1).forEach((t) => {
            const i = Math.floor((t.at / 1000 - (chart.times[0] ?? 0)) / chart.bucketSeconds);
            expect(i).toBeGreaterThanOrEqual(0);
            expect(i).toBeLessThan(chart.times.length);
          });
        },
      ),
    );
  });
});

describe('device timeline', () => {
  it('gives each change how long the region’s previous state lasted, as simfleet device does', () => {
    const timeline = deviceTimeline([
      transition(0, { at: 0, region: 'connectivity', from: 'OFFLINE', to: 'ATTACHED' }),
      transition(1, { at: 5_000, region: 'status', from: 'OFFLINE', to: 'ATTACHED' }),
      transition(2, { at: 65_000, region: 'connectivity', from: 'ATTACHED', to: 'ONLINE' }),
      transition(3, { at: 70_000, region: 'status', from: 'ATTACHED', to: 'ONLINE' }),
    ]);
    expect(timeline.map((e) => e.previousLasted)).toEqual([null, null, 65_000, 65_000]);
  });

  it('names each change by its event type as the catalog does, inactivity for a device gone quiet', () => {
    const types = new Map<bigint, number>([
      [0n, eventTypeByKey('updateLocation').id],
      [2n, eventTypeByKey('createPdpContext').id],
    ]);
    const timeline = deviceTimeline(
      [
        transition(0, { region: 'connectivity', from: 'OFFLINE', to: 'ATTACHED' }),
        transition(1, { region: 'connectivity', from: 'ATTACHED', to: 'ONLINE' }),
        transition(2, { region: 'connectivity', from: 'ATTACHED', to: 'ONLINE' }),
        transition(3, { region: 'activity', from: 'ACTIVE', to: 'STALE' } as Partial<FleetTransition>),
      ],
      (id) => types.get(id),
    );
    expect(timeline.map((e) => e.event)).toEqual([
      eventTypeName(eventTypeByKey('updateLocation').id),
      null,
      eventTypeName(eventTypeByKey('createPdpContext').id),
      'inactivity',
    ]);
    expect(timeline[0]?.event).toBe('Update location');
  });
});

describe('bodyEventTypes', () => {
  it("answers each row's catalog type by event id, from the line or from the decoded object, whatever the member order", async () => {
    const lines = [
      `{"id":11,"timestamp":"2022-01-01T00:00:00Z","description":"x","event_type":{"id":${eventTypeByKey('updateLocation').id}},"organisation":{"id":7},"endpoint":{"id":1}}`,
      `{"id":12,"timestamp":"2022-01-01T00:01:00Z","description":"x","event_type":{"description":"Purge location","id":${eventTypeByKey('purgeLocation').id}},"organisation":{"id":7},"endpoint":{"id":1}}`,
    ];
    for (const [body, type] of [
      [lines.join('\n'), 'application/x-ndjson'],
      [`[${lines.join(',')}]`, 'application/json'],
    ] as const) {
      const rows = await decodeBodyRows(Buffer.from(body), type, new RowBufferPool(new FleetStore()));
      const types = bodyEventTypes(rows);
      expect(types(11n), type).toBe(eventTypeByKey('updateLocation').id);
      expect(types(12n), type).toBe(eventTypeByKey('purgeLocation').id);
      expect(types(13n), type).toBeUndefined();
      rows.release();
    }
  });
});

describe('writerSettled', () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 15));

  it('resolves at once when the writer has nothing pending, else after two more commits or when it is idle', async () => {
    const status = { state: 'current', writes: 4 };
    const settled = writerSettled(() => status, 60_000, 1);
    await settled();
    status.state = 'writing';
    let done = false;
    const waiting = settled().then(() => {
      done = true;
    });
    await tick();
    expect(done).toBe(false);
    status.writes = 5; // the write under way committed; what waited behind it is not written yet
    await tick();
    expect(done).toBe(false);
    status.writes = 6;
    await waiting;
    expect(done).toBe(true);
    // Idle again before two commits: nothing pending, so done too.
    status.writes = 6;
    const idle = settled();
    status.state = 'current';
    await idle;
  });

  it('gives up after its bound when the writer never catches up (an unreachable database)', async () => {
    await writerSettled(() => ({ state: 'writing', writes: 0 }), 30, 1)();
  });
});

describe('docs/dashboard.md', () => {
  it('shows only screenshots that the screenshot script writes, and they exist', () => {
    const docs = readFileSync(join(REPO, 'docs/dashboard.md'), 'utf8');
    const script = readFileSync(join(REPO, 'scripts/dashboard-screenshots.mjs'), 'utf8');
    const images = [...docs.matchAll(/\]\((images\/[^)]+\.png)\)/g)].map((m) => m[1] as string);
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const image of images) {
      expect(script, image).toContain(`'${image.slice('images/'.length)}'`);
      expect(existsSync(join(REPO, 'docs', image)), image).toBe(true);
    }
  });
});
