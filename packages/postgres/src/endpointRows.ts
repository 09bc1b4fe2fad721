/**
 * The `endpoints` and `organisations` rows of a fleet, as COPY data. The column list is
 * the snapshot's endpoint entry (core's endpointJson.ts) in snake_case, in its order, the
 * operator object flattened; `migrations.test.ts` holds the two lists equal.
 *
 * Endpoints go in COPY's binary format (`endpointCopyBinary`): in text the server parsed
 * two times, an event id and six numbers per row from decimal, and the client formatted
 * them, escaped every string and joined 30 fields into a line — together about as long
 * as writing the rows. The text line (`endpointCopyLine`) stays as the plain form the
 * binary rows are proven equal to (endpointRows.test.ts, through a real server).
 */
import { type EndpointState, type FleetStore, formatTimestamp } from '@simfleet/core';
import { finishCopyBinary, setBigintField, setIntegerField, setNumericField, setTimestampField, writeCopyHeader } from './copyBinary.js';
import { copyBoolean, copyNumber, copyString } from './copyText.js';

/** Columns of `endpoints`, in table order. */
export const ENDPOINT_COLUMNS = [
  'endpoint_id',
  'status',
  'connectivity',
  'since',
  'sim_status',
  'endpoint_status',
  'blocked',
  'data_quota',
  'sms_quota',
  'organisation_id',
  'sim_id',
  'iccid',
  'imsi',
  'imei',
  'ip_address',
  'operator_name',
  'operator_mcc',
  'operator_mnc',
  'operator_country',
  'last_event_id',
  'last_event_at',
  'data_quota_threshold_reached',
  'sms_quota_threshold_reached',
  'rat_type',
  'apn',
  'attaches',
  'sessions',
  'rejections',
  'last_rejection_reason',
  'name',
] as const;

/** Columns of `organisations`, in table order. */
export const ORGANISATION_COLUMNS = ['organisation_id', 'state', 'blocked'] as const;

const instant = (ms: number | null): string => (ms === null ? '\\N' : formatTimestamp(ms));

/**
 * One endpoint as a COPY text line (no newline), columns in `ENDPOINT_COLUMNS` order.
 *
 * @example
 * endpointCopyLine(fleet.readEndpoint(11089066)!) // '11089066\tONLINE\tONLINE\t2021-10-27T08:38:02.000Z\t…'
 */
export function endpointCopyLine(s: EndpointState): string {
  const op = s.operator;
  return [
    copyNumber(s.endpointId),
    s.status,
    s.connectivity,
    instant(s.since),
    copyString(s.simStatus),
    copyString(s.endpointStatus),
    copyBoolean(s.blocked),
    copyString(s.dataQuota),
    copyString(s.smsQuota),
    copyNumber(s.organisationId),
    copyNumber(s.simId),
    copyString(s.iccid),
    copyString(s.imsi),
    copyString(s.imei),
    copyString(s.ipAddress),
    copyString(op?.name ?? null),
    copyString(op?.mcc ?? null),
    copyString(op?.mnc ?? null),
    copyString(op?.country ?? null),
    s.lastEventId === null ? '\\N' : s.lastEventId.toString(),
    instant(s.lastEventAt),
    copyBoolean(s.dataQuotaThresholdReached),
    copyBoolean(s.smsQuotaThresholdReached),
    copyNumber(s.ratType),
    copyString(s.apn),
    copyNumber(s.attaches),
    copyNumber(s.sessions),
    copyNumber(s.rejections),
    copyString(s.lastRejectionReason),
    copyString(s.name),
  ].join('\t');
}

/** Bytes of COPY binary data handed to the socket at a time. */
const BINARY_CHUNK = 1 << 18;
/** Room of a row besides its strings: field count, 30 lengths, the widest numbers and times. */
const ROW_FIXED_BYTES = 2 + ENDPOINT_COLUMNS.length * 4 + 8 * 8 + 4 + 3 + 32;

/**
 * The endpoints `state(0)` … `state(count - 1)` as COPY binary data (header, rows,
 * trailer), columns in `ENDPOINT_COLUMNS` order, for
 * `COPY endpoints (ENDPOINT_COLUMNS) FROM STDIN (FORMAT binary)`: the rows
 * `endpointCopyLine` gives in text. Strings are their UTF-8 bytes (the few state names
 * encoded once); numbers are what their text would say (`setBigintField`), so a value the
 * server would have refused in text is refused here too, with a `RangeError`.
 *
 * @example
 * const ids = fleet.endpointIds();
 * await copy(`COPY endpoints (${ENDPOINT_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`, endpointCopyBinary(ids.length, (i) => fleet.readEndpoint(ids[i]!)!));
 */
export function* endpointCopyBinary(count: number, state: (i: number) => EndpointState): Generator<Buffer> {
  // State names, quotas, reasons, operators' fields: a few dozen strings, encoded once each.
  const known = new Map<string, Buffer>();
  const encoded = (value: string): Buffer => {
    let bytes = known.get(value);
    if (bytes === undefined) {
      bytes = Buffer.from(value, 'utf8');
      if (known.size < 4096) known.set(value, bytes);
    }
    return bytes;
  };
  let chunk = Buffer.allocUnsafe(BINARY_CHUNK);
  let view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let p = writeCopyHeader(chunk);
  // A string of this endpoint alone (ICCID, IMSI, …: NULL for null), encoded into place.
  const text = (value: string | null): void => {
    if (value === null) {
      view.setInt32(p, -1);
      p += 4;
      return;
    }
    const n = chunk.write(value, p + 4, 'utf8'); // the row's room holds it (3 bytes a unit at most)
    view.setInt32(p, n);
    p += 4 + n;
  };
  // A string many endpoints share (a state, a quota, an operator's field, an APN).
  const knownText = (value: string | null): void => {
    if (value === null) {
      view.setInt32(p, -1);
      p += 4;
      return;
    }
    const bytes = encoded(value);
    view.setInt32(p, bytes.length);
    p += 4 + bytes.copy(chunk, p + 4);
  };
  const nullField = (): void => {
    view.setInt32(p, -1);
    p += 4;
  };
  const bool = (value: boolean): void => {
    view.setInt32(p, 1);
    chunk[p + 4] = value ? 1 : 0;
    p += 5;
  };
  const bigint = (value: number | null): void => {
    if (value === null) nullField();
    else p = setBigintField(view, p, value);
  };
  const instant = (ms: number | null): void => {
    if (ms === null) nullField();
    else p = setTimestampField(view, p, ms);
  };
  for (let i = 0; i < count; i++) {
    const s = state(i);
    const op = s.operator;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: room for the row's strings at their widest.
    const strings =
      (s.iccid?.length ?? 0) +
      (s.imsi?.length ?? 0) +
      (s.imei?.length ?? 0) +
      (s.ipAddress?.length ?? 0) +
      (op === null ? 0 : (op.name?.length ?? 0) + (op.mcc?.length ?? 0) + (op.mnc?.length ?? 0) + (op.country?.length ?? 0)) +
      (s.apn?.length ?? 0) +
      (s.name?.length ?? 0) +
      s.status.length +
      s.connectivity.length +
      (s.simStatus?.length ?? 0) +
      (s.endpointStatus?.length ?? 0) +
      (s.dataQuota?.length ?? 0) +
      (s.smsQuota?.length ?? 0) +
      (s.lastRejectionReason?.length ?? 0);
    const room = ROW_FIXED_BYTES + 3 * strings;
    if (p + room > chunk.length) {
      if (p > 0) yield chunk.subarray(0, p);
      chunk = Buffer.allocUnsafe(Math.max(BINARY_CHUNK, room + 2));
      view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      p = 0;
    }
    view.setInt16(p, ENDPOINT_COLUMNS.length);
    p += 2;
    p = setBigintField(view, p, s.endpointId);
    knownText(s.status);
    knownText(s.connectivity);
    instant(s.since);
    knownText(s.simStatus);
    knownText(s.endpointStatus);
    bool(s.blocked);
    knownText(s.dataQuota);
    knownText(s.smsQuota);
    bigint(s.organisationId);
    bigint(s.simId);
    text(s.iccid);
    text(s.imsi);
    text(s.imei);
    text(s.ipAddress);
    knownText(op?.name ?? null);
    knownText(op?.mcc ?? null);
    knownText(op?.mnc ?? null);
    knownText(op?.country ?? null);
    if (s.lastEventId === null) nullField();
    else p = setNumericField(view, p, s.lastEventId);
    instant(s.lastEventAt);
    bool(s.dataQuotaThresholdReached);
    bool(s.smsQuotaThresholdReached);
    if (s.ratType === null) nullField();
    else p = setIntegerField(view, p, s.ratType);
    knownText(s.apn);
    p = setBigintField(view, p, s.attaches);
    p = setBigintField(view, p, s.sessions);
    p = setBigintField(view, p, s.rejections);
    knownText(s.lastRejectionReason);
    text(s.name);
  }
  yield* finishCopyBinary(chunk, p);
}

/**
 * The organisations of a fleet as COPY text lines, columns in `ORGANISATION_COLUMNS` order.
 *
 * @example
 * organisationCopyLines(fleet) // ['12033\tACTIVE\tf']
 */
export function organisationCopyLines(fleet: FleetStore): string[] {
  const states = fleet.compiled.organisation.states;
  const lines: string[] = [];
  for (let o = 0; o < fleet.organisationCount; o++) {
    const state = fleet.organisationState[o] as number;
    lines.push(`${fleet.organisationIds[o]}\t${copyString(states[state] ?? null)}\t${copyBoolean(state === fleet.compiled.organisationBlockedState)}`);
  }
  return lines;
}
