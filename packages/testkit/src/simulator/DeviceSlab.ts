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
      this.meta[slot * META + FIELD_AT + field] = ((mark - start) << 16) | (w.pos - mark);
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
    this.meta[slot * META + OWNER] = index + 1;
    this.meta[slot * META + SESSION_END] = 0;
  }

  /** Organisation of device `index`. */
  organisationOf(index: number): OrganisationIdentity {
    return this.organisations[index % this.organisations.length] as OrganisationIdentity;
  }
}
