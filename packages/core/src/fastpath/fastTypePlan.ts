/**
 * What the fast path needs to know about each catalog event type, as flat tables
 * indexed by type id: the device event it becomes (or which record flag decides),
 * and whether its `detail` can be an operator detail. Built from the catalog and
 * `DEVICE_EVENT_RULES`, so no id or rule is restated here.
 */
import { EVENT_TYPES } from '../catalog/eventTypes.js';
import { DEVICE_EVENT_RULES, type RecordFlag } from '../decode/classifyEvent.js';
import { DEVICE_EVENT_TYPES, type DeviceEventType } from '../machine/deviceEvent.js';

/** `PLAN_RULE` values. */
export const RULE_UNKNOWN = 0;
export const RULE_FIXED = 1;
export const RULE_DATA_DISCONNECT = 2;
export const RULE_ACCEPTED = 3;
export const RULE_DELETION = 4;

/** Type ids above this are not in the tables (and fall back). */
export const MAX_PLANNED_TYPE_ID = 255;

const code = (t: DeviceEventType): number => DEVICE_EVENT_TYPES.indexOf(t);

/** Per type id: one of the RULE_ codes. */
export const PLAN_RULE = new Uint8Array(MAX_PLANNED_TYPE_ID + 1);
/** Per type id: the device event code (fixed rules), or the code when the flag is true. */
export const PLAN_WHEN_TRUE = new Uint8Array(MAX_PLANNED_TYPE_ID + 1);
/** Per type id: the device event code when the flag is false. */
export const PLAN_WHEN_FALSE = new Uint8Array(MAX_PLANNED_TYPE_ID + 1);
/** Per type id: 1 when a detail with operator keys is an operator detail (network categories). */
export const PLAN_OPERATOR_DETAIL = new Uint8Array(MAX_PLANNED_TYPE_ID + 1);

/** The catalog key whose records carry each flag (decodeRecord's `typed`). */
const FLAG_OWNER: { readonly [F in RecordFlag]: string } = {
  dataDisconnect: 'generic',
  accepted: 'createPdpContext',
  deletion: 'updatePdpContext',
};

for (const entry of EVENT_TYPES) {
  if (entry.id < 0 || entry.id > MAX_PLANNED_TYPE_ID) continue;
  const rule = DEVICE_EVENT_RULES[entry.effect];
  if (rule.kind === 'fixed') {
    PLAN_RULE[entry.id] = RULE_FIXED;
    PLAN_WHEN_TRUE[entry.id] = code(rule.type);
  } else if (entry.key !== FLAG_OWNER[rule.flag]) {
    // classifyEvent reads a flag only on the type the decoder sets it for; elsewhere it
    // is constant (`accepted` true, the others false).
    PLAN_RULE[entry.id] = RULE_FIXED;
    PLAN_WHEN_TRUE[entry.id] = code(rule.flag === 'accepted' ? rule.whenTrue : rule.whenFalse);
  } else {
    PLAN_RULE[entry.id] = rule.flag === 'dataDisconnect' ? RULE_DATA_DISCONNECT : rule.flag === 'accepted' ? RULE_ACCEPTED : RULE_DELETION;
    PLAN_WHEN_TRUE[entry.id] = code(rule.whenTrue);
    PLAN_WHEN_FALSE[entry.id] = code(rule.whenFalse);
  }
  PLAN_OPERATOR_DETAIL[entry.id] = entry.category === 'network_registration' || entry.category === 'data_session' ? 1 : 0;
}

/** Device event codes whose observation carries the session's RAT type and APN. */
export const SESSION_CREATED_CODE = code('SESSION_CREATED');
export const SESSION_UPDATED_CODE = code('SESSION_UPDATED');
export const SESSION_REJECTED_CODE = code('SESSION_REJECTED');
