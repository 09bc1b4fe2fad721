import { type JsonValue, stringifyJson } from '@simfleet/core';
import pg from 'pg';

/**
 * The rows of `<schema>.endpoints`, ascending by endpoint id, each turned back into the
 * snapshot's endpoint entry and printed as the snapshot prints it (core's
 * `endpointJsonText`): a test compares a table to a snapshot line for line.
 *
 * @example
 * expect(await endpointRowsAsJson(url, 'simfleet')).toEqual(snapshotEndpointLines);
 */
export async function endpointRowsAsJson(url: string, schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT * FROM "${schema}".endpoints ORDER BY endpoint_id`);
    return rows.map((row) => stringifyJson(endpointEntry(row)));
  } finally {
    await client.end();
  }
}

const num = (v: unknown): number | null => (v === null ? null : Number(v));
const iso = (v: unknown): string | null => (v === null ? null : (v as Date).toISOString());
const str = (v: unknown): string | null => (v === null ? null : String(v));

/** One `endpoints` row (as `pg` returns it: int8 and numeric as text) as the snapshot entry. */
function endpointEntry(r: Record<string, unknown>): JsonValue {
  const operatorSaid = r['operator_name'] !== null || r['operator_mcc'] !== null || r['operator_mnc'] !== null || r['operator_country'] !== null;
  return {
    endpointId: num(r['endpoint_id']),
    status: str(r['status']),
    connectivity: str(r['connectivity']),
    since: iso(r['since']),
    simStatus: str(r['sim_status']),
    endpointStatus: str(r['endpoint_status']),
    blocked: r['blocked'] as boolean,
    dataQuota: str(r['data_quota']),
    smsQuota: str(r['sms_quota']),
    organisationId: num(r['organisation_id']),
    simId: num(r['sim_id']),
    iccid: str(r['iccid']),
    imsi: str(r['imsi']),
    imei: str(r['imei']),
    ipAddress: str(r['ip_address']),
    operator: operatorSaid
      ? { name: str(r['operator_name']), mcc: str(r['operator_mcc']), mnc: str(r['operator_mnc']), country: str(r['operator_country']) }
      : null,
    lastEventId: r['last_event_id'] === null ? null : BigInt(r['last_event_id'] as string),
    lastEventAt: iso(r['last_event_at']),
    dataQuotaThresholdReached: r['data_quota_threshold_reached'] as boolean,
    smsQuotaThresholdReached: r['sms_quota_threshold_reached'] as boolean,
    ratType: num(r['rat_type']),
    apn: str(r['apn']),
    attaches: num(r['attaches']),
    sessions: num(r['sessions']),
    rejections: num(r['rejections']),
    lastRejectionReason: str(r['last_rejection_reason']),
    name: str(r['name']),
  };
}
