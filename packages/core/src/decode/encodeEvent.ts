/**
 * A decoded event back to emnify's JSON shape: the inverse of `decodeEvent`.
 */
import { eventTypeByKey } from '../catalog/eventTypes.js';
import type { Code, EmnifyEvent, EventDetail, JsonObject, JsonValue } from '../model/event.js';
import { formatTimestamp } from './timestamp.js';

/** What a type-4 record's `event_type.description` says when it is a deletion. */
const DELETE_PDP_CONTEXT = 'Delete PDP Context';

/**
 * Encodes a decoded event as the canonical emnify record: snake_case keys as emnify
 * sends them, timestamps as ISO-8601 UTC with milliseconds, ids as JSON numbers
 * (a `bigint` where the id exceeds 2^53 — write it with `stringifyJson`), `detail`
 * exactly as it was received (a text detail as its string). Absent parts are left
 * out. `decodeEvent(encodeEvent(e))` deep-equals `e` for every decoded event `e`.
 *
 * @example
 * const r = decodeEvent(record);
 * if (r.ok) stringifyJson(encodeEvent(r.value)); // '{"id":137241622976969,"timestamp":"2021-10-27T10:49:23.673Z",…}'
 */
export function encodeEvent(event: EmnifyEvent): JsonObject {
  const out: Record<string, JsonValue> = {
    id: exactInteger(event.id),
    timestamp: formatTimestamp(event.timestamp),
    alert: event.alert,
    description: event.description,
    event_type: eventType(event),
  };
  if (event.source !== null) out['event_source'] = code(event.source);
  if (event.severity !== null) out['event_severity'] = code(event.severity);
  const { organisation, endpoint, sim, imsi, user, detail } = event;
  if (organisation !== null) out['organisation'] = { id: organisation.id, name: organisation.name };
  if (endpoint !== null) {
    out['endpoint'] = {
      id: endpoint.id,
      name: endpoint.name,
      imei: endpoint.imei,
      ip_address: endpoint.ipAddress,
      tags: endpoint.tags,
    };
  }
  if (sim !== null) {
    const encoded: Record<string, JsonValue> = {
      id: sim.id,
      iccid: sim.iccid,
      production_date: optionalTimestamp(sim.productionDate),
    };
    if (sim.msisdn !== null) encoded['msisdn'] = sim.msisdn;
    out['sim'] = encoded;
  }
  if (imsi !== null) {
    out['imsi'] = { id: imsi.id, imsi: imsi.imsi, import_date: optionalTimestamp(imsi.importDate) };
  }
  if (user !== null) out['user'] = { id: user.id, name: user.name, username: user.username };
  if (detail !== null) out['detail'] = encodeDetail(detail);
  return out;
}

/**
 * The type's catalog name; a type-4 deletion says "Delete PDP Context" so that the
 * decoder, which reads deletion from the record, classifies it the same way again.
 */
function eventType(event: EmnifyEvent): JsonObject {
  if (event.type === 'unknown') return { id: event.typeId };
  const deletion = event.type === 'updatePdpContext' && event.deletion;
  return { id: event.typeId, description: deletion ? DELETE_PDP_CONTEXT : eventTypeByKey(event.type).name };
}

function code(c: Code): JsonObject {
  return c.name === null ? { id: c.id } : { id: c.id, description: c.name };
}

/** Safe ids as numbers (what emnify sends), bigger ones as `bigint` so no digit is lost. */
function exactInteger(n: bigint): number | bigint {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function optionalTimestamp(ms: number | null): string | null {
  return ms === null ? null : formatTimestamp(ms);
}

function encodeDetail(detail: EventDetail): JsonValue {
  return detail.kind === 'text' ? detail.text : detail.raw;
}
