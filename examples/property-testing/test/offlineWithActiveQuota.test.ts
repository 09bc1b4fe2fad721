/**
 * The alerting rule, property-tested with @simfleet/testkit: generated fleet logs
 * (plausible lifecycles walked on simfleet's statechart), delivered in disorder and
 * twice, checked against an oracle built from each device's timeline.
 */
import '@simfleet/testkit/vitest';
import { decodeEvent, eventTypeByKey, type JsonObject, type KnownEventTypeKey } from '@simfleet/core';
import { deviceLifecycle, fleetLog, replayRecords, type TimelineEntry, TransitionCoverage, toDeviceEvents } from '@simfleet/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Alert, alertOnOfflineWithActiveQuota, newFleet } from '../src/offlineWithActiveQuota.js';

const byTime = (a: Alert, b: Alert): number => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0) || a.endpointId - b.endpointId;

const alertsOf = (...batches: (readonly JsonObject[])[]): Alert[] => {
  const fleet = newFleet();
  return batches.flatMap((batch) => alertOnOfflineWithActiveQuota(fleet, batch).alerts).sort(byTime);
};

/**
 * The oracle: from a device's timeline, the moments it went OFFLINE while the last data
 * quota transition before had left the quota active.
 */
function expectedAlerts(endpointId: number, timeline: readonly TimelineEntry[]): Alert[] {
  let quota = 'UNKNOWN';
  const out: Alert[] = [];
  for (const entry of timeline) {
    for (const t of entry.transitions) {
      if (t.region === 'dataQuota') quota = t.to;
      if (t.region === 'connectivity' && t.to === 'OFFLINE' && quota.startsWith('ACTIVE')) {
        out.push({ endpointId, at: t.at, eventId: t.eventId, rule: 'OFFLINE_WITH_ACTIVE_DATA_QUOTA' });
      }
    }
  }
  return out;
}

/** A minimal record of a catalog type for endpoint 11089066 (organisation 12033). */
const record = (key: KnownEventTypeKey, id: number, timestamp: string, description = ''): JsonObject => ({
  id,
  timestamp,
  description,
  event_type: { id: eventTypeByKey(key).id, description: eventTypeByKey(key).name },
  organisation: { id: 12033, name: 'Test Org' },
  endpoint: { id: 11089066, name: 'Test Sim 2' },
});

describe('alert when a device goes OFFLINE while its data quota is ACTIVE', () => {
  it('a worked example', () => {
    const records = [
      record('dataQuotaAssigned', 137000000000001, '2021-10-27T08:00:00.000Z'),
      record('updateLocation', 137000000000002, '2021-10-27T08:01:00.000Z'),
      record('createPdpContext', 137000000000003, '2021-10-27T08:02:00.000Z', 'New PDP Context successfully activated.'),
      record('purgeGprsLocation', 137000000000004, '2021-10-27T08:30:00.000Z'),
    ];
    expect(records).toLeadTo({ connectivity: 'OFFLINE', dataQuota: 'ACTIVE', sessions: 1 });
    expect(alertsOf(records)).toEqual([
      { endpointId: 11089066, at: Date.parse('2021-10-27T08:30:00.000Z'), eventId: 137000000000004n, rule: 'OFFLINE_WITH_ACTIVE_DATA_QUOTA' },
    ]);
    // Without the quota, no alert — and delivered twice, still one.
    expect(alertsOf(records.slice(1))).toEqual([]);
    expect(alertsOf(records, records)).toHaveLength(1);
  });

  it('raises exactly the alerts the devices’ timelines call for', () => {
    let raised = 0;
    fc.assert(
      fc.property(fleetLog({ devices: 4, events: 60 }), (records) => {
        const replay = replayRecords(records);
        const expected = [...replay.fleet.endpointIds()].flatMap((id) => expectedAlerts(id, replay.timeline(id)));
        const alerts = alertsOf(records);
        expect(alerts).toEqual(expected.sort(byTime));
        raised += alerts.length;
      }),
      { numRuns: 150 },
    );
    // The generated logs do reach the situation the rule is about.
    expect(raised).toBeGreaterThan(0);
  });

  it('raises the same alerts whatever order and however often the records arrive', () => {
    fc.assert(
      fc.property(fleetLog({ devices: 3, events: 40, disorder: true }), (delivered) => {
        const ordered = [...delivered]
          .map((r) => ({ r, e: decodeEvent(r) }))
          .filter((x) => x.e.ok)
          .sort((a, b) => {
            const x = a.e.ok ? a.e.value : undefined;
            const y = b.e.ok ? b.e.value : undefined;
            return (x?.timestamp ?? 0) - (y?.timestamp ?? 0) || ((x?.id ?? 0n) < (y?.id ?? 0n) ? -1 : 1);
          })
          .map((x) => x.r);
        expect(alertsOf(delivered)).toEqual(alertsOf(ordered));
      }),
      { numRuns: 100 },
    );
  });

  it('raises nothing twice when a batch is delivered again, and splitting batches changes nothing', () => {
    fc.assert(
      fc.property(fleetLog({ devices: 3, events: 40 }), fc.nat(), (records, cut) => {
        const k = records.length === 0 ? 0 : cut % records.length;
        const once = alertsOf(records);
        expect(alertsOf(records.slice(0, k), records.slice(k))).toEqual(once);
        expect(alertsOf(records, records)).toEqual(once);
      }),
      { numRuns: 100 },
    );
  });

  it('the generated runs exercise every way into OFFLINE', () => {
    const coverage = new TransitionCoverage();
    fc.assert(
      fc.property(deviceLifecycle(), (records) => {
        coverage.add(toDeviceEvents(records));
        const replay = replayRecords(records);
        for (const id of replay.fleet.endpointIds()) {
          expect(alertsOf(records).filter((a) => a.endpointId === id)).toEqual(expectedAlerts(id, replay.timeline(id)));
        }
      }),
      { seed: 42 },
    );
    const intoOffline = coverage.transitions.filter((t) => t.region === 'connectivity' && t.to === 'OFFLINE');
    expect(intoOffline.length).toBeGreaterThan(0);
    for (const t of intoOffline) expect(coverage.timesTaken(t), t.key).toBeGreaterThan(0);
  });
});
