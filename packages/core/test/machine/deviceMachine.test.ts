/**
 * The device statechart, rule by rule (the seeds, the reference notes and the project's decisions), driven through XState actors.
 */
import { createActor } from 'xstate';
import { describe, expect, test } from 'vitest';
import { DEVICE_EVENT_TYPES, type DeviceEvent, type DeviceEventType, EMPTY_OBSERVATION, type Observation } from '../../src/machine/deviceEvent.js';
import { deviceMachine } from '../../src/machine/deviceMachine.js';
import { effectiveStatus } from '../../src/machine/endpointState.js';
import { endpointStateFromSnapshot, regionStatesOfSnapshot } from '../../src/machine/endpointStateFromSnapshot.js';
import { organisationMachine } from '../../src/machine/organisationMachine.js';

let clock = 0;
const ev = (type: DeviceEventType, observation: Partial<Observation> = {}): DeviceEvent => {
  clock += 1000;
  return { type, at: clock, eventId: BigInt(clock), endpointId: 7, observation: { ...EMPTY_OBSERVATION, ...observation } };
};

function run(...types: (DeviceEventType | DeviceEvent)[]) {
  const actor = createActor(deviceMachine, { input: { endpointId: 7 } }).start();
  for (const t of types) actor.send(typeof t === 'string' ? ev(t) : t);
  const snapshot = actor.getSnapshot();
  actor.stop();
  return { snapshot, regions: regionStatesOfSnapshot(snapshot), context: snapshot.context };
}

describe('connectivity', () => {
  test.each([
    [['ATTACH'], 'ATTACHED'],
    [['ATTACH', 'ATTACH'], 'ATTACHED'],
    [['SESSION_CREATED', 'ATTACH'], 'ONLINE'],
    [['SESSION_CREATED'], 'ONLINE'],
    [['SESSION_UPDATED'], 'ONLINE'],
    [['ATTACH', 'SESSION_UPDATED'], 'ONLINE'],
    [['SESSION_REJECTED'], 'ATTACHED'],
    [['SESSION_CREATED', 'SESSION_REJECTED'], 'ONLINE'],
    [['SESSION_CREATED', 'SESSION_ENDED'], 'ATTACHED'],
    [['SESSION_ENDED'], 'OFFLINE'],
    [['ATTACH', 'SESSION_ENDED'], 'ATTACHED'],
    [['SESSION_CREATED', 'PURGE'], 'OFFLINE'],
    [['ATTACH', 'PURGE'], 'OFFLINE'],
    [['SESSION_CREATED', 'RECORDED', 'ORGANISATION_BLOCKED'], 'ONLINE'],
  ] as const)('%j → %s', (types, expected) => {
    expect(run(...types).regions.connectivity).toBe(expected);
  });

  test('since is the time connectivity last changed; staying ONLINE does not move it', () => {
    const created = ev('SESSION_CREATED');
    const { context } = run(ev('ATTACH'), created, ev('SESSION_CREATED'), ev('SESSION_UPDATED'), ev('ATTACH'), ev('RECORDED'));
    expect(context.since).toBe(created.at);
    expect(run().context.since).toBeNull();
    expect(run('RECORDED').context.since).toBeNull();
  });
});

describe('sim, endpoint, block, quotas', () => {
  test('SIM lifecycle; registration only from unknown', () => {
    expect(run('SIM_REGISTERED').regions.sim).toBe('ISSUED');
    expect(run('SIM_ACTIVATED', 'SIM_REGISTERED').regions.sim).toBe('ACTIVATED');
    expect(run('SIM_REGISTERED', 'SIM_FACTORY_TEST', 'SIM_ACTIVATED', 'SIM_SUSPENDED').regions.sim).toBe('SUSPENDED');
  });

  test('DELETED is final for the SIM, yet the device keeps recording', () => {
    const later = ev('SESSION_CREATED');
    const { snapshot, regions, context } = run('SIM_DELETED', 'SIM_ACTIVATED', 'SIM_REGISTERED', later);
    expect(regions.sim).toBe('DELETED');
    expect(snapshot.status).toBe('active');
    expect(regions.connectivity).toBe('ONLINE');
    expect(context.lastEventId).toBe(later.eventId);
    expect(endpointStateFromSnapshot(snapshot, false).status).toBe('DELETED');
  });

  test('endpoint enabled/disabled', () => {
    expect(run('ENDPOINT_DISABLED').regions.endpoint).toBe('DISABLED');
    expect(run('ENDPOINT_DISABLED', 'ENDPOINT_ENABLED').regions.endpoint).toBe('ENABLED');
  });

  test('endpoint block is cleared by an accepted session or by Endpoint enabled, not by an update', () => {
    expect(run('ENDPOINT_BLOCKED').regions.block).toBe('BLOCKED');
    expect(run('ENDPOINT_BLOCKED', 'SESSION_UPDATED', 'SESSION_REJECTED').regions.block).toBe('BLOCKED');
    expect(run('ENDPOINT_BLOCKED', 'SESSION_CREATED').regions.block).toBe('NOT_BLOCKED');
    expect(run('ENDPOINT_BLOCKED', 'ENDPOINT_ENABLED').regions.block).toBe('NOT_BLOCKED');
    expect(run('ORGANISATION_BLOCKED').regions.block).toBe('NOT_BLOCKED');
  });

  test('data quota with threshold and expiry; SMS quota', () => {
    const data = (...t: DeviceEventType[]) => endpointStateFromSnapshot(run(...t).snapshot, false);
    expect(data('DATA_QUOTA_ASSIGNED')).toMatchObject({ dataQuota: 'ACTIVE', dataQuotaThresholdReached: false });
    expect(data('DATA_QUOTA_ASSIGNED', 'DATA_QUOTA_THRESHOLD')).toMatchObject({ dataQuota: 'ACTIVE', dataQuotaThresholdReached: true });
    expect(data('DATA_QUOTA_THRESHOLD', 'DATA_QUOTA_ASSIGNED')).toMatchObject({ dataQuota: 'ACTIVE', dataQuotaThresholdReached: false });
    expect(data('DATA_QUOTA_THRESHOLD', 'DATA_QUOTA_USED_UP')).toMatchObject({ dataQuota: 'EXHAUSTED', dataQuotaThresholdReached: false });
    expect(data('DATA_QUOTA_ASSIGNED', 'DATA_QUOTA_EXPIRED').dataQuota).toBe('EXPIRED');
    expect(data('DATA_QUOTA_ASSIGNED', 'DATA_QUOTA_DELETED').dataQuota).toBe('NONE');
    expect(data().dataQuota).toBeNull();
    expect(data('SMS_QUOTA_ASSIGNED', 'SMS_QUOTA_THRESHOLD')).toMatchObject({ smsQuota: 'ACTIVE', smsQuotaThresholdReached: true });
    expect(data('SMS_QUOTA_USED_UP').smsQuota).toBe('EXHAUSTED');
    expect(data('SMS_QUOTA_ASSIGNED', 'SMS_QUOTA_DELETED').smsQuota).toBe('NONE');
    expect(data('DATA_QUOTA_EXPIRED', 'SMS_QUOTA_DELETED')).toMatchObject({ dataQuota: 'EXPIRED', smsQuota: 'NONE' });
  });
});

describe('context', () => {
  test('record runs exactly once per event, whichever regions also handle it', () => {
    let calls = 0;
    const counted = deviceMachine.provide({ actions: { record: () => void calls++ } });
    const actor = createActor(counted, { input: { endpointId: 7 } }).start();
    // Every type twice, including SIM_DELETED, which makes XState raise an internal
    // `xstate.done.state` event that the wildcard would otherwise also catch.
    const events = [...DEVICE_EVENT_TYPES, ...DEVICE_EVENT_TYPES].map((t) => ev(t));
    for (const e of events) actor.send(e);
    actor.stop();
    expect(calls).toBe(events.length);
  });

  test('counters, last event, and last rejection reason', () => {
    const last = ev('RECORDED');
    const { context } = run('ATTACH', 'ATTACH', 'SESSION_CREATED', ev('SESSION_REJECTED', { rejectionReason: 'NO_QUOTA' }), ev('SESSION_REJECTED'), last);
    expect(context).toMatchObject({ attaches: 2, sessions: 1, rejections: 2, lastRejectionReason: 'NO_QUOTA' });
    expect(context.lastEventId).toBe(last.eventId);
    expect(context.lastEventAt).toBe(last.at);
  });

  test('null observation fields keep what the device knew; RAT type and APN only from sessions', () => {
    const operator = { name: 'Vodafone', mcc: '262', mnc: '02', country: 'de' };
    const { context } = run(
      ev('ATTACH', { organisationId: 12033, simId: 3577707, iccid: '8988303000005733850', imsi: '295090004145444', operator }),
      ev('SESSION_CREATED', { ratType: 6, apn: 'em', imei: '8693700220003770', ipAddress: '100.102.41.209' }),
      ev('RECORDED', { ratType: 2, apn: 'other', rejectionReason: 'OTHER' }),
      ev('SESSION_UPDATED', { ratType: null, apn: 'em2' }),
      ev('PURGE'),
    );
    expect(context).toMatchObject({
      organisationId: 12033,
      simId: 3577707,
      iccid: '8988303000005733850',
      imsi: '295090004145444',
      imei: '8693700220003770',
      ipAddress: '100.102.41.209',
      operator,
      ratType: 6,
      apn: 'em2',
      lastRejectionReason: null,
    });
  });
});

describe('effective status and the organisation', () => {
  test('precedence DELETED > SUSPENDED > DISABLED > BLOCKED > connectivity', () => {
    const view = (orgBlocked: boolean, ...t: DeviceEventType[]) => endpointStateFromSnapshot(run(...t).snapshot, orgBlocked).status;
    expect(view(true, 'SESSION_CREATED', 'ENDPOINT_BLOCKED', 'ENDPOINT_DISABLED', 'SIM_SUSPENDED', 'SIM_DELETED')).toBe('DELETED');
    expect(view(true, 'SESSION_CREATED', 'ENDPOINT_BLOCKED', 'ENDPOINT_DISABLED', 'SIM_SUSPENDED')).toBe('SUSPENDED');
    expect(view(true, 'SESSION_CREATED', 'ENDPOINT_BLOCKED', 'ENDPOINT_DISABLED')).toBe('DISABLED');
    expect(view(false, 'SESSION_CREATED', 'ENDPOINT_BLOCKED')).toBe('BLOCKED');
    expect(view(true, 'SESSION_CREATED')).toBe('BLOCKED');
    expect(view(false, 'SESSION_CREATED')).toBe('ONLINE');
    expect(effectiveStatus({ sim: 'ACTIVATED', endpoint: 'ENABLED', blocked: false, connectivity: 'ATTACHED' })).toBe('ATTACHED');
  });

  test('organisation machine: blocked by Organisation blocked, unblocked by an accepted session', () => {
    const org = createActor(organisationMachine, { input: { organisationId: 12033 } }).start();
    expect(org.getSnapshot().value).toBe('ACTIVE');
    org.send(ev('SESSION_UPDATED'));
    org.send(ev('ORGANISATION_BLOCKED'));
    expect(org.getSnapshot().value).toBe('BLOCKED');
    org.send(ev('SESSION_UPDATED'));
    org.send(ev('ENDPOINT_ENABLED'));
    expect(org.getSnapshot().value).toBe('BLOCKED');
    org.send(ev('SESSION_CREATED'));
    expect(org.getSnapshot().value).toBe('ACTIVE');
    org.stop();
  });
});
