import type { FleetSummary } from '@simfleet/core';
import { LiveFleet } from '@simfleet/engine';
import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { filter, map } from 'rxjs/operators';
import { describe, expect, it } from 'vitest';
import {
  becameBlocked,
  becameStale,
  cameOnline,
  type FleetTransition,
  type FleetView,
  fleetState,
  quotaExhausted,
  transitions,
  type UnappliedEvent,
  wentOffline,
} from '../src/index.js';
import { de } from './deviceEvents.js';
import { testScheduler } from './marbles.js';

const brief = (v: FleetView): string => `${v.batchNumber}:${v.batch.events}/${v.batch.applied}/${v.batch.duplicates}/${v.batch.tooLate}`;
const show = (t: FleetTransition): string => `${t.endpointId}.${t.region}:${t.from}>${t.to}@${t.at}`;

describe('fleetState batching (marbles)', () => {
  it('applies a batch when it is full or when its first event has waited maxDelay', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values = {
        a: de('ATTACH', 1, 1, 7),
        b: de('ATTACH', 2, 2, 8),
        c: de('SESSION_CREATED', 3, 3, 7),
        d: de('PURGE', 4, 4, 8),
        e: de('ATTACH', 5, 5, 9),
      };
      // Full at c (3 events); d waits 4 frames alone; e is flushed by completion.
      const views = cold('abc-d-----e|', values).pipe(fleetState({ maxBatch: 3, maxDelay: 4 }), map(brief));
      expectObservable(views).toBe('--x-----y--(z|)', { x: '1:3/3/0/0', y: '2:1/1/0/0', z: '3:1/1/0/0' });
    });
  });

  it('counts duplicates per batch and in totals, and places a late event where it belongs', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values = {
        a: de('ATTACH', 10, 1, 7),
        b: de('ATTACH', 10, 1, 7), // same (time, id): duplicate
        c: de('SESSION_CREATED', 20, 2, 7),
        e: de('ATTACH', 30, 5, 8),
        d: de('PURGE', 15, 3, 7), // a later batch, older than the device's last event: placed, the device re-folded
      };
      const views = cold('ab--ce-d|', values).pipe(
        fleetState({ maxBatch: 2, maxDelay: 100 }),
        map((v) => `${brief(v)} total ${v.totals.events}/${v.totals.applied}/${v.totals.duplicates}/${v.totals.tooLate}`),
      );
      expectObservable(views).toBe('-x---y--(z|)', { x: '1:2/1/1/0 total 2/1/1/0', y: '2:2/2/0/0 total 4/3/1/0', z: '3:1/1/0/0 total 5/4/1/0' });
    });
  });

  it('emits nothing and completes for an empty source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<ReturnType<typeof de>>('---|').pipe(fleetState({ maxBatch: 2, maxDelay: 1 }))).toBe('---|');
    });
  });
});

describe('fleetState views and transitions', () => {
  const run = async (events: Parameters<typeof de>[], options: Parameters<typeof fleetState>[0] = {}): Promise<FleetView[]> =>
    lastValueFrom(from(events.map((args) => de(...args))).pipe(fleetState({ maxBatch: 100, ...options }), toArray()));

  it('reads devices and the summary back after a batch', async () => {
    const views = await run([
      ['ATTACH', 1000, 1, 7, { organisationId: 5 }],
      ['SESSION_CREATED', 2000, 2, 7, { apn: 'em', ratType: 6 }],
      ['ATTACH', 1500, 3, 8, { organisationId: 5 }],
    ]);
    expect(views).toHaveLength(1);
    const view = views[0] as FleetView;
    expect(view.eventTime).toBe(2000);
    expect(view.endpoint(7)).toMatchObject({ endpointId: 7, status: 'ONLINE', connectivity: 'ONLINE', apn: 'em', ratType: 6, sessions: 1, stale: false });
    expect(view.endpoint(8)).toMatchObject({ status: 'ATTACHED', organisationId: 5 });
    expect(view.endpoint(9)).toBeUndefined();
    expect([...view.endpointIds()]).toEqual([7, 8]);
    const summary: FleetSummary = view.summary();
    expect(summary.byStatus.ONLINE).toBe(1);
    expect(summary.byStatus.ATTACHED).toBe(1);
    expect(summary.totals.endpoints).toBe(2);
  });

  it('streams transitions in event order, and the filters pick the alerting ones', async () => {
    const views = await run([
      ['SESSION_CREATED', 2000, 2, 7],
      ['ATTACH', 1000, 1, 7],
      ['DATA_QUOTA_ASSIGNED', 2500, 3, 7],
      ['DATA_QUOTA_USED_UP', 3000, 4, 7],
      ['PURGE', 4000, 5, 7],
      ['ENDPOINT_BLOCKED', 4500, 6, 8],
    ]);
    const all = await lastValueFrom(from(views).pipe(transitions(), toArray()));
    const connectivity = all.filter((t) => t.region === 'connectivity').map(show);
    expect(connectivity).toEqual(['7.connectivity:OFFLINE>ATTACHED@1000', '7.connectivity:ATTACHED>ONLINE@2000', '7.connectivity:ONLINE>OFFLINE@4000']);
    expect(all.filter(wentOffline).map((t) => t.eventId)).toEqual([5n]);
    expect(all.filter(cameOnline).map((t) => t.eventId)).toEqual([2n]);
    expect(all.filter(quotaExhausted).map(show)).toEqual(['7.dataQuota:ACTIVE>EXHAUSTED@3000']);
    expect(all.filter(becameBlocked).map((t) => t.endpointId)).toEqual([8]);
    // Event order throughout: (at, id) never decreases.
    for (let i = 1; i < all.length; i++) expect((all[i] as FleetTransition).at).toBeGreaterThanOrEqual((all[i - 1] as FleetTransition).at);
  });

  it('an organisation block reaches every member device', async () => {
    const views = await run([
      ['ATTACH', 1000, 1, 7, { organisationId: 5 }],
      ['ATTACH', 1000, 2, 8, { organisationId: 5 }],
      ['ATTACH', 1000, 3, 9, { organisationId: 6 }],
      ['ORGANISATION_BLOCKED', 2000, 4, null, { organisationId: 5 }],
    ]);
    const blocked = (views[0] as FleetView).transitions.filter(becameBlocked).map((t) => t.endpointId);
    expect(blocked.sort()).toEqual([7, 8]);
  });

  it('ingests into the given live fleet, so other code can read it', async () => {
    const live = new LiveFleet();
    await run([['ATTACH', 1000, 1, 7]], { live });
    expect(live.fleet.readEndpoint(7)?.connectivity).toBe('ATTACHED');
  });

  it('sends events the columns cannot hold to `unapplied`, or errors without it', async () => {
    const bad = de('ATTACH', 1, 2n ** 64n, 7);
    const unapplied: UnappliedEvent[] = [];
    const views = await lastValueFrom(from([bad, de('ATTACH', 2, 1, 8)]).pipe(fleetState({ unapplied: (u) => unapplied.push(u) }), toArray()));
    expect(unapplied.map((u) => u.code)).toEqual(['event_id_out_of_range']);
    expect(views.map((v) => [v.totals.events, v.totals.applied, v.totals.rejected])).toEqual([[2, 1, 1]]);
    await expect(lastValueFrom(from([bad]).pipe(fleetState()))).rejects.toMatchObject({ code: 'event_id_out_of_range' });
  });

  it('holds memory to maxBatch: a batch is applied the moment it is full', () => {
    const source = new Subject<ReturnType<typeof de>>();
    const sizes: number[] = [];
    source.pipe(fleetState({ maxBatch: 4, maxDelay: 60_000 })).subscribe((v) => sizes.push(v.batch.events));
    for (let i = 0; i < 10; i++) source.next(de('RECORDED', i, i, 1));
    // Two full batches applied synchronously; 2 events pending (the timer would apply them).
    expect(sizes).toEqual([4, 4]);
    source.complete();
    expect(sizes).toEqual([4, 4, 2]);
  });
});

describe('fleetState inactivity rule (event time)', () => {
  const events: Parameters<typeof de>[] = [
    ['ATTACH', 0, 1, 1],
    ['ATTACH', 50, 2, 2],
    ['ATTACH', 60, 3, 3],
    ['PURGE', 70, 4, 3], // OFFLINE devices never go stale
    ['RECORDED', 150, 5, 2], // clock 150: device 1 silent for 150 > 100 → stale at 100
    ['RECORDED', 200, 6, 1], // device 1 speaks again
    ['RECORDED', 260, 7, 4], // clock 260: device 2 (last 150) not yet; device 1 (last 200) not yet
    ['RECORDED', 400, 8, 4], // clock 400: device 2 stale at 250, device 1 stale at 300
  ];
  const activity = async (maxBatch: number): Promise<string[]> => {
    const views = await lastValueFrom(
      from(events.map((args) => de(...args))).pipe(fleetState({ maxBatch, inactivity: { after: { milliseconds: 100 } } }), toArray()),
    );
    return views.flatMap((v) => v.transitions.filter((t) => t.region === 'activity').map((t) => `${show(t)}#${t.eventId}`));
  };

  it('marks connected devices stale when the event clock passes their silence, and active again when they speak', async () => {
    expect(await activity(100)).toEqual([
      '1.activity:ACTIVE>STALE@100#1',
      '1.activity:STALE>ACTIVE@200#6',
      '2.activity:ACTIVE>STALE@250#5',
      '1.activity:ACTIVE>STALE@300#6',
    ]);
  });

  it('decides the same whatever the batch size', async () => {
    const whole = await activity(100);
    for (const size of [1, 2, 3, 5]) expect(await activity(size)).toEqual(whole);
  });

  it('reports stale devices in views and filters', async () => {
    const views = await lastValueFrom(from(events.map((args) => de(...args))).pipe(fleetState({ maxBatch: 100, inactivity: { after: 100 } }), toArray()));
    const last = views[views.length - 1] as FleetView;
    expect(last.staleCount).toBe(2);
    expect(last.endpoint(1)?.stale).toBe(true);
    expect(last.endpoint(3)?.stale).toBe(false);
    const stale = await lastValueFrom(
      from(views).pipe(
        transitions(),
        filter(becameStale),
        map((t) => t.endpointId),
        toArray(),
      ),
    );
    expect(stale).toEqual([1, 2, 1]);
  });
});
