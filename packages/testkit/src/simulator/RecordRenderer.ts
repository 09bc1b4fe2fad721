/**
 * Renders simulated events as emnify-shaped JSON text.
 *
 * This is the single record builder of the testkit: the workload generator, the
 * object stream and every arbitrary render through it, so what the benchmark
 * replays and what the properties check are the same records.
 *
 * Why it writes bytes: the generator's target is over a million ~1 KB records per
 * second. A record is a few pre-encoded fragments (identity, operator, organisation,
 * type block) copied into one reused buffer, with the values that change per event
 * written as digits in place; nothing is allocated per record and nothing passes
 * through `JSON.stringify`. All emitted text is ASCII and needs no escaping (the one
 * escaped value, the 1NCE string detail, is written escaped). `messy` variants take
 * slower string paths: they exist for decoder robustness, not for speed.
 */
import { REJECTION_REASON_CODES, type RejectionReason } from '@simfleet/core';
import { ascii, ByteWriter } from './ByteWriter.js';
import { DeviceField, type DeviceSlab } from './DeviceSlab.js';
import type { DeviceIdentity, OrganisationIdentity } from './identity.js';
import { mix32 } from './identity.js';
import { IsoClock, localIso } from './IsoClock.js';
import { Messy, nameMember } from './messy.js';
import { OPERATORS, type SimulatedOperator } from './operators.js';
import { Shape, shapeOfId, T, typeName } from './recordTypes.js';

/** Everything one record is rendered from. Callers reuse one spec per stream. */
export interface RecordSpec {
  /** `event_type.id` (catalog or unknown). */
  typeId: number;
  /**
   * Per-shape variant: Generic 0–2 data-disconnects, 3–4 SMS failures; Create PDP
   * Context 0 accepted, 1 + i rejected with `REJECTION_REASON_CODES[i]`; type 4
   * 0 update, 1 worded as a deletion; Organisation/Unknown with a device: odd = the
   * device's endpoint is included.
   */
  variant: number;
  id: number | bigint;
  /** Event time, UTC epoch ms. */
  at: number;
  /**
   * The device, or null for organisation-level records. With a `slot`, only the
   * `messy` paths read it (the simulator sets it for messy records only).
   */
  device: DeviceIdentity | null;
  /** The device's slot in the renderer's DeviceSlab, or -1 (use `device`). */
  slot: number;
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
    slot: -1,
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
  QUOTA_EXHAUSTED_BLOCKED: 'PDP Context Request rejected, because quota volume of endpoint is exhausted and defined action is to block data traffic.',
  SIM_NOT_ACTIVATED: 'PDP Context Request rejected, because SIM is not activated.',
  // Synthetic: the catalog keeps OTHER for wordings it does not know.
  OTHER: 'PDP Context Request rejected, because roaming is not permitted in this network.',
};

const REJECTIONS: readonly Uint8Array[] = REJECTION_REASON_CODES.map((code) => ascii(REJECTION_DESCRIPTIONS[code]));
const REJECTIONS_ID: readonly Uint8Array[] = REJECTION_REASON_CODES.map((code) => ascii(`${REJECTION_DESCRIPTIONS[code]}","id":`));

/** Number of Create PDP Context variants (accepted + one per rejection reason). */
export const PDP_CREATE_VARIANTS = 1 + REJECTIONS.length;

/** Generic descriptions that end the data session (reference file). */
export const DISCONNECT_DESCRIPTIONS: readonly string[] = [
  'Disconnecting data access for endpoint to apply throttling action.',
  'Disconnecting data access for endpoint, because quota has been updated.',
  'Disconnecting data access for endpoint, because it has been disabled.',
];
const DISCONNECTS = DISCONNECT_DESCRIPTIONS.map((d) => ascii(d));
const DISCONNECTS_ID = DISCONNECT_DESCRIPTIONS.map((d) => ascii(`${d}","id":`));
/** Generic variants below this end the data session; the others are SMS delivery failures. */
export const GENERIC_DISCONNECT_VARIANTS = DISCONNECTS.length;
/** Number of Generic variants. */
export const GENERIC_VARIANTS = DISCONNECTS.length + 2;

const SOURCE_NAMES = ['Network', 'Policy Control', 'API'];
const SEVERITY_NAMES = ['Info', 'Warn', 'Critical'];
const SEVERITY_SHOUTED = ['INFO', 'WARNING', 'CRITICAL'];

// Fixed fragments.
const F = {
  open: ascii('{"timestamp":"'),
  alertFalse: ascii('","alert":false,"description":"'),
  alertTrue: ascii('","alert":true,"description":"'),
  headAlertFalse: ascii('Z","alert":false,"description":"'),
  headAlertTrue: ascii('Z","alert":true,"description":"'),
  alert0: ascii('","alert":0,"description":"'),
  alert1: ascii('","alert":1,"description":"'),
  id: ascii('","id":'),
  detail: ascii(',"detail":'),
  vlr1: ascii("New location received from VLR for IMSI='"),
  sgsn1: ascii("New location received from SGSN for IMSI='"),
  pdpDeleted: ascii('PDP Context deleted.'),
  pdpDeletedId: ascii('PDP Context deleted.","id":'),
  pdpUpdated: ascii('PDP Context updated.'),
  pdpUpdatedId: ascii('PDP Context updated.","id":'),
  simPrefix: ascii('SIM '),
  endpointPrefix: ascii("Endpoint '"),
  vlrPurge: ascii("VLR location information has been purged for IMSI='"),
  sgsnPurge: ascii("SGSN location information has been purged for IMSI='"),
  sessionId: ascii('"session_id":"'),
  pdpContextId: ascii('","pdp_context_id":'),
  pdpContextIdFirst: ascii('"pdp_context_id":'),
  txControl: ascii(',"tx_teid_control_plane":'),
  txData: ascii(',"tx_teid_data_plane":'),
  rxTeid: ascii(',"rx_teid":'),
  ci: ascii(',"ci":'),
  lac: ascii(',"lac":'),
  tunnel: ascii(',"nsapi":5,"tunnel_created":"'),
  detailSessionId: ascii(',"session_id":"'),
  volumeRx: ascii(',"volume":{"rx":'),
  volumeTx: ascii(',"tx":'),
  volumeTotal: ascii(',"total":'),
  nullEndpoint: ascii(',"endpoint":null'),
  dlr1: ascii('Unable to dispatch DLR for SMS to '),
  dlr2: ascii(': application endpoint not reachable.'),
  smsTo: ascii('SMS to '),
  notForwarded: ascii(' cannot be forwarded to the application.'),
  smsQuota1: ascii('SMS quota got assigned with a volume of '),
  smsQuota2: ascii(' SMS till '),
  smsQuota3: ascii('Z.'),
  dataQuota1: ascii('Data quota got assigned with a volume of '),
  dataQuota2: ascii('.000000 MB with daily refill till '),
  dataQuotaBlock: ascii('Z. On exhaustion, the data service will be blocked.'),
  dataQuotaThrottle: ascii('Z. On exhaustion, the data service will be throttled.'),
  quotaId: ascii('{"id":'),
  quotaVolume: ascii(',"status":{"id":1,"description":"ACTIVE"},"volume":'),
  quotaExpiry: ascii(',"expiryDate":"'),
  quotaThreshold: ascii('Z","thresholdPercentage":'),
  quotaLastVolume: ascii(',"lastVolumeAdded":'),
  quotaAutoRefill: ascii(',"autoRefill":'),
  smsUsedUp: ascii('SMS quota used up.'),
  dataUsedUp: ascii('Data quota used up.'),
  smsThreshold: ascii('SMS quota threshold reached: remaining volume fell below '),
  dataThreshold: ascii('Data quota threshold reached: remaining volume fell below '),
  percentDot: ascii('%.'),
  dataExpired: ascii('Data quota expired.'),
  expiredVolume: ascii(',"status":{"id":3,"description":"EXPIRED"},"volume":'),
  zQuoteClose: ascii('Z"}'),
  quotaLevelVolume: ascii('{"quota":{"volume":'),
  quotaThresholdVolume: ascii(',"threshold_volume":'),
  quotaThresholdPercentage: ascii(',"threshold_percentage":'),
  smsTraffic: ascii(',"traffic_type":{"id":6,"description":"SMS"}}}'),
  closeTwo: ascii('}}'),
  quotaBlock: ascii(',"action_on_exhaustion":{"id":1,"description":"Block","peak_throughput":null}}'),
  quotaThrottle: ascii(',"action_on_exhaustion":{"id":2,"description":"Throttle","peak_throughput":64000}}'),
};

const HEX_DIGITS = ascii('0123456789abcdef');
/** Type blocks are cached for type ids up to 70 (catalog and unknown ids the simulator draws). */
const TYPE_BLOCK_KEYS = 71 * 2 * 3 * 3 * 2;

/** Where an event comes from, how severe it is, whether it alerts: [source, severity, alert]. */
const BLOCKED_CODES = [1, 2, true] as const;
const NETWORK_CODES = [0, 0, false] as const;
const POLICY_CODES = [1, 0, false] as const;
const API_CODES = [2, 0, false] as const;
function plainCodes(typeId: number): readonly [number, number, boolean] {
  if (typeId === T.endpointBlocked) return BLOCKED_CODES;
  if (typeId === T.purgeLocation || typeId === T.purgeGprsLocation) return NETWORK_CODES;
  if (typeId === T.deviceOffline) return POLICY_CODES;
  return API_CODES;
}

/**
 * Descriptions of plain endpoint/SIM records: [prefix, device field, suffix] (the
 * device's ICCID, name or IMSI between two fixed texts), or a fixed text.
 */
type PlainDescription = readonly [Uint8Array, DeviceField, Uint8Array] | Uint8Array;
const plain = (prefix: Uint8Array, field: DeviceField, suffix: string): PlainDescription => [prefix, field, ascii(suffix)];
const PLAIN_DESCRIPTIONS: ReadonlyMap<number, PlainDescription> = new Map([
  [T.simActivation, plain(F.simPrefix, DeviceField.Iccid, ' has been activated.')],
  [T.simSuspension, plain(F.simPrefix, DeviceField.Iccid, ' has been suspended.')],
  [T.simDeletion, plain(F.simPrefix, DeviceField.Iccid, ' has been deleted.')],
  [T.simFactoryTest, plain(F.simPrefix, DeviceField.Iccid, ' has been set to factory test mode.')],
  [T.simRegistration, plain(F.simPrefix, DeviceField.Iccid, ' has been registered via batch identification code.')],
  [T.endpointEnabled, plain(F.endpointPrefix, DeviceField.Name, "' has been enabled.")],
  [T.endpointDisabled, plain(F.endpointPrefix, DeviceField.Name, "' has been disabled.")],
  [T.endpointBlocked, ascii('Endpoint blocked, because the traffic limit of its service policy has been exceeded.')],
  [T.purgeLocation, plain(F.vlrPurge, DeviceField.Imsi, "'.")],
  [T.purgeGprsLocation, plain(F.sgsnPurge, DeviceField.Imsi, "'.")],
  [T.deviceOffline, ascii('Device offline: no PDP context created within 5 minutes after the last deletion.')],
  [T.dataQuotaDeleted, ascii('Data quota has been deleted.')],
  [T.smsQuotaDeleted, ascii('SMS quota has been deleted.')],
]);

const NAME_DOT: Uint8Array[] = [];
/** `<catalog name>.` as bytes: the description of records that say nothing more. */
function nameDot(typeId: number): Uint8Array {
  if (typeId < 0 || typeId > 70) return ascii(`${typeName(typeId)}.`);
  let bytes = NAME_DOT[typeId];
  if (bytes === undefined) {
    bytes = ascii(`${typeName(typeId)}.`);
    NAME_DOT[typeId] = bytes;
  }
  return bytes;
}

/** The pre-encoded bytes of a device field of a DeviceIdentity. */
function identityBytes(device: DeviceIdentity, field: DeviceField): Uint8Array {
  switch (field) {
    case DeviceField.Subject:
      return device.jsonBytes;
    case DeviceField.Pdp:
      return device.pdpBytes;
    case DeviceField.Imsi:
      return device.imsiBytes;
    case DeviceField.Iccid:
      return device.iccidBytes;
    case DeviceField.Name:
      return device.nameBytes;
    default:
      return device.msisdnBytes;
  }
}

/**
 * Renders records. Holds timestamp caches, so use one renderer per stream of records.
 *
 * @example
 * const renderer = new RecordRenderer();
 * const line = renderer.render(spec); // '{"timestamp":"2021-10-27T08:38:02.000Z",…}'
 */
export class RecordRenderer {
  private readonly clock = new IsoClock();
  /** Quota expiry dates (days ahead of the event). */
  private readonly dates = new IsoClock();
  /** Session start times: kept apart from expiries so each clock's cached day and second stay valid. */
  private readonly sessions = new IsoClock();
  private readonly scratch = new ByteWriter(1 << 14);
  /**
   * Allocated at full size up front: filling an empty array at scattered keys up to
   * ~2500 leaves it in dictionary mode, and every record's lookup then went through
   * a megamorphic keyed-load stub.
   */
  private readonly typeBlocks: (Uint8Array | null)[] = new Array<Uint8Array | null>(TYPE_BLOCK_KEYS).fill(null);
  // Scratch codes of the record being written.
  private source = 0;
  private severity = 0;
  private alert = false;

  /** @param slab where specs with a `slot` find their device's fragments */
  constructor(private readonly slab: DeviceSlab | null = null) {}

  /** One record as a JSON text without a line break (specs without a slot only). */
  render(spec: RecordSpec): string {
    const w = this.scratch;
    w.clear();
    this.write(w, spec);
    return w.textFrom(w.base);
  }

  /** Appends one record (no line break) to `w`. */
  write(w: ByteWriter, spec: RecordSpec): void {
    const m = spec.messy;
    const shape = shapeOfId(spec.typeId);
    this.codes(spec, shape);
    if ((m & Messy.KeyOrder) !== 0) {
      this.writeReordered(w, spec, shape);
      return;
    }
    if ((m & (Messy.TimestampStyle | Messy.AlertNumber)) === 0) {
      this.clock.writeHead(w, spec.at);
      w.bytes(this.alert ? F.headAlertTrue : F.headAlertFalse);
    } else {
      w.bytes(F.open);
      this.clock.write(w, spec.at, m & Messy.TimestampStyle);
      if ((m & Messy.AlertNumber) !== 0) w.bytes(this.alert ? F.alert1 : F.alert0);
      else w.bytes(this.alert ? F.alertTrue : F.alertFalse);
    }
    this.description(w, spec, shape, true);
    this.id(w, spec.id);
    w.bytes(this.typeBlock(spec, shape, (m & Messy.CodeName) !== 0));
    this.subject(w, spec, shape);
    this.detail(w, spec, shape);
    if ((m & Messy.ExtraKey) !== 0) this.extraKey(w, spec);
    w.byte(125); // '}'
  }

  /** 1NCE's layout: identity objects first, `event_type` with its description first. */
  private writeReordered(w: ByteWriter, spec: RecordSpec, shape: Shape): void {
    const m = spec.messy;
    const named = (m & Messy.CodeName) !== 0;
    w.byte(123); // '{'
    const device = spec.device;
    const orgLevel = (shape === Shape.Organisation || shape === Shape.Unknown) && spec.variant % 2 === 0;
    if (device !== null && !orgLevel) {
      // 1NCE records open with the IMSI.
      const parts = messySubject(spec, device);
      w.text(`"imsi":${parts.imsi},${parts.head}${parts.user},"id":`);
    } else {
      this.subject(w, spec, shape);
      w.text(',"id":');
    }
    this.id(w, spec.id);
    w.text(`,"event_type":{"description":"${this.eventTypeName(spec, shape)}","id":${spec.typeId}},"description":"`);
    this.description(w, spec, shape, false);
    w.text('","timestamp":"');
    this.clock.write(w, spec.at, m & Messy.TimestampStyle);
    const key = named ? 'name' : 'description';
    const severity = (named ? SEVERITY_SHOUTED : SEVERITY_NAMES)[this.severity];
    const alert = (m & Messy.AlertNumber) !== 0 ? (this.alert ? '1' : '0') : String(this.alert);
    w.text(
      `","event_severity":{"id":${this.severity},"${key}":"${severity}"},"event_source":{"id":${this.source},"${key}":"${SOURCE_NAMES[this.source]}"},"alert":${alert}`,
    );
    this.detail(w, spec, shape);
    if ((m & Messy.ExtraKey) !== 0) this.extraKey(w, spec);
    w.byte(125);
  }

  private id(w: ByteWriter, id: number | bigint): void {
    if (typeof id === 'number') w.uint(id);
    else w.text(id.toString());
  }

  private extraKey(w: ByteWriter, spec: RecordSpec): void {
    w.text(`,"keen":{"id":"${mix32(Number(spec.id) | 0).toString(16)}","created_at":"${localIso(spec.at)}Z"}`);
  }

  /** Copies a device field from the slab or the identity. */
  private field(w: ByteWriter, spec: RecordSpec, field: DeviceField): void {
    if (spec.slot >= 0 && this.slab !== null) this.slab.copy(spec.slot, field);
    else if (spec.device !== null) w.bytes(identityBytes(spec.device, field));
  }

  private eventTypeName(spec: RecordSpec, shape: Shape): string {
    // emnify's own examples name type 4 "Delete PDP Context" when it deletes.
    if (shape === Shape.PdpUpdate && spec.variant % 2 === 1) return 'Delete PDP Context';
    return typeName(spec.typeId);
  }

  /** `,"event_type":{…},"event_source":{…},"event_severity":{…},` rendered once per combination. */
  private typeBlock(spec: RecordSpec, shape: Shape, named: boolean): Uint8Array {
    const deletion = shape === Shape.PdpUpdate && spec.variant % 2 === 1 ? 1 : 0;
    const key = (((spec.typeId * 2 + deletion) * 3 + this.source) * 3 + this.severity) * 2 + (named ? 1 : 0);
    let block = key < TYPE_BLOCK_KEYS ? (this.typeBlocks[key] as Uint8Array | null) : null;
    if (block === null) {
      const k = named ? 'name' : 'description';
      const severity = (named ? SEVERITY_SHOUTED : SEVERITY_NAMES)[this.severity];
      block = ascii(
        `,"event_type":{"id":${spec.typeId},"description":"${this.eventTypeName(spec, shape)}"},"event_source":{"id":${this.source},"${k}":"${SOURCE_NAMES[this.source]}"},"event_severity":{"id":${this.severity},"${k}":"${severity}"},`,
      );
      if (key < TYPE_BLOCK_KEYS) this.typeBlocks[key] = block;
    }
    return block;
  }

  private codes(spec: RecordSpec, shape: Shape): void {
    let source = 2;
    let severity = 0;
    let alert = false;
    switch (shape) {
      case Shape.Location:
      case Shape.PdpDelete:
      case Shape.PdpUpdate:
        source = 0;
        break;
      case Shape.PdpCreate:
        if (spec.variant % PDP_CREATE_VARIANTS === 0) source = 0;
        else {
          source = 1;
          severity = 1;
          alert = true;
        }
        break;
      case Shape.Generic:
        if (spec.variant % GENERIC_VARIANTS < GENERIC_DISCONNECT_VARIANTS) {
          source = 1;
          severity = 1;
          alert = true;
        } else {
          source = 0;
          severity = 1;
        }
        break;
      case Shape.QuotaLevel: {
        const usedUp = spec.typeId === T.quotaUsedUp || spec.typeId === T.smsQuotaUsedUp;
        source = 1;
        severity = usedUp ? 1 : 0;
        alert = usedUp;
        break;
      }
      case Shape.QuotaExpired:
        source = 1;
        severity = 1;
        alert = true;
        break;
      case Shape.EndpointPlain: {
        const c = plainCodes(spec.typeId);
        source = c[0];
        severity = c[1];
        alert = c[2];
        break;
      }
      case Shape.Organisation:
        if (spec.typeId === T.organisationBlocked) {
          source = 1;
          severity = 2;
          alert = true;
        }
        break;
      default:
        break;
    }
    this.source = source;
    this.severity = severity;
    this.alert = alert;
  }

  private operator(spec: RecordSpec): SimulatedOperator {
    return OPERATORS[spec.operator % OPERATORS.length] ?? (OPERATORS[0] as SimulatedOperator);
  }

  /** The description; with `idKey`, followed by `","id":` (fused where the fragments allow). */
  private description(w: ByteWriter, spec: RecordSpec, shape: Shape, idKey: boolean): void {
    switch (shape) {
      case Shape.Location: {
        const op = this.operator(spec);
        const vlr = spec.typeId === T.updateLocation;
        w.bytes(vlr ? F.vlr1 : F.sgsn1);
        this.field(w, spec, DeviceField.Imsi);
        if (idKey) w.bytes(vlr ? op.vlrTailBytes : op.sgsnTailBytes);
        else w.text(vlr ? `', now attached to VLR='${op.vlr}'.` : `', now attached to SGSN='${op.sgsn}', IP='${op.sgsnIp}'.`);
        return;
      }
      case Shape.PdpCreate: {
        const variant = spec.variant % PDP_CREATE_VARIANTS;
        if (variant !== 0) {
          w.bytes((idKey ? REJECTIONS_ID : REJECTIONS)[variant - 1] as Uint8Array);
          return;
        }
        const op = this.operator(spec);
        if (idKey) w.bytes(op.pdpAcceptedBytes);
        else w.text(`New PDP Context successfully activated with SGSN CP=${op.sgsnIp}, DP=${op.sgsnIp}.`);
        return;
      }
      case Shape.PdpDelete:
        w.bytes(idKey ? F.pdpDeletedId : F.pdpDeleted);
        return;
      case Shape.PdpUpdate:
        if (spec.variant % 2 === 1) w.bytes(idKey ? F.pdpDeletedId : F.pdpDeleted);
        else w.bytes(idKey ? F.pdpUpdatedId : F.pdpUpdated);
        return;
      case Shape.Generic: {
        const variant = spec.variant % GENERIC_VARIANTS;
        if (variant < GENERIC_DISCONNECT_VARIANTS) {
          w.bytes((idKey ? DISCONNECTS_ID : DISCONNECTS)[variant] as Uint8Array);
          return;
        }
        if (variant === GENERIC_DISCONNECT_VARIANTS) {
          w.bytes(F.dlr1);
          this.field(w, spec, DeviceField.Msisdn);
          w.bytes(F.dlr2);
        } else {
          w.bytes(F.smsTo);
          this.field(w, spec, DeviceField.Msisdn);
          w.bytes(F.notForwarded);
        }
        break;
      }
      case Shape.QuotaAssigned:
        this.quotaAssignedDescription(w, spec);
        break;
      case Shape.QuotaLevel: {
        const sms = spec.typeId === T.smsQuotaThresholdReached || spec.typeId === T.smsQuotaUsedUp;
        if (this.alert) w.bytes(sms ? F.smsUsedUp : F.dataUsedUp);
        else {
          w.bytes(sms ? F.smsThreshold : F.dataThreshold);
          w.uint(quotaPercentage(spec.random));
          w.bytes(F.percentDot);
        }
        break;
      }
      case Shape.QuotaExpired:
        w.bytes(F.dataExpired);
        break;
      case Shape.EndpointPlain: {
        const text = PLAIN_DESCRIPTIONS.get(spec.typeId);
        if (text === undefined || (spec.slot < 0 && spec.device === null)) w.bytes(nameDot(spec.typeId));
        else if (text instanceof Uint8Array) w.bytes(text);
        else {
          w.bytes(text[0]);
          this.field(w, spec, text[1]);
          w.bytes(text[2]);
        }
        break;
      }
      case Shape.Organisation:
        if (spec.typeId === T.organisationBlocked) {
          w.text(`Organisation '${spec.organisation.name}' blocked, because the monthly cost limit has been exceeded.`);
        } else w.bytes(nameDot(spec.typeId));
        break;
      default:
        w.text(`Event of type ${spec.typeId}.`);
        break;
    }
    if (idKey) w.bytes(F.id);
  }

  /** `"organisation":…,"endpoint":…,"sim":…,"imsi":…` or the organisation-level equivalent. */
  private subject(w: ByteWriter, spec: RecordSpec, shape: Shape): void {
    const m = spec.messy;
    const org = spec.organisation;
    const device = spec.device;
    const orgLevel = (spec.slot < 0 && device === null) || ((shape === Shape.Organisation || shape === Shape.Unknown) && spec.variant % 2 === 0);
    if (orgLevel) {
      const withUser = spec.typeId !== T.organisationBlocked && shape !== Shape.Unknown;
      w.bytes(withUser ? org.subjectBytes : org.subjectNoUserBytes);
      if ((m & Messy.NullEndpoint) !== 0) w.bytes(F.nullEndpoint);
      return;
    }
    if (
      device === null ||
      (m & (Messy.NullSim | Messy.NullImsi | Messy.NullUser | Messy.BareNumbers | Messy.TagsString | Messy.Msisdn | Messy.NameVariants)) === 0
    ) {
      this.field(w, spec, DeviceField.Subject);
      return;
    }
    const parts = messySubject(spec, device);
    w.text(`${parts.head},"imsi":${parts.imsi}${parts.user}`);
  }

  private detail(w: ByteWriter, spec: RecordSpec, shape: Shape): void {
    switch (shape) {
      case Shape.Location:
        w.bytes(this.operator(spec).locationDetailBytes);
        return;
      case Shape.PdpCreate:
        if (spec.variant % PDP_CREATE_VARIANTS === 0) this.sessionDetail(w, spec, false);
        return;
      case Shape.PdpDelete:
        this.sessionDetail(w, spec, true);
        return;
      case Shape.PdpUpdate:
        this.sessionDetail(w, spec, spec.variant % 2 === 1);
        return;
      case Shape.QuotaAssigned:
        w.bytes(F.detail);
        if ((spec.messy & Messy.StringDetail) !== 0) w.text(quotaAssignedStringDetail(spec));
        else this.quotaAssignedDetail(w, spec);
        return;
      case Shape.QuotaLevel:
        w.bytes(F.detail);
        if ((spec.messy & Messy.NumericStrings) !== 0) w.text(quotaLevelDetail(spec));
        else writeQuotaLevelDetail(w, spec);
        return;
      case Shape.QuotaExpired:
        // `{"id":…,"status":{"id":3,…},"volume":…,"expiryDate":"…Z"}`, digits written in place.
        w.bytes(F.detail);
        w.bytes(F.quotaId);
        w.uint(7_000_000 + (spec.random >>> 6));
        w.bytes(F.expiredVolume);
        writeMegabytes(w, (spec.random & 0xffff) * 11);
        w.bytes(F.quotaExpiry);
        this.dates.local(w, spec.at);
        w.bytes(F.zQuoteClose);
        return;
      case Shape.Organisation: {
        const detail = organisationDetail(spec);
        if (detail !== '') {
          w.bytes(F.detail);
          w.text(detail);
        }
        return;
      }
      default:
        return;
    }
  }

  /** Detail of Create / Delete / Update PDP Context: operator, PDP context, and for deletions the volume. */
  private sessionDetail(w: ByteWriter, spec: RecordSpec, withVolume: boolean): void {
    const op = this.operator(spec);
    const m = spec.messy;
    const device = spec.device;
    const a = spec.sessionA;
    const b = spec.sessionB;
    const sessionIdInDetail = (m & Messy.SessionIdInDetail) !== 0;
    w.bytes(op.sessionHeadBytes);
    const slab = this.slab;
    if (!sessionIdInDetail && spec.slot >= 0 && slab !== null) {
      // A session's block is written once, into the device's slot, and copied by its
      // Create and its Delete alike.
      if (!slab.holdsSession(spec.slot, a, b)) {
        const saved = w.pos;
        w.pos = slab.sessionOffset(spec.slot);
        this.sessionBlock(w, spec, true);
        slab.setSession(spec.slot, a, b, w.pos);
        w.pos = saved;
      }
      slab.copySession(spec.slot);
    } else this.sessionBlock(w, spec, !sessionIdInDetail);
    w.bytes(op.pdpBytes);
    const org = spec.organisation;
    w.bytes((m & Messy.NoBreakout) === 0 ? org.pdpBytes : org.pdpNoBreakoutBytes);
    if ((m & Messy.NumericStrings) !== 0 && device !== null) {
      w.text(
        `,"gtp_version":"${device.ratType >= 6 ? 2 : 1}","imeisv":"${device.imeisv}","imsi":"${device.imsi}","rat_type":"${device.ratType}","ue_ip_address":"${device.ipAddress}"`,
      );
    } else if (spec.slot < 0 && device === null) w.text(',"rat_type":6');
    else this.field(w, spec, DeviceField.Pdp);
    w.bytes(op.sessionTailBytes);
    if (sessionIdInDetail) {
      w.bytes(F.detailSessionId);
      writeUuid(w, sessionHash1(a), sessionHash2(b), sessionHash3(a, b), sessionHash4(a, b));
      w.byte(34);
    }
    if (withVolume) {
      const r = spec.random;
      const rx = (r & 0xffff) * 613;
      const tx = ((r >>> 16) & 0x3fff) * 97;
      w.bytes(F.volumeRx);
      writeMegabytes(w, rx);
      w.bytes(F.volumeTx);
      writeMegabytes(w, tx);
      w.bytes(F.volumeTotal);
      writeMegabytes(w, rx + tx);
      w.byte(125);
    }
    w.byte(125);
  }

  private quotaAssignedDescription(w: ByteWriter, spec: RecordSpec): void {
    const q = quotaAssignment(spec);
    if (q.sms) {
      w.bytes(F.smsQuota1);
      w.uint(q.volume);
      w.bytes(F.smsQuota2);
      this.dates.local(w, q.expiry);
      w.bytes(F.smsQuota3);
      return;
    }
    w.bytes(F.dataQuota1);
    w.uint(q.volume);
    w.bytes(F.dataQuota2);
    this.dates.local(w, q.expiry);
    w.bytes(q.block ? F.dataQuotaBlock : F.dataQuotaThrottle);
  }

  private quotaAssignedDetail(w: ByteWriter, spec: RecordSpec): void {
    const q = quotaAssignment(spec);
    const r = spec.random;
    w.bytes(F.quotaId);
    w.uint(7_000_000 + (r >>> 6));
    w.bytes(F.quotaVolume);
    w.uint(q.volume);
    w.bytes(F.quotaExpiry);
    this.dates.local(w, q.expiry);
    w.bytes(F.quotaThreshold);
    w.uint(q.percentage);
    w.bytes(F.quotaLastVolume);
    w.uint(q.volume);
    w.bytes(F.quotaAutoRefill);
    w.uint((r >>> 24) & 1);
    w.bytes(q.block ? F.quotaBlock : F.quotaThrottle);
  }

  /** `"session_id":"…","pdp_context_id":…,…,"tunnel_created":"…"` (without the session id if told so). */
  private sessionBlock(w: ByteWriter, spec: RecordSpec, withSessionId: boolean): void {
    const a = spec.sessionA;
    const b = spec.sessionB;
    const h1 = sessionHash1(a);
    const h2 = sessionHash2(b);
    const h3 = sessionHash3(a, b);
    const h4 = sessionHash4(a, b);
    if (withSessionId) {
      w.bytes(F.sessionId);
      writeUuid(w, h1, h2, h3, h4);
      w.bytes(F.pdpContextId);
    } else w.bytes(F.pdpContextIdFirst);
    w.uint(50_000_000 + (h4 % 10_000_000));
    w.bytes(F.txControl);
    w.uint(h1 >>> 1);
    w.bytes(F.txData);
    w.uint(h2 >>> 1);
    w.bytes(F.rxTeid);
    w.uint(h3 >>> 2);
    w.bytes(F.ci);
    w.uint(h1 & 0xffff);
    w.bytes(F.lac);
    w.uint((h2 & 0x3fff) + 1);
    w.bytes(F.tunnel);
    this.sessions.local(w, spec.sessionStart);
    w.byte(34); // '"'
  }
}

// The words a session's ids and numbers derive from (hashed only when a block is written).
const sessionHash1 = (a: number): number => mix32(a ^ 0x2545f491);
const sessionHash2 = (b: number): number => mix32(b ^ 0x68e31da4);
const sessionHash3 = (a: number, b: number): number => mix32((a + Math.imul(b, 3)) | 0);
const sessionHash4 = (a: number, b: number): number => mix32(a ^ (b << 1) ^ 0x5bd1e995);

/** A device's identity objects with the messy variants applied, as text. */
function messySubject(spec: RecordSpec, device: DeviceIdentity): { head: string; imsi: string; user: string } {
  const m = spec.messy;
  const org = spec.organisation;
  const imei = (m & Messy.NullUser) !== 0 ? 'null' : `"${device.imei}"`;
  const tags = (m & Messy.TagsString) !== 0 ? '"fleet,eu"' : 'null';
  const bare = (m & Messy.BareNumbers) !== 0;
  const msisdn = (m & Messy.Msisdn) !== 0 ? `,"msisdn":"${device.msisdn}"` : '';
  const name = (m & Messy.NameVariants) !== 0 ? nameMember(device.name, spec.random) : `"name":"${device.name}",`;
  const sim =
    (m & Messy.NullSim) !== 0
      ? 'null'
      : `{"iccid":${bare ? device.iccid : `"${device.iccid}"`},"id":${device.simId},"production_date":"${org.productionDate}"${msisdn}}`;
  return {
    head: `"organisation":${org.json},"endpoint":{"id":${device.endpointId},"imei":${imei},"ip_address":"${device.ipAddress}",${name}"tags":${tags}},"sim":${sim}`,
    imsi: (m & Messy.NullImsi) !== 0 ? 'null' : `{"id":${device.imsiId},"import_date":"${org.importDate}","imsi":${bare ? device.imsi : `"${device.imsi}"`}}`,
    user: (m & Messy.NullUser) !== 0 ? ',"user":null' : '',
  };
}

function quotaAssignedStringDetail(spec: RecordSpec): string {
  const q = quotaAssignment(spec);
  const quotaId = 7_000_000 + (spec.random >>> 6);
  // 1NCE sends this detail as a string of snake_case keys whose dates are not quoted:
  // the string is not JSON itself, and the event must still decode.
  const date = localIso(q.expiry).replace('T', ' ');
  return `"{\\"id\\": ${quotaId}, \\"volume\\": ${q.volume}.0, \\"expiry_date\\": ${date}, \\"threshold_percentage\\": ${q.percentage}, \\"status\\": \\"ACTIVE\\", \\"action_on_exhaustion\\": \\"${q.block ? 'Block' : 'Throttle'}\\"}"`;
}

function writeHex(buf: Uint8Array, p: number, x: number, digits: number): number {
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) buf[p++] = HEX_DIGITS[(x >>> shift) & 15] as number;
  return p;
}

function writeUuid(w: ByteWriter, h1: number, h2: number, h3: number, h4: number): void {
  // 8-4-4-4-12 hex digits; version 4, variant 10xx, as a random UUID has.
  w.reserve(36);
  const buf = w.buf;
  let p = writeHex(buf, w.pos, h1, 8);
  buf[p++] = 45; // '-'
  p = writeHex(buf, p, h2 >>> 16, 4);
  buf[p++] = 45;
  buf[p++] = 52; // '4'
  p = writeHex(buf, p, h2, 3);
  buf[p++] = 45;
  p = writeHex(buf, p, 0x8000 | ((h3 >>> 16) & 0x3fff), 4);
  buf[p++] = 45;
  p = writeHex(buf, p, h3, 4);
  w.pos = writeHex(buf, p, h4, 8);
}

/** Megabytes with six decimals from an integer count of bytes (exact text, no float formatting). */
function megabytes(bytes: number): string {
  return `${Math.floor(bytes / 1e6)}.${String((bytes % 1e6) + 1e6).slice(1)}`;
}

function writeMegabytes(w: ByteWriter, bytes: number): void {
  const rest = bytes % 1e6;
  w.uint((bytes - rest) / 1e6);
  w.byte(46);
  w.padded(rest, 6);
}

const quotaPercentage = (r: number): number => 5 + ((r >>> 8) % 4) * 5;

interface QuotaAssignment {
  sms: boolean;
  volume: number;
  percentage: number;
  /** Expiry time, UTC ms (whole seconds). */
  expiry: number;
  block: boolean;
}

function quotaAssignment(spec: RecordSpec): QuotaAssignment {
  const sms = spec.typeId === T.smsQuotaAssigned;
  const r = spec.random;
  return {
    sms,
    volume: sms ? 50 + (r % 20) * 50 : 10 + (r % 50) * 10,
    percentage: quotaPercentage(r),
    expiry: Math.floor(spec.at / 1000) * 1000 + (1 + ((r >>> 12) % 60)) * 86_400_000,
    block: ((r >>> 20) & 3) !== 0,
  };
}

/** `quotaLevelDetail` of a canonical record (no numeric strings), written as bytes. */
function writeQuotaLevelDetail(w: ByteWriter, spec: RecordSpec): void {
  const typeId = spec.typeId;
  const sms = typeId === T.smsQuotaThresholdReached || typeId === T.smsQuotaUsedUp;
  const usedUp = typeId === T.quotaUsedUp || typeId === T.smsQuotaUsedUp;
  const r = spec.random;
  w.bytes(F.quotaLevelVolume);
  if (usedUp)
    w.byte(48); // '0'
  else if (sms) w.uint(1 + (r % 9));
  else writeMegabytes(w, (r & 0xfffff) * 3);
  w.bytes(F.quotaThresholdVolume);
  if (sms) w.uint(5 + (r % 5));
  else writeMegabytes(w, ((r >>> 4) & 0xfffff) * 7);
  w.bytes(F.quotaThresholdPercentage);
  w.uint(quotaPercentage(r));
  w.bytes(sms ? F.smsTraffic : F.closeTwo);
}

/** The detail of quota threshold / used-up records as text (the messy path). */
function quotaLevelDetail(spec: RecordSpec): string {
  const typeId = spec.typeId;
  const sms = typeId === T.smsQuotaThresholdReached || typeId === T.smsQuotaUsedUp;
  const usedUp = typeId === T.quotaUsedUp || typeId === T.smsQuotaUsedUp;
  const r = spec.random;
  const strings = (spec.messy & Messy.NumericStrings) !== 0;
  let volume: string;
  if (sms) volume = usedUp ? '0' : String(1 + (r % 9));
  // A float artefact seen in real used-up records.
  else if (usedUp) volume = strings ? '"-0.00120000000000009"' : '0';
  else volume = strings ? `"${megabytes((r & 0xfffff) * 3)}"` : megabytes((r & 0xfffff) * 3);
  const thresholdVolume = sms ? String(5 + (r % 5)) : megabytes(((r >>> 4) & 0xfffff) * 7);
  const traffic = sms ? ',"traffic_type":{"id":6,"description":"SMS"}' : '';
  return `{"quota":{"volume":${volume},"threshold_volume":${thresholdVolume},"threshold_percentage":${quotaPercentage(r)}${traffic}}}`;
}

/** Detail of organisation-level records, shaped like emnify's MNO examples (seeds). */
function organisationDetail(spec: RecordSpec): string {
  const org = spec.organisation;
  const r = spec.random;
  switch (spec.typeId) {
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
