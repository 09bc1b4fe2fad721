/**
 * The record decoder shared by `decodeEvent` (a caller's value) and
 * `decodeEventText` (a value fresh from `parseJsonText`, `trusted`: kept without a
 * defensive copy). What it validates is what the engine relies on: the event id,
 * the timestamp, the type id, and the ids of the endpoint and organisation the event
 * is about. Everything else is tolerated: extra keys, nulls, numbers as strings.
 */
import { eventTypeById, type EventTypeEntry, type KnownEventTypeKey } from '../../catalog/eventTypes.js';
import { DATA_DISCONNECT_PREFIX, REJECTION_PREFIX, rejectionReason } from '../../catalog/rejectionReasons.js';
import type { Code, EmnifyEvent, Endpoint, EventBase, Imsi, JsonValue, Organisation, PdpOutcome, Sim, User } from '../../model/event.js';
import { DecodeError, type DecodeResult } from '../DecodeError.js';
import { parseTimestamp } from '../timestamp.js';
import { copyJsonValue } from './copyJson.js';
import { decodeDetail } from './decodeDetail.js';
import { describeValue } from './describeValue.js';
import { type Fields, fail, identifierField, integerField, isFields, optionalObject, requiredObject, stringField } from './readStrict.js';
import { looseDate } from './readTolerant.js';

/** Event ids are unsigned 64-bit integers (1NCE's spec; emnify's ids fit). */
const MAX_EVENT_ID = 2n ** 64n - 1n;
const DIGITS = /^\d+$/;
const DELETION = /delet/i;

/** Decodes one record; never throws. */
export function decodeRecord(value: unknown, trusted: boolean): DecodeResult<EmnifyEvent> {
  try {
    return { ok: true, value: decodeFields(value, trusted) };
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, error };
    // Not a decoder error: a caller's getter or Proxy threw, or the stack ran out on
    // a pathological value. Still an answer, not an exception.
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : describeValue(error);
    return { ok: false, error: new DecodeError('invalid_value', '$', 'a readable JSON value', reason) };
  }
}

function decodeFields(value: unknown, trusted: boolean): EmnifyEvent {
  if (!isFields(value)) {
    return fail('not_an_object', '$', 'an event object', value);
  }
  // Checked in reading order: id, timestamp, type — the first problem is the one reported.
  const id = eventId(value['id']);
  const timestamp = eventTimestamp(value['timestamp']);
  const eventType = requiredObject(value['event_type'], '$.event_type');
  const typeId = integerField(eventType, 'id', '$.event_type', true) as number;
  const entry = eventTypeById(typeId);
  const description = topDescription(value['description']);
  const base: EventBase = {
    id,
    timestamp,
    typeId,
    alert: alertFlag(value['alert']),
    description,
    source: code(value['event_source'], '$.event_source'),
    severity: code(value['event_severity'], '$.event_severity'),
    organisation: organisation(value['organisation']),
    endpoint: endpoint(value['endpoint'], trusted),
    sim: sim(value['sim']),
    imsi: imsi(value['imsi']),
    user: user(value['user']),
    detail: decodeDetail(value['detail'], entry, trusted),
  };
  return typed(base, entry, eventType);
}

/**
 * Adds the discriminant and the record-dependent flags. The three flags are the only
 * places where a description is read, each documented in the catalog.
 */
function typed(base: EventBase, entry: EventTypeEntry | undefined, eventType: Fields): EmnifyEvent {
  if (entry === undefined) return { ...base, type: 'unknown' };
  const key = entry.key as KnownEventTypeKey;
  switch (key) {
    case 'generic':
      return { ...base, type: key, dataDisconnect: startsWith(base.description, DATA_DISCONNECT_PREFIX) };
    case 'createPdpContext':
      return { ...base, type: key, outcome: pdpOutcome(base.description) };
    case 'updatePdpContext': {
      const typeDescription = eventType['description'];
      const deletion = DELETION.test(base.description) || (typeof typeDescription === 'string' && DELETION.test(typeDescription));
      return { ...base, type: key, deletion };
    }
    default:
      // The catalog row proves `key` is a known key without record-dependent extras;
      // TypeScript cannot check a spread against a 60-member union, hence the cast.
      return { ...base, type: key } as EmnifyEvent;
  }
}

function startsWith(description: string, lowerCasePrefix: string): boolean {
  return description.trimStart().toLowerCase().startsWith(lowerCasePrefix);
}

function pdpOutcome(description: string): PdpOutcome {
  return startsWith(description, REJECTION_PREFIX) ? { accepted: false, reason: rejectionReason(description) } : { accepted: true };
}

/**
 * The event id, exact: a number (only if it is still exact), a digit string or a
 * bigint. A `number` beyond 2^53 was rounded before it reached us: refuse it rather
 * than let two events share an id.
 */
function eventId(value: unknown): bigint {
  const path = '$.id';
  let id: bigint;
  switch (typeof value) {
    case 'undefined':
      return fail('missing_field', path, 'an event id (non-negative integer)', value);
    case 'number':
      if (Number.isSafeInteger(value)) id = BigInt(value);
      else if (Number.isInteger(value) && value > 0) {
        return fail('unsafe_integer', path, 'an exact event id (beyond 2^53 send digits or a bigint)', value);
      } else return fail('invalid_value', path, 'a non-negative integer event id', value);
      break;
    case 'bigint':
      id = value;
      break;
    case 'string':
      if (DIGITS.test(value)) {
        id = BigInt(value);
        break;
      }
      if (/^-\d+$|^-?\d+\.\d+$/.test(value)) return fail('invalid_value', path, 'a non-negative integer event id', value);
      return fail('wrong_type', path, 'an event id (integer or digit string)', value);
    default:
      return fail('wrong_type', path, 'an event id (integer or digit string)', value);
  }
  if (id < 0n || id > MAX_EVENT_ID) return fail('invalid_value', path, 'an event id between 0 and 2^64 − 1', value);
  return id;
}

function eventTimestamp(value: unknown): number {
  if (value === undefined) return fail('missing_field', '$.timestamp', 'a timestamp', value);
  if (typeof value !== 'string') return fail('wrong_type', '$.timestamp', 'a timestamp string', value);
  const ms = parseTimestamp(value);
  if (ms === null) {
    return fail('invalid_timestamp', '$.timestamp', 'an ISO-8601 timestamp such as 2021-10-27T11:59:29.000Z', value);
  }
  return ms;
}

/** `alert` is a boolean in the seeds and 1/0 in some records; absent means no alert. */
function alertFlag(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'number') return fail('invalid_value', '$.alert', 'a boolean, 1 or 0', value);
  return fail('wrong_type', '$.alert', 'a boolean, 1 or 0', value);
}

function topDescription(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return fail('wrong_type', '$.description', 'a string', value);
}

/** `event_source` / `event_severity`: the id decides, the name (`description` or `name`) is for display. */
function code(value: unknown, path: string): Code | null {
  const obj = optionalObject(value, path);
  if (obj === null) return null;
  const id = integerField(obj, 'id', path, true) as number;
  const description = obj['description'];
  const name = obj['name'];
  return {
    id,
    name: typeof description === 'string' ? description : typeof name === 'string' ? name : null,
  };
}

function organisation(value: unknown): Organisation | null {
  const path = '$.organisation';
  const obj = optionalObject(value, path);
  if (obj === null) return null;
  return { id: integerField(obj, 'id', path, true) as number, name: stringField(obj, 'name', path) };
}

function endpoint(value: unknown, trusted: boolean): Endpoint | null {
  const path = '$.endpoint';
  const obj = optionalObject(value, path);
  if (obj === null) return null;
  const tags = obj['tags'];
  return {
    id: integerField(obj, 'id', path, true) as number,
    name: stringField(obj, 'name', path),
    imei: identifierField(obj, 'imei', path),
    ipAddress: stringField(obj, 'ip_address', path),
    tags: tags === undefined ? null : trusted ? (tags as JsonValue) : copyJsonValue(tags, `${path}.tags`),
  };
}

function sim(value: unknown): Sim | null {
  const path = '$.sim';
  const obj = optionalObject(value, path);
  if (obj === null) return null;
  return {
    id: integerField(obj, 'id', path, false),
    iccid: identifierField(obj, 'iccid', path),
    msisdn: identifierField(obj, 'msisdn', path),
    productionDate: looseDate(obj['production_date']),
  };
}

function imsi(value: unknown): Imsi | null {
  const path = '$.imsi';
  const obj = optionalObject(value, path);
  if (obj === null) return null;
  return {
    id: integerField(obj, 'id', path, false),
    imsi: identifierField(obj, 'imsi', path),
    importDate: looseDate(obj['import_date']),
  };
}

function user(value: unknown): User | null {
  const path = '$.user';
  const obj = optionalObject(value, path);
  if (obj === null) return null;
  return {
    id: integerField(obj, 'id', path, false),
    name: stringField(obj, 'name', path),
    username: stringField(obj, 'username', path),
  };
}
