/** classifyEvent: the catalog effect → DeviceEvent mapping, and what a record observes. */
import { describe, expect, it } from 'vitest';
import { type CatalogEffect, EVENT_TYPES, eventTypeByKey } from '../../src/catalog/eventTypes.js';
import { classifyEvent } from '../../src/decode/classifyEvent.js';
import { decodeEvent } from '../../src/decode/decodeEvent.js';
import { type DeviceEventType, EMPTY_OBSERVATION } from '../../src/machine/deviceEvent.js';
import { baseRecord, ok, type Rec } from './support.js';

/**
 * The mapping the brief specifies, written out independently of DEVICE_EVENT_RULES:
 * the device event of each effect for a record whose flags are at their default
 * (a neutral description: Generic not a disconnect, PDP accepted, type 4 no deletion).
 */
const EXPECTED: Record<CatalogEffect, DeviceEventType> = {
  NONE: 'RECORDED',
  GENERIC: 'RECORDED',
  ATTACH: 'ATTACH',
  PDP_CREATE: 'SESSION_CREATED',
  PDP_UPDATE: 'SESSION_UPDATED',
  SESSION_END: 'SESSION_ENDED',
  PURGE: 'PURGE',
  SIM_ACTIVATED: 'SIM_ACTIVATED',
  SIM_SUSPENDED: 'SIM_SUSPENDED',
  SIM_DELETED: 'SIM_DELETED',
  SIM_FACTORY_TEST: 'SIM_FACTORY_TEST',
  SIM_REGISTERED: 'SIM_REGISTERED',
  ENDPOINT_ENABLED: 'ENDPOINT_ENABLED',
  ENDPOINT_DISABLED: 'ENDPOINT_DISABLED',
  ENDPOINT_BLOCKED: 'ENDPOINT_BLOCKED',
  ORGANISATION_BLOCKED: 'ORGANISATION_BLOCKED',
  DATA_QUOTA_ASSIGNED: 'DATA_QUOTA_ASSIGNED',
  DATA_QUOTA_THRESHOLD: 'DATA_QUOTA_THRESHOLD',
  DATA_QUOTA_USED_UP: 'DATA_QUOTA_USED_UP',
  DATA_QUOTA_EXPIRED: 'DATA_QUOTA_EXPIRED',
  DATA_QUOTA_DELETED: 'DATA_QUOTA_DELETED',
  SMS_QUOTA_ASSIGNED: 'SMS_QUOTA_ASSIGNED',
  SMS_QUOTA_THRESHOLD: 'SMS_QUOTA_THRESHOLD',
  SMS_QUOTA_USED_UP: 'SMS_QUOTA_USED_UP',
  SMS_QUOTA_DELETED: 'SMS_QUOTA_DELETED',
};

const classify = (record: Rec) => classifyEvent(ok(decodeEvent(record)));
const neutral = (typeId: number): Rec => ({ ...baseRecord(typeId), description: 'Something happened.' });

describe('classifyEvent', () => {
  it.each(EVENT_TYPES.map((t) => [t.key, t.id, t.effect] as const))('%s (%i, %s)', (_key, typeId, effect) => {
    const device = classify(neutral(typeId));
    expect(device.type).toBe(EXPECTED[effect]);
    expect(device).toMatchObject({ at: Date.parse('2021-10-27T08:38:02.000Z'), eventId: 500000000000001n, endpointId: 11089066 });
  });

  it('resolves the record-dependent effects from the record', () => {
    const generic = eventTypeByKey('generic').id;
    const create = eventTypeByKey('createPdpContext').id;
    const update = eventTypeByKey('updatePdpContext').id;
    expect(classify({ ...neutral(generic), description: 'disconnecting data access for endpoint.' }).type).toBe('SESSION_ENDED');
    expect(classify({ ...neutral(create), description: 'PDP Context Request rejected, because x.' }).type).toBe('SESSION_REJECTED');
    expect(classify({ ...neutral(update), description: 'PDP Context deleted.' }).type).toBe('SESSION_ENDED');
  });

  it('observes identifiers, operator, RAT type and APN of an accepted session', () => {
    expect(classify(baseRecord(eventTypeByKey('createPdpContext').id)).observation).toEqual({
      organisationId: 12033,
      simId: 3577707,
      iccid: '8988303000005733850',
      imsi: '295090004145444',
      imei: '8693700220003770',
      ipAddress: '100.102.41.209',
      name: 'Test Sim 2',
      operator: { name: 'Vodafone', mcc: '262', mnc: '02', country: 'de' },
      ratType: 6,
      apn: 'em',
      rejectionReason: null,
    });
  });

  it('gives RAT type and APN only for created/updated sessions, the reason only for rejections', () => {
    const attach = classify(baseRecord(eventTypeByKey('updateGprsLocation').id)).observation;
    expect([attach.ratType, attach.apn, attach.rejectionReason]).toEqual([null, null, null]);
    expect(attach.operator?.name).toBe('Vodafone');
    const rejected = classify({
      ...baseRecord(eventTypeByKey('createPdpContext').id),
      description: 'PDP Context Request rejected, because endpoint has no quota.',
    }).observation;
    expect([rejected.ratType, rejected.apn, rejected.rejectionReason]).toEqual([null, null, 'NO_QUOTA']);
  });

  it('takes MCC/MNC from pdp_context when the operator object has no country or mnc', () => {
    const r = baseRecord(eventTypeByKey('createPdpContext').id);
    delete (r['detail'] as Rec)['country'];
    expect(classify(r).observation.operator).toEqual({ name: 'Vodafone', mcc: '262', mnc: '02', country: null });
  });

  it('observes nothing the record does not say', () => {
    const bare = {
      id: 1,
      timestamp: '2021-10-27T08:38:02Z',
      event_type: { id: eventTypeByKey('userVerified').id },
    };
    expect(classify(bare)).toEqual({
      type: 'RECORDED',
      at: Date.parse('2021-10-27T08:38:02Z'),
      eventId: 1n,
      endpointId: null,
      observation: EMPTY_OBSERVATION,
    });
  });
});
