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

const FIELDS = 6;
/** Where in a slot the current data session's block starts (identities take ~600 bytes at most). */
const SESSION_AT = 704;
/** Bytes per slot: identity, then the open session's block (~260 bytes). */
export const SLOT_SIZE = 1024;

interface OrgFragments {
  readonly head: Uint8Array;
  readonly production: Uint8Array;
  readonly imsiHead: Uint8Array;
}

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

export class DeviceSlab {
  readonly slots: number;
  private readonly owner: Int32Array;
  private readonly offsets: Uint32Array;
  private readonly lengths: Uint16Array;
  private readonly orgs: readonly OrgFragments[];
  /** Per slot: the session (two words) whose block the slot holds, and the block's end. */
  private readonly sessionA: Uint32Array;
  private readonly sessionB: Uint32Array;
  private readonly sessionEnd: Uint32Array;

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
    this.owner = new Int32Array(slots).fill(-1);
    this.offsets = new Uint32Array(slots * FIELDS);
    this.lengths = new Uint16Array(slots * FIELDS);
    this.sessionA = new Uint32Array(slots);
    this.sessionB = new Uint32Array(slots);
    this.sessionEnd = new Uint32Array(slots);
    this.orgs = organisations.map((org) => ({
      head: ascii(`"organisation":${org.json},"endpoint":{"id":`),
      production: ascii(`,"production_date":"${org.productionDate}"},"imsi":{"id":`),
      imsiHead: ascii(`,"import_date":"${org.importDate}","imsi":"29509`),
    }));
  }

  /** The slot holding device `index`, written now if another device held it. */
  slotOf(index: number): number {
    const slot = index % this.slots;
    if (this.owner[slot] !== index) this.fill(slot, index);
    return slot;
  }

  /** Arena offset of a field of a slot. */
  offset(slot: number, field: DeviceField): number {
    return this.offsets[slot * FIELDS + field] as number;
  }

  /** Length of a field of a slot. */
  length(slot: number, field: DeviceField): number {
    return this.lengths[slot * FIELDS + field] as number;
  }

  /** Copies a field of a slot to the writer's output. */
  copy(slot: number, field: DeviceField): void {
    const i = slot * FIELDS + field;
    this.writer.fromArena(this.offsets[i] as number, this.lengths[i] as number);
  }

  /** Whether the slot holds the block of session (a, b). */
  holdsSession(slot: number, a: number, b: number): boolean {
    return this.sessionEnd[slot] !== 0 && this.sessionA[slot] === a >>> 0 && this.sessionB[slot] === b >>> 0;
  }

  /** Arena offset where a slot's session block is written. */
  sessionOffset(slot: number): number {
    return slot * SLOT_SIZE + SESSION_AT;
  }

  /** Records that the slot now holds session (a, b)'s block, ending at `end`. */
  setSession(slot: number, a: number, b: number, end: number): void {
    if (end - this.sessionOffset(slot) > SLOT_SIZE - SESSION_AT) throw new RangeError('session block exceeds its slot');
    this.sessionA[slot] = a;
    this.sessionB[slot] = b;
    this.sessionEnd[slot] = end;
  }

  /** Copies the slot's session block to the writer's output. */
  copySession(slot: number): void {
    const start = slot * SLOT_SIZE + SESSION_AT;
    this.writer.fromArena(start, (this.sessionEnd[slot] as number) - start);
  }

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
    const iccidHigh = Math.floor(iccid / 1e8);
    const imsi = n.imsiSerial(index, salt);
    const imsiHigh = Math.floor(imsi / 1e8);
    const ratType = n.ratType(hash);
    const a = (index >>> 16) & 63;
    const b = (index >>> 8) & 255;
    const c = index & 255;
    const ip = (): void => {
      w.text('100.');
      w.uint(64 + a);
      w.byte(46);
      w.uint(b);
      w.byte(46);
      w.uint(c);
    };
    const iccidDigits = (): void => {
      w.bytes(index % 4 === 3 ? F.iccid20 : F.iccid19);
      w.padded(iccidHigh, 4);
      w.padded(iccid - iccidHigh * 1e8, 8);
    };
    const imsiDigits = (): void => {
      w.padded(imsiHigh, 2);
      w.padded(imsi - imsiHigh * 1e8, 8);
    };
    const name = (): void => {
      w.bytes(NAME_PREFIXES[index % NAME_PREFIXES.length] as Uint8Array);
      w.uint(index + 1);
    };
    let mark = start;
    const end = (field: DeviceField): void => {
      this.offsets[slot * FIELDS + field] = mark;
      this.lengths[slot * FIELDS + field] = w.pos - mark;
      mark = w.pos;
    };
    // Subject, in emnify's key order.
    w.bytes(org.head);
    w.uint(n.endpointId(index, salt));
    w.bytes(F.imei);
    w.padded(imeiHigh, 5);
    w.padded(imei - imeiHigh * 1e8, 8);
    w.bytes(F.ip);
    ip();
    w.bytes(F.name);
    name();
    w.bytes(F.sim);
    iccidDigits();
    w.bytes(F.simId);
    w.uint(n.simId(index, salt));
    w.bytes(org.production);
    w.uint(n.imsiId(index, salt));
    w.bytes(org.imsiHead);
    imsiDigits();
    w.bytes(F.imsiClose);
    end(DeviceField.Subject);
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
    imsiDigits();
    w.bytes(F.rat);
    w.uint(ratType);
    w.bytes(F.ue);
    ip();
    w.byte(34);
    end(DeviceField.Pdp);
    w.bytes(F.imsiPrefix);
    imsiDigits();
    end(DeviceField.Imsi);
    iccidDigits();
    end(DeviceField.Iccid);
    name();
    end(DeviceField.Name);
    w.bytes(F.msisdnPrefix);
    w.padded(n.msisdnSerial(index, salt), 9);
    end(DeviceField.Msisdn);
    if (w.pos - start > SESSION_AT) throw new RangeError(`device ${index} identity exceeds its slot`);
    w.pos = saved;
    this.owner[slot] = index;
    this.sessionEnd[slot] = 0;
  }

  /** Organisation of device `index`. */
  organisationOf(index: number): OrganisationIdentity {
    return this.organisations[index % this.organisations.length] as OrganisationIdentity;
  }
}
