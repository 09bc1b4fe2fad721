/**
 * Renders one simulated event as one line of emnify-shaped JSON text.
 *
 * This is the single record builder of the testkit: the workload generator, the
 * object stream and every arbitrary render through it, so what the benchmark
 * replays and what the properties check are the same records.
 *
 * Why template strings: the generator's target is over a million ~1 KB records per
 * second. Each record is a handful of pre-rendered fragments (identity, operator,
 * organisation, type) joined with the few values that change per event; no object is
 * built and nothing is passed through `JSON.stringify`. Every string it emits is
 * ASCII without quotes or backslashes, so no escaping is needed (the one escaped
 * value, the 1NCE string detail, is written escaped).
 */
import { REJECTION_REASON_CODES, type RejectionReason } from '@simfleet/core';
import type { DeviceIdentity, OrganisationIdentity } from './identity.js';
import { mix32 } from './identity.js';
import { IsoClock } from './IsoClock.js';
import { Messy } from './messy.js';
import { OPERATORS, type SimulatedOperator } from './operators.js';
import { EVENT_TYPE_JSON, Shape, shapeOfId, T, typeName } from './recordTypes.js';

/** Everything one record is rendered from. A renderer reuses one spec per call site. */
export interface RecordSpec {
  /** `event_type.id` (catalog or unknown). */
  typeId: number;
  /**
   * Per-shape variant: Generic 0–2 data-disconnects, 3–4 SMS failures; Create PDP
   * Context 0 accepted, 1 + i rejected with `REJECTION_REASON_CODES[i]`; type 4
   * 0 update, 1 worded as a deletion; Organisation/Unknown: odd = with a device.
   */
  variant: number;
  id: number | bigint;
  /** Event time, UTC epoch ms. */
  at: number;
  /** The device, or null for organisation-level records. */
  device: DeviceIdentity | null;
  organisation: OrganisationIdentity;
  /** Index in OPERATORS of the visited network. */
  operator: number;
  /** The data session (two 32-bit words): a Delete repeats its Create's session id. */
  sessionA: number;
  sessionB: number;
  /** When the session's tunnel was created (UTC ms). */
  sessionStart: number;
  /** A 32-bit random word for detail values (volumes, quota sizes). */
  random: number;
  /** Real-record variants (Messy bits); 0 = canonical. */
  messy: number;
}

/** A fresh spec with neutral values. */
export function blankSpec(organisation: OrganisationIdentity): RecordSpec {
  return {
    typeId: 0,
    variant: 0,
    id: 0,
    at: 0,
    device: null,
    organisation,
    operator: 0,
    sessionA: 0,
    sessionB: 0,
    sessionStart: 0,
    random: 0,
    messy: 0,
  };
}

/** Full descriptions of Create PDP Context rejections, one per catalog reason code. */
export const REJECTION_DESCRIPTIONS: Readonly<Record<RejectionReason, string>> = {
  DATA_SERVICE_DISABLED: 'PDP Context Request rejected, because data service disabled in service profile.',
  NO_QUOTA: 'PDP Context Request rejected, because endpoint has no quota.',
  QUOTA_EXHAUSTED_BLOCKED:
    'PDP Context Request rejected, because quota volume of endpoint is exhausted and defined action is to block data traffic.',
  SIM_NOT_ACTIVATED: 'PDP Context Request rejected, because SIM is not activated.',
  // Synthetic: the catalog keeps OTHER for wordings it does not know.
  OTHER: 'PDP Context Request rejected, because roaming is not permitted in this network.',
};

const REJECTIONS: readonly string[] = REJECTION_REASON_CODES.map((code) => REJECTION_DESCRIPTIONS[code]);

/** Number of Create PDP Context variants (accepted + one per rejection reason). */
export const PDP_CREATE_VARIANTS = 1 + REJECTIONS.length;

const DISCONNECTS = [
  'Disconnecting data access for endpoint to apply throttling action.',
  'Disconnecting data access for endpoint, because quota has been updated.',
  'Disconnecting data access for endpoint, because it has been disabled.',
];
/** Generic variants below this end the data session; the others are SMS delivery failures. */
export const GENERIC_DISCONNECT_VARIANTS = DISCONNECTS.length;
/** Number of Generic variants. */
export const GENERIC_VARIANTS = DISCONNECTS.length + 2;

const SOURCE = ['{"id":0,"description":"Network"}', '{"id":1,"description":"Policy Control"}', '{"id":2,"description":"API"}'];
const SOURCE_NAMED = ['{"id":0,"name":"Network"}', '{"id":1,"name":"Policy Control"}', '{"id":2,"name":"API"}'];
const SEVERITY = ['{"id":0,"description":"Info"}', '{"id":1,"description":"Warn"}', '{"id":2,"description":"Critical"}'];
const SEVERITY_NAMED = ['{"id":0,"name":"INFO"}', '{"id":1,"name":"WARNING"}', '{"id":2,"name":"CRITICAL"}'];

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (x: number): string =>
  `${HEX[(x >>> 24) & 255]}${HEX[(x >>> 16) & 255]}${HEX[(x >>> 8) & 255]}${HEX[x & 255]}`;
const hex4 = (x: number): string => `${HEX[(x >>> 8) & 255]}${HEX[x & 255]}`;

/** Megabytes with six decimals from an integer count of bytes (exact text, no float formatting). */
const megabytes = (bytes: number): string => `${Math.floor(bytes / 1e6)}.${String((bytes % 1e6) + 1e6).slice(1)}`;

/** Descriptions of plain endpoint/SIM records, by type id. */
const PLAIN_DESCRIPTIONS: ReadonlyMap<number, (d: DeviceIdentity) => string> = new Map([
  [T.simActivation, (d: DeviceIdentity) => `SIM ${d.iccid} has been activated.`],
  [T.simSuspension, (d: DeviceIdentity) => `SIM ${d.iccid} has been suspended.`],
  [T.simDeletion, (d: DeviceIdentity) => `SIM ${d.iccid} has been deleted.`],
  [T.simFactoryTest, (d: DeviceIdentity) => `SIM ${d.iccid} has been set to factory test mode.`],
  [T.simRegistration, (d: DeviceIdentity) => `SIM ${d.iccid} has been registered via batch identification code.`],
  [T.endpointEnabled, (d: DeviceIdentity) => `Endpoint '${d.name}' has been enabled.`],
  [T.endpointDisabled, (d: DeviceIdentity) => `Endpoint '${d.name}' has been disabled.`],
  [T.endpointBlocked, () => 'Endpoint blocked, because the traffic limit of its service policy has been exceeded.'],
  [T.purgeLocation, (d: DeviceIdentity) => `VLR location information has been purged for IMSI='${d.imsi}'.`],
  [T.purgeGprsLocation, (d: DeviceIdentity) => `SGSN location information has been purged for IMSI='${d.imsi}'.`],
  [T.deviceOffline, () => 'Device offline: no PDP context created within 5 minutes after the last deletion.'],
  [T.dataQuotaDeleted, () => 'Data quota has been deleted.'],
  [T.smsQuotaDeleted, () => 'SMS quota has been deleted.'],
]);

/** Where plain records come from and how severe they are: [source, severity, alert]. */
function plainCodes(typeId: number): readonly [number, number, boolean] {
  if (typeId === T.endpointBlocked) return [1, 2, true];
  if (typeId === T.purgeLocation || typeId === T.purgeGprsLocation) return [0, 0, false];
  if (typeId === T.deviceOffline) return [1, 0, false];
  return [2, 0, false];
}

/** Renders records; holds the timestamp cache, so use one renderer per stream of records. */
export class RecordRenderer {
  private readonly clock = new IsoClock();
  // Scratch fields one render fills in (no tuple allocation per record).
  private description = '';
  private source = 0;
  private severity = 0;
  private alert = false;
  private detail = '';
  private eventTypeJson = '';

  /** One record as a JSON text without a line break. */
  render(spec: RecordSpec): string {
    const m = spec.messy;
    const typeId = spec.typeId;
    const shape = shapeOfId(typeId);
    this.eventTypeJson = typeId <= 70 && typeId >= 0 ? (EVENT_TYPE_JSON[typeId] ?? '') : `{"id":${typeId},"description":"Unknown"}`;
    this.detail = '';
    const device = spec.device;
    switch (shape) {
      case Shape.Location:
        this.location(spec, device);
        break;
      case Shape.PdpCreate:
        this.pdpCreate(spec, device);
        break;
      case Shape.PdpDelete:
        this.setCodes(0, 0, false, 'PDP Context deleted.');
        this.detail = this.sessionDetail(spec, device, true);
        break;
      case Shape.PdpUpdate:
        this.pdpUpdate(spec, device);
        break;
      case Shape.Generic:
        this.generic(spec, device);
        break;
      case Shape.QuotaAssigned:
        this.quotaAssigned(spec);
        break;
      case Shape.QuotaLevel:
        this.quotaLevel(spec);
        break;
      case Shape.QuotaExpired:
        this.quotaExpired(spec);
        break;
      case Shape.EndpointPlain: {
        const codes = plainCodes(typeId);
        const describe = PLAIN_DESCRIPTIONS.get(typeId);
        this.setCodes(
          codes[0],
          codes[1],
          codes[2],
          describe !== undefined && device !== null ? describe(device) : `${typeName(typeId)}.`,
        );
        break;
      }
      case Shape.Organisation:
        this.organisationRecord(spec);
        break;
      default:
        this.setCodes(2, 0, false, `Event of type ${typeId}.`);
        break;
    }
    const ts = this.timestamp(spec.at, m);
    const subject = this.subject(spec, shape, device);
    const detail = this.detail === '' ? '' : `,"detail":${this.detail}`;
    if (m === 0) {
      return `{"timestamp":"${ts}","alert":${this.alert},"description":"${this.description}","id":${spec.id},"event_type":${this.eventTypeJson},"event_source":${SOURCE[this.source]},"event_severity":${SEVERITY[this.severity]},${subject}${detail}}`;
    }
    return this.messyEnvelope(spec, ts, subject, detail);
  }

  private setCodes(source: number, severity: number, alert: boolean, description: string): void {
    this.source = source;
    this.severity = severity;
    this.alert = alert;
    this.description = description;
  }

  private timestamp(at: number, m: number): string {
    switch (m & Messy.TimestampStyle) {
      case 1:
        return this.clock.isoOffset(at);
      case 2:
        return this.clock.isoNoMillis(at);
      case 3:
        return this.clock.spaced(at);
      default:
        return this.clock.iso(at);
    }
  }

  private operator(spec: RecordSpec): SimulatedOperator {
    return OPERATORS[spec.operator % OPERATORS.length] ?? (OPERATORS[0] as SimulatedOperator);
  }

  private location(spec: RecordSpec, device: DeviceIdentity | null): void {
    const op = this.operator(spec);
    const imsi = device === null ? '' : device.imsi;
    this.setCodes(
      0,
      0,
      false,
      spec.typeId === T.updateLocation
        ? `New location received from VLR for IMSI='${imsi}', now attached to VLR='${op.vlr}'.`
        : `New location received from SGSN for IMSI='${imsi}', now attached to SGSN='${op.sgsn}', IP='${op.sgsnIp}'.`,
    );
    this.detail = op.locationDetailJson;
  }

  private pdpCreate(spec: RecordSpec, device: DeviceIdentity | null): void {
    const variant = spec.variant % PDP_CREATE_VARIANTS;
    if (variant === 0) {
      const op = this.operator(spec);
      this.setCodes(0, 0, false, `New PDP Context successfully activated with SGSN CP=${op.sgsnIp}, DP=${op.sgsnIp}.`);
      this.detail = this.sessionDetail(spec, device, false);
      return;
    }
    this.setCodes(1, 1, true, REJECTIONS[variant - 1] ?? '');
  }

  private pdpUpdate(spec: RecordSpec, device: DeviceIdentity | null): void {
    const deletion = spec.variant % 2 === 1;
    if (deletion) {
      // emnify's own examples name type 4 "Delete PDP Context".
      this.eventTypeJson = `{"id":${spec.typeId},"description":"Delete PDP Context"}`;
      this.setCodes(0, 0, false, 'PDP Context deleted.');
    } else {
      this.setCodes(0, 0, false, 'PDP Context updated.');
    }
    this.detail = this.sessionDetail(spec, device, deletion);
  }

  private generic(spec: RecordSpec, device: DeviceIdentity | null): void {
    const variant = spec.variant % GENERIC_VARIANTS;
    if (variant < DISCONNECTS.length) {
      this.setCodes(1, 1, true, DISCONNECTS[variant] ?? '');
      return;
    }
    const msisdn = device === null ? '4915000000000' : device.msisdn;
    this.setCodes(
      0,
      1,
      false,
      variant === DISCONNECTS.length
        ? `Unable to dispatch DLR for SMS to ${msisdn}: application endpoint not reachable.`
        : `SMS to ${msisdn} cannot be forwarded to the application.`,
    );
  }

  /** Detail of Create / Delete / Update PDP Context: operator, PDP context, and for deletions the volume. */
  private sessionDetail(spec: RecordSpec, device: DeviceIdentity | null, withVolume: boolean): string {
    const op = this.operator(spec);
    const m = spec.messy;
    const a = spec.sessionA;
    const b = spec.sessionB;
    const h1 = mix32(a ^ 0x2545f491);
    const h2 = mix32(b ^ 0x68e31da4);
    const h3 = mix32((a + Math.imul(b, 3)) | 0);
    const h4 = mix32(a ^ (b << 1) ^ 0x5bd1e995);
    const sessionId = `${hex8(h1)}-${hex4(h2 >>> 16)}-4${hex4(h2).slice(1)}-${HEX[0x80 | ((h3 >>> 24) & 0x3f)]}${HEX[(h3 >>> 16) & 255]}-${hex4(h3)}${hex8(h4)}`;
    const org = spec.organisation;
    const orgPart = (m & Messy.NoBreakout) === 0 ? org.pdpJson : org.pdpJsonNoBreakout;
    let devicePart = device === null ? '"rat_type":6' : device.pdpJson;
    if ((m & Messy.NumericStrings) !== 0 && device !== null) {
      devicePart = `"gtp_version":"${device.ratType >= 6 ? 2 : 1}","imeisv":"${device.imeisv}","imsi":"${device.imsi}","rat_type":"${device.ratType}","ue_ip_address":"${device.ipAddress}"`;
    }
    const inDetail = (m & Messy.SessionIdInDetail) !== 0;
    const pdp = `{${inDetail ? '' : `"session_id":"${sessionId}",`}"pdp_context_id":${50_000_000 + (h4 % 10_000_000)},"tx_teid_control_plane":${h1 >>> 1},"tx_teid_data_plane":${h2 >>> 1},"rx_teid":${h3 >>> 2},"ci":${h1 & 0xffff},"lac":${(h2 & 0x3fff) + 1},"nsapi":5,"tunnel_created":"${this.clock.local(spec.sessionStart)}",${op.pdpJson},${orgPart},${devicePart}}`;
    const head = `{"country":${op.countryJson},"name":"${op.name}","pdp_context":${pdp},"id":${op.id}${inDetail ? `,"session_id":"${sessionId}"` : ''}`;
    if (!withVolume) return `${head}}`;
    const r = spec.random;
    const rx = (r & 0xffff) * 613;
    const tx = ((r >>> 16) & 0x3fff) * 97;
    return `${head},"volume":{"rx":${megabytes(rx)},"tx":${megabytes(tx)},"total":${megabytes(rx + tx)}}}`;
  }

  private quotaAssigned(spec: RecordSpec): void {
    const sms = spec.typeId === T.smsQuotaAssigned;
    const r = spec.random;
    const volume = sms ? 50 + (r % 20) * 50 : 10 + (r % 50) * 10;
    const percentage = 5 + ((r >>> 8) % 4) * 5;
    const expiry = this.clock.local(spec.at + (1 + ((r >>> 12) % 60)) * 86_400_000);
    const block = ((r >>> 20) & 3) !== 0;
    this.setCodes(
      2,
      0,
      false,
      sms
        ? `SMS quota got assigned with a volume of ${volume} SMS till ${expiry}Z.`
        : `Data quota got assigned with a volume of ${volume}.000000 MB with daily refill till ${expiry}Z. On exhaustion, the data service will be ${block ? 'blocked' : 'throttled'}.`,
    );
    const quotaId = 7_000_000 + (r >>> 6);
    if ((spec.messy & Messy.StringDetail) !== 0) {
      // 1NCE sends this detail as a string of snake_case keys whose dates are not quoted:
      // the string is not JSON itself, and the event must still decode.
      const date = expiry.replace('T', ' ');
      this.detail = `"{\\"id\\": ${quotaId}, \\"volume\\": ${volume}.0, \\"expiry_date\\": ${date}, \\"threshold_percentage\\": ${percentage}, \\"status\\": \\"ACTIVE\\", \\"action_on_exhaustion\\": \\"${block ? 'Block' : 'Throttle'}\\"}"`;
      return;
    }
    const exhaustion = block
      ? '{"id":1,"description":"Block","peak_throughput":null}'
      : '{"id":2,"description":"Throttle","peak_throughput":64000}';
    this.detail = `{"id":${quotaId},"status":{"id":1,"description":"ACTIVE"},"volume":${volume},"expiryDate":"${expiry}Z","thresholdPercentage":${percentage},"lastVolumeAdded":${volume},"autoRefill":${(r >>> 24) & 1},"action_on_exhaustion":${exhaustion}}`;
  }

  private quotaLevel(spec: RecordSpec): void {
    const typeId = spec.typeId;
    const sms = typeId === T.smsQuotaThresholdReached || typeId === T.smsQuotaUsedUp;
    const usedUp = typeId === T.quotaUsedUp || typeId === T.smsQuotaUsedUp;
    const r = spec.random;
    const percentage = 5 + ((r >>> 8) % 4) * 5;
    const strings = (spec.messy & Messy.NumericStrings) !== 0;
    let volume: string;
    if (sms) volume = usedUp ? '0' : String(1 + (r % 9));
    else if (usedUp) volume = strings ? '"-0.00120000000000009"' : '0';
    else volume = strings ? `"${megabytes((r & 0xfffff) * 3)}"` : megabytes((r & 0xfffff) * 3);
    const thresholdVolume = sms ? String(5 + (r % 5)) : megabytes(((r >>> 4) & 0xfffff) * 7);
    const traffic = sms ? ',"traffic_type":{"id":6,"description":"SMS"}' : '';
    const what = sms ? 'SMS quota' : 'Data quota';
    this.setCodes(
      1,
      usedUp ? 1 : 0,
      usedUp,
      usedUp
        ? `${what} used up.`
        : `${what} threshold reached: remaining volume fell below ${percentage}%.`,
    );
    this.detail = `{"quota":{"volume":${volume},"threshold_volume":${thresholdVolume},"threshold_percentage":${percentage}${traffic}}}`;
  }

  private quotaExpired(spec: RecordSpec): void {
    const r = spec.random;
    this.setCodes(1, 1, true, 'Data quota expired.');
    this.detail = `{"id":${7_000_000 + (r >>> 6)},"status":{"id":3,"description":"EXPIRED"},"volume":${megabytes((r & 0xffff) * 11)},"expiryDate":"${this.clock.local(spec.at)}Z"}`;
  }

  private organisationRecord(spec: RecordSpec): void {
    const typeId = spec.typeId;
    const org = spec.organisation;
    if (typeId === T.organisationBlocked) {
      this.setCodes(1, 2, true, `Organisation '${org.name}' blocked, because the monthly cost limit has been exceeded.`);
      return;
    }
    const name = typeName(typeId);
    this.setCodes(2, 0, false, `${name}.`);
    this.detail = organisationDetail(typeId, spec);
  }

  /** `"organisation":…,"endpoint":…,"sim":…,"imsi":…` or the organisation-level equivalent. */
  private subject(spec: RecordSpec, shape: Shape, device: DeviceIdentity | null): string {
    const m = spec.messy;
    const org = spec.organisation;
    const orgLevel = device === null || ((shape === Shape.Organisation || shape === Shape.Unknown) && spec.variant % 2 === 0);
    if (orgLevel) {
      const endpoint = (m & Messy.NullEndpoint) !== 0 ? ',"endpoint":null' : '';
      const user = spec.typeId === T.organisationBlocked || shape === Shape.Unknown ? '' : `,"user":${org.userJson}`;
      return `"organisation":${org.json}${user}${endpoint}`;
    }
    if ((m & (Messy.NullSim | Messy.NullImsi | Messy.NullUser | Messy.BareNumbers | Messy.TagsString | Messy.Msisdn)) === 0) {
      return device.json;
    }
    const imei = (m & Messy.NullUser) !== 0 ? 'null' : `"${device.imei}"`;
    const tags = (m & Messy.TagsString) !== 0 ? '"fleet,eu"' : 'null';
    const bare = (m & Messy.BareNumbers) !== 0;
    const msisdn = (m & Messy.Msisdn) !== 0 ? `,"msisdn":"${device.msisdn}"` : '';
    const sim =
      (m & Messy.NullSim) !== 0
        ? 'null'
        : `{"iccid":${bare ? device.iccid : `"${device.iccid}"`},"id":${device.simId},"production_date":"${org.productionDate}"${msisdn}}`;
    const imsi =
      (m & Messy.NullImsi) !== 0
        ? 'null'
        : `{"id":${device.imsiId},"import_date":"${org.importDate}","imsi":${bare ? device.imsi : `"${device.imsi}"`}}`;
    const user = (m & Messy.NullUser) !== 0 ? ',"user":null' : '';
    return `"organisation":${org.json},"endpoint":{"id":${device.endpointId},"imei":${imei},"ip_address":"${device.ipAddress}","name":"${device.name}","tags":${tags}},"sim":${sim},"imsi":${imsi}${user}`;
  }

  private messyEnvelope(spec: RecordSpec, ts: string, subject: string, detail: string): string {
    const m = spec.messy;
    const alert = (m & Messy.AlertNumber) !== 0 ? (this.alert ? '1' : '0') : String(this.alert);
    const named = (m & Messy.CodeName) !== 0;
    const source = (named ? SOURCE_NAMED : SOURCE)[this.source];
    const severity = (named ? SEVERITY_NAMED : SEVERITY)[this.severity];
    const extra = (m & Messy.ExtraKey) !== 0 ? `,"keen":{"id":"${hex8(mix32(Number(spec.id) | 0))}","created_at":"${ts}"}` : '';
    if ((m & Messy.KeyOrder) === 0) {
      return `{"timestamp":"${ts}","alert":${alert},"description":"${this.description}","id":${spec.id},"event_type":${this.eventTypeJson},"event_source":${source},"event_severity":${severity},${subject}${detail}${extra}}`;
    }
    // 1NCE's layout: identity objects first, `event_type` with its description first.
    const eventType = this.eventTypeJson.replace(/^\{"id":(\d+),("description":"[^"]*")\}$/, '{$2,"id":$1}');
    return `{${subject},"id":${spec.id},"event_type":${eventType},"description":"${this.description}","timestamp":"${ts}","event_severity":${severity},"event_source":${source},"alert":${alert}${detail}${extra}}`;
  }
}

/** Detail of organisation-level records, shaped like emnify's MNO examples (seeds). */
function organisationDetail(typeId: number, spec: RecordSpec): string {
  const org = spec.organisation;
  const r = spec.random;
  switch (typeId) {
    case T.tariffPlanUpdated:
      return `{"tariff_plan":{"id":${300 + (r % 5)},"name":"Standard EUR","start_date":"2021-12-20 12:27:56","end_date":null,"evaluation":false,"expiry_time":0,"price":{"sim_activated_rate":[{"scale_start":1,"rate":0.75},{"scale_start":100,"rate":0.65}]},"rate":0,"yearly_rate":0,"currency":{"id":1},"service_level":{"id":1}}}`;
    case T.usageTariffUpdated:
      return `{"inclusive_volume":{"ratezone_inclusive_volume_id":"145","volume":0.25,"cost":"0.020000","excess_traffic":0.1,"pooled":true,"rate":0.02,"id":${3500 + (r % 100)},"start_date":"2021-12-01 00:00:00","end_date":null,"currency_id":1,"ratezone":{"id":3398,"name":"EU28"}}}`;
    case T.orderSubmitted:
      return `{"id":${16_000_000 + (r % 1_000_000)},"location":"/api/v1/order/${16_000_000 + (r % 1_000_000)}"}`;
    case T.orderUpdated:
      return `{"id":${16_000_000 + (r % 1_000_000)},"status":{"id":2},"ext_shipping_reference":"TRACKING CODE","shipped_with_provider_id":1,"shipped_date":"2021-12-20T08:00:27.571Z"}`;
    case T.passwordResetRequested:
    case T.userInvited:
      return `{"id":${org.userId},"username":"${org.username}","name":"${org.userName}","organisationId":${org.id},"activationKey":"JWT token","sourceIp":"192.168.1.1","userAgent":"Chrome"}`;
    case T.userVerificationRequested:
      return '{"token":"JWT token to add to the link in the email for verification"}';
    default:
      return '';
  }
}
