/**
 * `detail` → one of the model's detail variants, chosen by the catalog category of
 * the event type (never by the detail's own look alone, except where two variants
 * share a category: tariff plan vs inclusive volume, operator vs anything else).
 *
 * Every variant keeps the whole object as `raw`; the typed fields are a tolerant
 * view on it (see readTolerant.ts), which is also why `encodeEvent` writes `raw`
 * back and decoding that gives the same event again.
 */
import type { EventTypeEntry } from '../../catalog/eventTypes.js';
import type {
  Country,
  EventDetail,
  InclusiveVolumeDetail,
  JsonObject,
  OperatorDetail,
  PdpContext,
  QuotaDetail,
  SimOrderDetail,
  TariffPlanDetail,
  UserDetail,
} from '../../model/event.js';
import { parseJsonText } from '../parseJsonText.js';
import { copyJsonObject } from './copyJson.js';
import { type Fields, fail, isFields } from './readStrict.js';
import { looseCode, looseDate, looseInteger, looseNumber, looseString, objectOrNull, pick } from './readTolerant.js';

/**
 * Decodes `detail`. A JSON-encoded string (1NCE quota records) is parsed when it
 * holds a JSON object; any other string — 1NCE's are not always valid JSON — is kept
 * as text and the event stays valid. `trusted`: the value came from our own parser.
 */
export function decodeDetail(value: unknown, entry: EventTypeEntry | undefined, trusted: boolean): EventDetail | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    const parsed = parseJsonText(value);
    if (parsed.ok && isFields(parsed.value)) return classifyDetail(parsed.value as JsonObject, entry);
    return { kind: 'text', text: value };
  }
  if (isFields(value)) {
    const raw = trusted ? (value as JsonObject) : copyJsonObject(value, '$.detail');
    return classifyDetail(raw, entry);
  }
  return fail('wrong_type', '$.detail', 'an object, a JSON-encoded string or null', value);
}

/** Keys that mark a network detail as an operator detail. */
const OPERATOR_KEYS = ['name', 'country', 'mnc', 'pdp_context'] as const;

function classifyDetail(raw: JsonObject, entry: EventTypeEntry | undefined): EventDetail {
  switch (entry?.category) {
    case 'network_registration':
    case 'data_session':
      return OPERATOR_KEYS.some((key) => Object.hasOwn(raw, key)) ? operatorDetail(raw) : { kind: 'raw', raw };
    case 'data_quota':
    case 'sms_quota':
      return quotaDetail(raw);
    case 'tariff':
      if (Object.hasOwn(raw, 'tariff_plan')) return tariffPlanDetail(raw);
      if (Object.hasOwn(raw, 'inclusive_volume')) return inclusiveVolumeDetail(raw);
      return { kind: 'raw', raw };
    case 'sim_order':
      return simOrderDetail(raw);
    case 'authentication':
    case 'user':
      return userDetail(raw);
    default:
      return { kind: 'raw', raw };
  }
}

/** The first `[{ mnc: "02" }]` item's field, or the field itself when sent bare. */
function firstCode(value: unknown, key: string): string | null {
  if (Array.isArray(value)) {
    const first = objectOrNull(value[0]);
    return first === null ? null : looseCode(first[key]);
  }
  return looseCode(value);
}

function operatorDetail(raw: JsonObject): OperatorDetail {
  const volume = objectOrNull(raw['volume']);
  return {
    kind: 'operator',
    operatorId: looseInteger(raw['id']),
    name: looseString(raw['name']),
    country: country(objectOrNull(raw['country'])),
    mnc: firstCode(raw['mnc'], 'mnc'),
    tapcode: firstCode(raw['tapcode'], 'tapcode'),
    pdpContext: pdpContext(raw),
    volume: volume === null ? null : { rx: looseNumber(volume['rx']), tx: looseNumber(volume['tx']), total: looseNumber(volume['total']) },
    raw,
  };
}

function country(c: Fields | null): Country | null {
  if (c === null) return null;
  return {
    id: looseInteger(c['id']),
    name: looseString(c['name']),
    countryCode: looseCode(c['country_code']),
    mcc: looseCode(c['mcc']),
    isoCode: looseString(c['iso_code']),
  };
}

function pdpContext(detail: JsonObject): PdpContext | null {
  const pdp = detail['pdp_context'];
  if (!isFields(pdp)) return null;
  const raw = pdp as JsonObject;
  return {
    apn: looseString(raw['apn']),
    ratType: looseInteger(raw['rat_type']),
    ueIpAddress: looseString(raw['ue_ip_address']),
    mcc: looseCode(raw['mcc']),
    mnc: looseCode(raw['mnc']),
    imsi: looseCode(raw['imsi']),
    // Newer records put session_id in pdp_context, others directly under detail.
    sessionId: looseString(pick(raw, 'session_id') ?? pick(detail, 'session_id')),
    tunnelCreated: looseDate(raw['tunnel_created']),
    raw,
  };
}

/**
 * Threshold / used-up details nest the figures in `quota {…}` (snake_case); assigned
 * quotas carry them at the top, camelCase as an object, snake_case as a 1NCE string.
 */
function quotaDetail(raw: JsonObject): QuotaDetail {
  const quota = objectOrNull(raw['quota']);
  const status = pick(quota, 'status') ?? pick(raw, 'status');
  const statusObject = objectOrNull(status);
  return {
    kind: 'quota',
    volume: looseNumber(pick(quota, 'volume') ?? pick(raw, 'volume')),
    thresholdPercentage: looseNumber(pick(quota, 'threshold_percentage', 'thresholdPercentage') ?? pick(raw, 'threshold_percentage', 'thresholdPercentage')),
    expiryDate: looseDate(pick(quota, 'expiry_date', 'expiryDate') ?? pick(raw, 'expiry_date', 'expiryDate')),
    status: statusObject === null ? looseString(status) : looseString(pick(statusObject, 'description', 'name')),
    raw,
  };
}

function tariffPlanDetail(raw: JsonObject): TariffPlanDetail {
  const plan = objectOrNull(raw['tariff_plan']);
  return {
    kind: 'tariffPlan',
    id: looseInteger(pick(plan, 'id')),
    name: looseString(pick(plan, 'name')),
    startDate: looseDate(pick(plan, 'start_date')),
    endDate: looseDate(pick(plan, 'end_date')),
    raw,
  };
}

function inclusiveVolumeDetail(raw: JsonObject): InclusiveVolumeDetail {
  const volume = objectOrNull(raw['inclusive_volume']);
  const ratezone = pick(volume, 'ratezone');
  const ratezoneObject = objectOrNull(ratezone);
  return {
    kind: 'inclusiveVolume',
    id: looseInteger(pick(volume, 'id')),
    volume: looseNumber(pick(volume, 'volume')),
    ratezone: ratezoneObject === null ? looseString(ratezone) : looseString(ratezoneObject['name']),
    startDate: looseDate(pick(volume, 'start_date')),
    endDate: looseDate(pick(volume, 'end_date')),
    raw,
  };
}

function simOrderDetail(raw: JsonObject): SimOrderDetail {
  const status = raw['status'];
  const statusObject = objectOrNull(status);
  return {
    kind: 'simOrder',
    id: looseInteger(raw['id']),
    statusId: looseInteger(statusObject === null ? status : statusObject['id']),
    raw,
  };
}

function userDetail(raw: JsonObject): UserDetail {
  return {
    kind: 'user',
    id: looseInteger(raw['id']),
    username: looseString(raw['username']),
    name: looseString(raw['name']),
    organisationId: looseInteger(pick(raw, 'organisationId', 'organisation_id')),
    raw,
  };
}
