/**
 * Which record can carry each device event: derived from the catalog's `effect`
 * column and the decoder's `DEVICE_EVENT_RULES`, never listed by hand, so a new
 * catalog row is drawn as soon as it exists.
 */
import { DEVICE_EVENT_RULES, DEVICE_EVENT_TYPES, type DeviceEventType, EVENT_TYPES, type RecordFlag } from '@simfleet/core';
import { GENERIC_DISCONNECT_VARIANTS, GENERIC_VARIANTS, PDP_CREATE_VARIANTS } from '../../simulator/RecordRenderer.js';
import { UNKNOWN_TYPE_IDS } from '../../simulator/recordTypes.js';

/** A record kind: catalog type id and renderer variant. */
export interface RecordChoice {
  readonly typeId: number;
  readonly variant: number;
  /** Organisation-level record (no endpoint), e.g. Organisation blocked. */
  readonly organisationLevel: boolean;
}

/** The renderer variants of a flagged type, split by the flag's value. */
function variantsOf(flag: RecordFlag, value: boolean): number[] {
  switch (flag) {
    case 'dataDisconnect':
      return Array.from({ length: GENERIC_VARIANTS }, (_, v) => v).filter((v) => v < GENERIC_DISCONNECT_VARIANTS === value);
    case 'accepted':
      return Array.from({ length: PDP_CREATE_VARIANTS }, (_, v) => v).filter((v) => (v === 0) === value);
    case 'deletion':
      return value ? [1] : [0];
  }
}

/**
 * Record kinds per device event type, for records about one device. Types whose
 * catalog entity is an organisation, user or service profile are left out (they are
 * about no device), except Organisation blocked, which reaches the device through its
 * organisation. `withUnknown` adds ids absent from the catalog to RECORDED.
 */
export function recordChoices(withUnknown: boolean): ReadonlyMap<DeviceEventType, readonly RecordChoice[]> {
  const out = new Map<DeviceEventType, RecordChoice[]>(DEVICE_EVENT_TYPES.map((t) => [t, []]));
  const add = (type: DeviceEventType, choice: RecordChoice): void => {
    out.get(type)?.push(choice);
  };
  for (const entry of EVENT_TYPES) {
    const rule = DEVICE_EVENT_RULES[entry.effect];
    const organisationLevel = entry.effect === 'ORGANISATION_BLOCKED';
    const aboutDevice = entry.entity === 'endpoint' || entry.entity === 'sim';
    if (!aboutDevice && !organisationLevel) continue;
    if (rule.kind === 'fixed') {
      add(rule.type, { typeId: entry.id, variant: 0, organisationLevel });
      continue;
    }
    for (const value of [true, false]) {
      for (const variant of variantsOf(rule.flag, value)) {
        add(value ? rule.whenTrue : rule.whenFalse, { typeId: entry.id, variant, organisationLevel });
      }
    }
  }
  if (withUnknown) {
    // Variant 1: an unknown type that names the device's endpoint.
    for (const typeId of UNKNOWN_TYPE_IDS) add('RECORDED', { typeId, variant: 1, organisationLevel: false });
  }
  for (const [type, choices] of out) {
    if (choices.length === 0) throw new Error(`no catalog record produces ${type}`);
  }
  return out;
}
