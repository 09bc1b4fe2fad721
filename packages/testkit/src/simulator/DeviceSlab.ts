/**
 * Per-device identity fragments for the workload generator, kept as bytes in the
 * arena of the generator's ByteWriter.
 *
 * Why: a device's records repeat its identity (~350 bytes of organisation, endpoint,
 * SIM and IMSI) and its part of every PDP context. Building those as strings and
 * buffers costs ~14 µs and ~2 KB of heap per device, which a million-device fleet
 * cannot afford. Here they are written once per device as digits straight into a
 * fixed-size arena slot (direct-mapped by device index) and copied per record with
 * `copyWithin`: no object per device, nothing for the garbage collector to trace.
 * The bytes are the same text `deviceIdentity` produces (a test compares them).
 */
import { ascii, type ByteWriter } from './ByteWriter.js';
import { deviceNumbers, type OrganisationIdentity } from './identity.js';

/** The fragments stored per device. */
export const DeviceField = {
  /** `"organisation":…,"endpoint":…,"sim":…,"imsi":…` */
  Subject: 0,
  /** `,"gtp_version":…,"imeisv":…,"imsi":…,"rat_type":…,"ue_ip_address":…` */
  Pdp: 1,
  Imsi: 2,
  Iccid: 3,
  Name: 4,
  Msisdn: 5,
} as const;
export type DeviceField = (typeof DeviceField)[keyof typeof DeviceField];

/** Where in a slot the current data session's block starts (identities take ~600 bytes at most). */
const SESSION_AT = 704;
/** Bytes per slot: identity, then the open session's block (~260 bytes). */
export const SLOT_SIZE = 1024;

interface OrgFragments {
  readonly head: Uint8Array;
  readonly production: Uint8Array;
  readonly imsiHead: Uint8Array;
}

const IP_PREFIX = ascii('100.');
const NAME_PREFIXES = Array.from({ length: 6 }, (_, i) => ascii(`${deviceNumbers.deviceName(i)} `));
const F = {
  imei: ascii(',"imei":"35'),
  ip: ascii('","ip_address":"'),
  name: ascii('","name":"'),
  sim: ascii('","tags":null},"sim":{"iccid":"'),
  simId: ascii('","id":'),
  imsiClose: ascii('"}'),
  gtp: ascii(',"gtp_version":'),
  imeisv: ascii(',"imeisv":"35'),
  pdpImsi: ascii('","imsi":"29509'),
  rat: ascii('","rat_type":'),
  ue: ascii(',"ue_ip_address":"'),
  imsiPrefix: ascii('29509'),
  msisdnPrefix: ascii('4915'),
  iccid19: ascii('8988303'),
  iccid20: ascii('89490200'),
};

/**
 * Per-slot bookkeeping, 16 words (one 64-byte cache line) per slot: the owner
 * (device index + 1, 0 = empty), each field as `offset in slot << 16 | length`, and
 * the open session's two words and block end. One record rather than one array per
 * item, because slots are visited at random and every separate array is a cache miss.
 */
const META = 16;
const OWNER = 0;
const FIELD_AT = 1;
const SESSION_A = 7;
const SESSION_B = 8;
const SESSION_END = 9;

export class DeviceSlab {
  readonly slots: number;
  private readonly meta: Uint32Array;
  private readonly orgs: readonly OrgFragments[];

  /**
   * @param slots number of devices kept at once (the arena is `slots × SLOT_SIZE` bytes of `writer`)
   */
  constructor(
    slots: number,
    private readonly salt: number,
    private readonly organisations: readonly OrganisationIdentity[],
    private readonly writer: ByteWriter,
  ) {
    if (writer.base < slots * SLOT_SIZE) throw new RangeError('writer arena too small for the slab');
    this.slots = slots;
    this.meta = new Uint32Array(slots * META);
    this.orgs = organisations.map((org) => ({
      head: ascii(`"organisation":${org.json},"endpoint":{"id":`),
      production: ascii(`,"production_date":"${org.productionDate}"},"imsi":{"id":`),
      imsiHead: ascii(`,"import_date":"${org.importDate}","imsi":"29509`),
    }));
  }

  /** The slot holding device `index`, written now if another device held it. */
  slotOf(index: number): number {
    const slot = index % this.slots;
    if (this.meta[slot * META + OWNER] !== index + 1) this.fill(slot, index);
    return slot;
  }

  /** Arena offset of a field of a slot. */
  offset(slot: number, field: DeviceField): number {
    return slot * SLOT_SIZE + ((this.meta[slot * META + FIELD_AT + field] as number) >>> 16);
  }

  /** Length of a field of a slot. */
  length(slot: number, field: DeviceField): number {
    return (this.meta[slot * META + FIELD_AT + field] as number) & 0xffff;
  }

  /** Copies a field of a slot to the writer's output. */
  copy(slot: number, field: DeviceField): void {
    const packed = this.meta[slot * META + FIELD_AT + field] as number;
    this.writer.fromArena(slot * SLOT_SIZE + (packed >>> 16), packed & 0xffff);
  }

  /** Whether the slot holds the block of session (a, b). */
  holdsSession(slot: number, a: number, b: number): boolean {
    const m = this.meta;
    const at = slot * META;
    return m[at + SESSION_END] !== 0 && m[at + SESSION_A] === a >>> 0 && m[at + SESSION_B] === b >>> 0;
  }

  /** Arena offset where a slot's session block is written. */
  sessionOffset(slot: number): number {
    return slot * SLOT_SIZE + SESSION_AT;
  }

  /** Records that the slot now holds session (a, b)'s block, ending at `end`. */
  setSession(slot: number, a: number, b: number, end: number): void {
    if (end - this.sessionOffset(slot) > SLOT_SIZE - SESSION_AT) throw new RangeError('session block exceeds its slot');
    const m = this.meta;
    const at = slot * META;
    m[at + SESSION_A] = a;
    m[at + SESSION_B] = b;
    m[at + SESSION_END] = end - slot * SLOT_SIZE;
  }

  /** Copies the slot's session block to the writer's output. */
  copySession(slot: number): void {
    this.writer.fromArena(slot * SLOT_SIZE + SESSION_AT, (this.meta[slot * META + SESSION_END] as number) - SESSION_AT);
  }

  // Why no closures in `fill`: with more devices than slots nearly every record refills a
  // slot, and closures created per call cost an allocation and a lazy-compile stub call each.
  private fill(slot: number, index: number): void {
    const w = this.writer;
    const salt = this.salt;
    const n = deviceNumbers;
    const saved = w.pos;
    const start = slot * SLOT_SIZE;
    w.pos = start;
    const org = this.orgs[index % this.orgs.length] as OrgFragments;
    const hash = n.hash(index, salt);
    const imei = n.imeiSerial(index, salt);
    const imeiHigh = Math.floor(imei / 1e8);
    const iccid = n.iccidSerial(index, salt);
    const imsi = n.imsiSerial(index, salt);
    const ratType = n.ratType(hash);
    const at = slot * META + FIELD_AT;
    // Subject, in emnify's key order.
    w.bytes(org.head);
    w.uint(n.endpointId(index, salt));
    w.bytes(F.imei);
    w.padded(imeiHigh, 5);
    w.padded(imei - imeiHigh * 1e8, 8);
    w.bytes(F.ip);
    writeIp(w, index);
    w.bytes(F.name);
    writeName(w, index);
    w.bytes(F.sim);
    writeIccid(w, index, iccid);
    w.bytes(F.simId);
    w.uint(n.simId(index, salt));
    w.bytes(org.production);
    w.uint(n.imsiId(index, salt));
    w.bytes(org.imsiHead);
    writeImsi(w, imsi);
    w.bytes(F.imsiClose);
    let mark = this.mark(at + DeviceField.Subject, start, start);
    // The device's part of a PDP context.
    w.bytes(F.gtp);
    w.uint(ratType >= 6 ? 2 : 1);
    w.bytes(F.imeisv);
    const imeisv = Math.floor(imei / 10);
    const imeisvHigh = Math.floor(imeisv / 1e8);
    w.padded(imeisvHigh, 4);
    w.padded(imeisv - imeisvHigh * 1e8, 8);
    w.padded(hash % 100, 2);
    w.bytes(F.pdpImsi);
    writeImsi(w, imsi);
    w.bytes(F.rat);
    w.uint(ratType);
    w.bytes(F.ue);
    writeIp(w, index);
    w.byte(34);
    mark = this.mark(at + DeviceField.Pdp, start, mark);
    w.bytes(F.imsiPrefix);
    writeImsi(w, imsi);
    mark = this.mark(at + DeviceField.Imsi, start, mark);
    writeIccid(w, index, iccid);
    mark = this.mark(at + DeviceField.Iccid, start, mark);
    writeName(w, index);
    mark = this.mark(at + DeviceField.Name, start, mark);
    w.bytes(F.msisdnPrefix);
    w.padded(n.msisdnSerial(index, salt), 9);
    this.mark(at + DeviceField.Msisdn, start, mark);
    if (w.pos - start > SESSION_AT) throw new RangeError(`device ${index} identity exceeds its slot`);
    w.pos = saved;
    this.meta[slot * META + OWNER] = index + 1;
    this.meta[slot * META + SESSION_END] = 0;
  }

  /** Records the field written from `from` to the writer's position (`offset in slot << 16 | length`); returns its end. */
  private mark(metaAt: number, start: number, from: number): number {
    const end = this.writer.pos;
    this.meta[metaAt] = ((from - start) << 16) | (end - from);
    return end;
  }

  /** Organisation of device `index`. */
  organisationOf(index: number): OrganisationIdentity {
    return this.organisations[index % this.organisations.length] as OrganisationIdentity;
  }
}

/** `100.x.y.z`, the device's address, from its index. */
function writeIp(w: ByteWriter, index: number): void {
  w.bytes(IP_PREFIX);
  w.uint(64 + ((index >>> 16) & 63));
  w.byte(46);
  w.uint((index >>> 8) & 255);
  w.byte(46);
  w.uint(index & 255);
}

function writeIccid(w: ByteWriter, index: number, iccid: number): void {
  const high = Math.floor(iccid / 1e8);
  w.bytes(index % 4 === 3 ? F.iccid20 : F.iccid19);
  w.padded(high, 4);
  w.padded(iccid - high * 1e8, 8);
}

/** The IMSI's ten digits after `29509`. */
function writeImsi(w: ByteWriter, imsi: number): void {
  const high = Math.floor(imsi / 1e8);
  w.padded(high, 2);
  w.padded(imsi - high * 1e8, 8);
}

function writeName(w: ByteWriter, index: number): void {
  w.bytes(NAME_PREFIXES[index % NAME_PREFIXES.length] as Uint8Array);
  w.uint(index + 1);
}
