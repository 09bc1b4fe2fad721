import { ascii } from './ByteWriter.js';

/**
 * Visited network operators the simulator roams devices onto, with their JSON
 * fragments rendered once.
 *
 * The first row is the operator of emnify's own examples (seeds); the others are
 * real networks with real MCC/MNC codes, but their emnify-internal ids (`id`,
 * `country.id`, tapcode ids) and network element addresses are synthetic.
 */
export interface SimulatedOperator {
  readonly id: number;
  readonly name: string;
  readonly countryId: number;
  readonly countryName: string;
  readonly countryCode: string;
  readonly mcc: string;
  readonly mnc: string;
  readonly isoCode: string;
  readonly tapcode: string;
  /** SGSN control/data plane address (descriptions and `pdp_context`). */
  readonly sgsnIp: string;
  /** VLR and SGSN global titles, as Update location descriptions quote them. */
  readonly vlr: string;
  readonly sgsn: string;
  /** `"country":{…}` object text. */
  readonly countryJson: string;
  /** Detail of Update (GPRS) location: `{"id":…,"name":…,"country":…,"tapcode":[…],"mnc":[…]}`. */
  readonly locationDetailJson: string;
  /** The operator's part of a `pdp_context` (no braces). */
  readonly pdpJson: string;
  // Fragments as bytes for the record builder, fused where records always join them.
  /** `,"detail":{…operator…}` */
  readonly locationDetailBytes: Uint8Array;
  /** `,"detail":{"country":…,"name":…,"pdp_context":{` */
  readonly sessionHeadBytes: Uint8Array;
  /** `,` + pdpJson */
  readonly pdpBytes: Uint8Array;
  /** `},"id":…` closing the PDP context */
  readonly sessionTailBytes: Uint8Array;
  /** `', now attached to VLR='…'.","id":` */
  readonly vlrTailBytes: Uint8Array;
  /** `', now attached to SGSN='…', IP='…'.","id":` */
  readonly sgsnTailBytes: Uint8Array;
  /** `New PDP Context successfully activated with SGSN CP=…, DP=….","id":` */
  readonly pdpAcceptedBytes: Uint8Array;
}

const row = (
  id: number,
  name: string,
  countryId: number,
  countryName: string,
  countryCode: string,
  mcc: string,
  mnc: string,
  isoCode: string,
  tapcode: string,
  sgsnIp: string,
  vlr: string,
  sgsn: string,
): SimulatedOperator => {
  const countryJson = `{"id":${countryId},"name":"${countryName}","country_code":"${countryCode}","mcc":"${mcc}","iso_code":"${isoCode}"}`;
  const locationDetailJson = `{"id":${id},"name":"${name}","country":${countryJson},"tapcode":[{"id":${id * 7 + 2},"tapcode":"${tapcode}"}],"mnc":[{"id":${id * 5 + 3},"mnc":"${mnc}"}]}`;
  const pdpJson = `"mcc":"${mcc}","mnc":"${mnc}","operator_id":"${id}","rac":null,"sac":null,"sgsn_control_plane_ip_address":"${sgsnIp}","sgsn_data_plane_ip_address":"${sgsnIp}"`;
  return {
    id,
    name,
    countryId,
    countryName,
    countryCode,
    mcc,
    mnc,
    isoCode,
    tapcode,
    sgsnIp,
    vlr,
    sgsn,
    countryJson,
    locationDetailJson,
    pdpJson,
    locationDetailBytes: ascii(`,"detail":${locationDetailJson}`),
    sessionHeadBytes: ascii(`,"detail":{"country":${countryJson},"name":"${name}","pdp_context":{`),
    pdpBytes: ascii(`,${pdpJson}`),
    sessionTailBytes: ascii(`},"id":${id}`),
    vlrTailBytes: ascii(`', now attached to VLR='${vlr}'.","id":`),
    sgsnTailBytes: ascii(`', now attached to SGSN='${sgsn}', IP='${sgsnIp}'.","id":`),
    pdpAcceptedBytes: ascii(`New PDP Context successfully activated with SGSN CP=${sgsnIp}, DP=${sgsnIp}.","id":`),
  };
};

/** The operators, home networks first. */
export const OPERATORS: readonly SimulatedOperator[] = [
  row(3, 'Vodafone', 74, 'Germany', '49', '262', '02', 'de', 'DEUD2', '213.181.61.176', '491720000095', '324750004071717'),
  row(1, 'Telekom', 74, 'Germany', '49', '262', '01', 'de', 'DEUD1', '213.181.60.148', '491710000042', '324750004070011'),
  row(5, 'Telefonica', 74, 'Germany', '49', '262', '03', 'de', 'DEUE2', '213.181.62.20', '491760000017', '324750004072230'),
  row(12, 'Vodafone UK', 205, 'United Kingdom', '44', '234', '15', 'gb', 'GBRVF', '212.183.128.34', '447785016005', '447785016101'),
  row(14, 'EE', 205, 'United Kingdom', '44', '234', '30', 'gb', 'GBRME', '193.35.132.10', '447953710000', '447953710120'),
  row(21, 'Orange', 70, 'France', '33', '208', '01', 'fr', 'FRAF1', '193.252.22.41', '33689004000', '33689004102'),
  row(31, 'AT&T Mobility', 226, 'United States', '1', '310', '410', 'us', 'USACG', '166.216.149.12', '13123149999', '13123149077'),
  row(33, 'T-Mobile USA', 226, 'United States', '1', '310', '260', 'us', 'USAW6', '208.54.85.90', '14054090000', '14054090123'),
  row(41, 'Swisscom', 40, 'Switzerland', '41', '228', '01', 'ch', 'CHEC1', '138.187.56.2', '41794990000', '41794990100'),
  row(45, 'Telia', 206, 'Sweden', '46', '240', '01', 'se', 'SWETR', '195.198.80.11', '46705008999', '46705008100'),
];
