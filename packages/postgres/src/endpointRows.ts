/**
 * The `endpoints` and `organisations` rows of a fleet, as COPY text. The column list is
 * the snapshot's endpoint entry (core's endpointJson.ts) in snake_case, in its order, the
 * operator object flattened; `endpointRows.test.ts` holds the two lists equal.
 */
import { type EndpointState, type FleetStore, formatTimestamp } from '@simfleet/core';
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
