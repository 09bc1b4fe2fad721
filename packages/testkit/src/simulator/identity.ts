/**
 * Who the simulated events are about: organisations and devices (endpoint + SIM +
 * IMSI), each derived from its index and the run's salt, so a device's identity
 * never has to be stored and the same seed always gives the same fleet.
 *
 * The JSON fragments every record of a device repeats are rendered once per identity.
 */
import { ascii } from './ByteWriter.js';
import { OPERATORS } from './operators.js';

export interface OrganisationIdentity {
  readonly index: number;
  readonly id: number;
  readonly name: string;
  readonly apn: string;
  readonly region: string;
  /** SIM batch dates of the organisation's devices (ISO, as emnify sends them). */
  readonly productionDate: string;
  readonly importDate: string;
  readonly userId: number;
  readonly userName: string;
  readonly username: string;
  /** `{"id":…,"name":…}` */
  readonly json: string;
  /** `{"id":…,"name":…,"username":…}` */
  readonly userJson: string;
  /** The organisation's part of a `pdp_context` (no braces). */
  readonly pdpJson: string;
  /** The same with `breakout_ip: "unavailable"` and `apn: null`, as some real records have. */
  readonly pdpJsonNoBreakout: string;
  // Fragments as bytes, for the record builder.
  /** `"organisation":{…},"user":{…}` */
  readonly subjectBytes: Uint8Array;
  /** `"organisation":{…}` */
  readonly subjectNoUserBytes: Uint8Array;
  /** `,` + pdpJson */
  readonly pdpBytes: Uint8Array;
  readonly pdpNoBreakoutBytes: Uint8Array;
}

export interface DeviceIdentity {
  readonly index: number;
  readonly organisation: OrganisationIdentity;
  readonly endpointId: number;
  readonly name: string;
  readonly imei: string;
  readonly imeisv: string;
  readonly ipAddress: string;
  readonly simId: number;
  /** 19 or 20 digits: beyond 2^53, so always handled as text. */
  readonly iccid: string;
  readonly msisdn: string;
  readonly imsiId: number;
  readonly imsi: string;
  /** 3GPP RAT type of the device's modem. */
  readonly ratType: number;
  /** Index in OPERATORS of the network the device usually attaches to. */
  readonly homeOperator: number;
  /** `"organisation":…,"endpoint":…,"sim":…,"imsi":…` (no braces), in emnify's key order. */
  readonly json: string;
  /** The device's part of a `pdp_context` (no braces). */
  readonly pdpJson: string;
  // Fragments as bytes, for the record builder.
  readonly jsonBytes: Uint8Array;
  /** `,` + pdpJson */
  readonly pdpBytes: Uint8Array;
  readonly imsiBytes: Uint8Array;
  readonly iccidBytes: Uint8Array;
  readonly nameBytes: Uint8Array;
  readonly msisdnBytes: Uint8Array;
}

const ORG_NAMES = ['Sample Corp', 'Test Org', 'Demo Company', 'Acme Logistics', 'Northwind Metering', 'Contoso Fleet'];
const DEVICE_NAMES = ['GPS Tracker', 'Test Sim', 'Smart Meter', 'Cold Chain Sensor', 'Vending Unit', 'Telematics Box'];
const FIRST_NAMES = ['Sample', 'John', 'Jane', 'Alex', 'Maria', 'Kim'];
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1'];
const APNS = ['em', 'em', 'iot.simfleet', 'em'];
/** RAT types weighted towards LTE-M / LTE, as current IoT fleets are. */
const RAT_TYPES = [6, 9, 9, 6, 8, 2, 1, 5];

/** Cheap integer hash (lowbias32): spreads index-derived choices. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * The organisation at `index` of a run with this salt.
 *
 * @example
 * organisationIdentity(0, 7).name // 'Sample Corp'
 */
export function organisationIdentity(index: number, salt: number): OrganisationIdentity {
  const id = 10_000 + (salt % 5000) * 16 + index * 101;
  const base = ORG_NAMES[index % ORG_NAMES.length] ?? 'Org';
  const name = index < ORG_NAMES.length ? base : `${base} ${Math.floor(index / ORG_NAMES.length) + 1}`;
  const h = mix32(Math.imul(index + 1, 0x85ebca6b) ^ salt);
  const apn = APNS[h % APNS.length] ?? 'em';
  const region = REGIONS[(h >>> 4) % REGIONS.length] ?? 'eu-west-1';
  const day = 1 + ((h >>> 8) % 28);
  const productionDate = `2020-${pad(1 + ((h >>> 13) % 12), 2)}-${pad(day, 2)}T13:02:11.000Z`;
  const userId = 100_000 + index * 13 + (salt % 1000);
  const first = FIRST_NAMES[index % FIRST_NAMES.length] ?? 'Sample';
  const userName = `${first} User`;
  const username = `${first.toLowerCase()}.user${index}@example.com`;
  const breakout = `195.58.${216 + (index % 8)}.${216 + ((h >>> 3) % 32)}`;
  const ggsn = `185.57.${211 + (index % 4)}.${190 + ((h >>> 5) % 60)}`;
  const json = `{"id":${id},"name":"${name}"}`;
  const userJson = `{"id":${userId},"name":"${userName}","username":"${username}"}`;
  const rest = `"ggsn_control_plane_ip_address":"${ggsn}","ggsn_data_plane_ip_address":"${ggsn}","ratezone_id":"${3300 + (h % 9)}","region":"${region}","tariff_id":"${550 + (index % 7)}","tariff_profile_id":"${407_870 + index}"`;
  const pdpJson = `"apn":"${apn}","breakout_ip":"${breakout}",${rest}`;
  const pdpJsonNoBreakout = `"apn":null,"breakout_ip":"unavailable",${rest}`;
  return {
    index,
    id,
    name,
    apn,
    region,
    productionDate,
    importDate: productionDate,
    userId,
    userName,
    username,
    json,
    userJson,
    pdpJson,
    pdpJsonNoBreakout,
    subjectBytes: ascii(`"organisation":${json},"user":${userJson}`),
    subjectNoUserBytes: ascii(`"organisation":${json}`),
    pdpBytes: ascii(`,${pdpJson}`),
    pdpNoBreakoutBytes: ascii(`,${pdpJsonNoBreakout}`),
  };
}

/** Identifier numbers of device `index` in a run with this salt (shared by the string and byte paths). */
export const deviceNumbers = {
  endpointId: (index: number, salt: number): number => 10_000_000 + (salt % 997) * 1_000_000 + index,
  simId: (index: number, salt: number): number => 3_000_000 + (salt % 997) * 1_000_000 + index,
  imsiId: (index: number, salt: number): number => 20_000_000 + (salt % 997) * 1_000_000 + index,
  /** 12 digits after the issuer prefix: unique per index. */
  iccidSerial: (index: number, salt: number): number => ((salt % 997) * 1_000_000_007 + index) % 1e12,
  /** Every fourth SIM has a 20-digit ICCID, as some issuers' SIMs do. */
  iccidPrefix: (index: number): string => (index % 4 === 3 ? '89490200' : '8988303'),
  /** 10 digits after MCC+MNC `29509`. */
  imsiSerial: (index: number, salt: number): number => ((salt % 997) * 10_000_019 + index) % 1e10,
  /** 13 digits after `35`. */
  imeiSerial: (index: number, salt: number): number => (mix32(index ^ Math.imul(salt, 31)) * 3 + index) % 1e13,
  /** 9 digits after `4915`. */
  msisdnSerial: (index: number, salt: number): number => ((salt % 997) * 7_000_003 + index) % 1e9,
  hash: (index: number, salt: number): number => mix32(Math.imul(index, 0x9e3779b1) ^ salt),
  ratType: (hash: number): number => RAT_TYPES[hash % RAT_TYPES.length] ?? 6,
  deviceName: (index: number): string => DEVICE_NAMES[index % DEVICE_NAMES.length] ?? 'Device',
} as const;

/**
 * The device at `index` of a run with this salt, in organisation `organisation`.
 * Distinct indexes give distinct endpoint ids, SIM ids, ICCIDs and IMSIs.
 *
 * @example
 * deviceIdentity(0, organisationIdentity(0, 7), 7).iccid.length // 19
 */
export function deviceIdentity(index: number, organisation: OrganisationIdentity, salt: number): DeviceIdentity {
  const n = deviceNumbers;
  const h = n.hash(index, salt);
  const endpointId = n.endpointId(index, salt);
  const simId = n.simId(index, salt);
  const imsiId = n.imsiId(index, salt);
  const iccid = `${n.iccidPrefix(index)}${pad(n.iccidSerial(index, salt), 12)}`;
  const imsi = `29509${pad(n.imsiSerial(index, salt), 10)}`;
  const imeiSerial = n.imeiSerial(index, salt);
  const imei = `35${pad(imeiSerial, 13)}`;
  const imeisv = `35${pad(Math.floor(imeiSerial / 10), 12)}${pad(h % 100, 2)}`;
  const ipAddress = `100.${64 + ((index >>> 16) & 63)}.${(index >>> 8) & 255}.${index & 255}`;
  const name = `${n.deviceName(index)} ${index + 1}`;
  const ratType = n.ratType(h);
  const homeOperator = (h >>> 8) % 3;
  const msisdn = `4915${pad(n.msisdnSerial(index, salt), 9)}`;
  const json = `"organisation":${organisation.json},"endpoint":{"id":${endpointId},"imei":"${imei}","ip_address":"${ipAddress}","name":"${name}","tags":null},"sim":{"iccid":"${iccid}","id":${simId},"production_date":"${organisation.productionDate}"},"imsi":{"id":${imsiId},"import_date":"${organisation.importDate}","imsi":"${imsi}"}`;
  const pdpJson = `"gtp_version":${ratType >= 6 ? 2 : 1},"imeisv":"${imeisv}","imsi":"${imsi}","rat_type":${ratType},"ue_ip_address":"${ipAddress}"`;
  return {
    index,
    organisation,
    endpointId,
    name,
    imei,
    imeisv,
    ipAddress,
    simId,
    iccid,
    msisdn,
    imsiId,
    imsi,
    ratType,
    homeOperator: homeOperator < OPERATORS.length ? homeOperator : 0,
    json,
    pdpJson,
    jsonBytes: ascii(json),
    pdpBytes: ascii(`,${pdpJson}`),
    imsiBytes: ascii(imsi),
    iccidBytes: ascii(iccid),
    nameBytes: ascii(name),
    msisdnBytes: ascii(msisdn),
  };
}

/** The operator a device usually attaches to (index in OPERATORS). */
export function homeOperatorOf(index: number, salt: number): number {
  return (deviceNumbers.hash(index, salt) >>> 8) % 3;
}
