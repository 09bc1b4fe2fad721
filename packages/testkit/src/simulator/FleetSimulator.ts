/**
 * The lifecycle simulator: a fleet of devices walking plausible emnify lifecycles,
 * one event per call, deterministic for a seed.
 *
 * Each event picks a device, then an event type with a state-aware policy: a device
 * attaches before it opens data sessions, deletes the session it created (same
 * `session_id`), gets rejected for the reason its state explains (exhausted quota,
 * suspended SIM, disabled endpoint), is purged back offline, and so on. The policy
 * keeps its own small per-device state in typed arrays (no object per device, ~30
 * bytes each); identities are derived from the device index and kept pre-rendered in
 * an arena of at most 131 072 slots of 1 KB (DeviceSlab.ts), so a million-device fleet
 * costs ~160 MB and a 100 000-device one ~110 MB.
 *
 * This file is the workload generator's hot path; the records themselves are
 * rendered by RecordRenderer, the testkit's one record builder.
 */
import { REJECTION_REASON_CODES, type RejectionReason } from '@simfleet/core';
import { ByteWriter } from './ByteWriter.js';
import { DeviceSlab, SLOT_SIZE } from './DeviceSlab.js';
import { deviceIdentity, homeOperatorOf, mix32, type OrganisationIdentity, organisationIdentity } from './identity.js';
import { MESSY_ALL } from './messy.js';
import { OPERATORS } from './operators.js';
import { Prng } from './Prng.js';
import { blankSpec, GENERIC_DISCONNECT_VARIANTS, GENERIC_VARIANTS, RecordRenderer, type RecordSpec } from './RecordRenderer.js';
import { ENDPOINT_RECORD_IDS, ORGANISATION_RECORD_IDS, T, UNKNOWN_TYPE_IDS } from './recordTypes.js';

/** What to simulate. */
export interface FleetSimulationOptions {
  /** Number of events (records) to produce. */
  events: number;
  /** Number of devices (endpoints with a SIM) in the fleet. */
  devices: number;
  /** Any number; the same seed and options give the same records, byte for byte. */
  seed: number;
  /** Number of organisations the devices belong to (default 3, at most `devices`). */
  organisations?: number;
  /** Time of the first event: ISO-8601 text or UTC epoch ms (default 2021-10-27T00:00:00Z). */
  startAt?: string | number;
  /** Mix in the variants real records show (offsets, nulls, string details, bare ICCIDs…). */
  messy?: boolean;
}

/** Default time of the first event. */
export const DEFAULT_START_AT = Date.UTC(2021, 9, 27);

// Per-device policy state codes.
const OFFLINE = 0;
const ATTACHED = 1;
const ONLINE = 2;
const SIM_NONE = 0;
const SIM_ISSUED = 1;
const SIM_ACTIVATED = 2;
const SIM_SUSPENDED = 3;
const SIM_FACTORY_TEST = 4;
const SIM_DELETED = 5;
const ENDPOINT_DISABLED = 2;
const QUOTA_NONE = 0;
const QUOTA_ACTIVE = 1;
const QUOTA_THRESHOLD = 2;
const QUOTA_EXHAUSTED = 3;
const QUOTA_EXPIRED = 4;

const reasonVariant = (reason: RejectionReason): number => 1 + REJECTION_REASON_CODES.indexOf(reason);
const REJECT_DATA_DISABLED = reasonVariant('DATA_SERVICE_DISABLED');
const REJECT_NO_QUOTA = reasonVariant('NO_QUOTA');
const REJECT_EXHAUSTED = reasonVariant('QUOTA_EXHAUSTED_BLOCKED');
const REJECT_SIM = reasonVariant('SIM_NOT_ACTIVATED');
const REJECT_OTHER = reasonVariant('OTHER');
const RANDOM_REJECTIONS = [REJECT_DATA_DISABLED, REJECT_NO_QUOTA, REJECT_OTHER];

// Per-device record layout (bytes 0–7 codes, 8–15 the session id words, 16–23 its start).
const STRIDE = 32;
const SEEN = 0;
const CONNECTIVITY = 1;
const SIM = 2;
const ENDPOINT = 3;
const BLOCKED = 4;
const DATA_QUOTA = 5;
const SMS_QUOTA = 6;
const OPERATOR = 7;
const WORDS = STRIDE / 4;
const SESSION_A = 2;
const SESSION_B = 3;
const TIMES = STRIDE / 8;
const SESSION_START = 2;

/** Largest number of identities kept rendered at once (direct-mapped by device index). */
const IDENTITY_SLOTS = 1 << 17;
/** Output bytes the simulator's writer holds before its owner drains it. */
const OUTPUT_CAPACITY = 1 << 17;

function startTime(startAt: string | number | undefined): number {
  if (startAt === undefined) return DEFAULT_START_AT;
  const ms = typeof startAt === 'number' ? startAt : Date.parse(startAt);
  if (!Number.isFinite(ms)) throw new RangeError(`startAt is not a valid time: ${String(startAt)}`);
  return Math.floor(ms);
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
}

/**
 * Produces the events of one simulation, one JSON line per `nextLine()` call.
 *
 * @example
 * const sim = new FleetSimulator({ events: 3, devices: 2, seed: 1 });
 * const first = sim.nextLine(); // '{"timestamp":"2021-10-27T00:…","alert":false,…}'
 */
export class FleetSimulator {
  readonly organisations: readonly OrganisationIdentity[];
  private readonly devices: number;
  private readonly salt: number;
  private readonly messy: boolean;
  private readonly prng: Prng;
  /** Where records are written; the arena at its start holds the device identities. */
  readonly writer: ByteWriter;
  private readonly slab: DeviceSlab;
  private readonly renderer: RecordRenderer;
  private readonly spec: RecordSpec;
  private readonly meanGap: number;
  private now: number;
  private nextId: number;
  /**
   * Policy state, one 32-byte record per device (STRIDE): the bytes through `state`,
   * the session words through `words`, the session start through `times` (three views
   * of one buffer). Why interleaved: devices are drawn at random, so each array a
   * device's state is spread over costs a cache miss per event; one aligned record
   * is one cache line.
   */
  private readonly state: Uint8Array;
  private readonly words: Uint32Array;
  private readonly times: Float64Array;

  /** @param outputCapacity bytes the writer holds before it grows (callers drain it well before) */
  constructor(options: FleetSimulationOptions, outputCapacity = OUTPUT_CAPACITY) {
    checkCount('devices', options.devices, 1);
    checkCount('events', options.events, 0);
    const organisations = Math.min(options.organisations ?? 3, options.devices);
    checkCount('organisations', organisations, 1);
    this.devices = options.devices;
    this.salt = mix32(Math.imul(options.seed | 0, 0x27d4eb2d) ^ Math.floor(options.seed / 4294967296)) % 1_000_000;
    this.messy = options.messy === true;
    this.prng = new Prng(options.seed);
    this.organisations = Array.from({ length: organisations }, (_, i) => organisationIdentity(i, this.salt));
    this.spec = blankSpec(this.organisations[0] as OrganisationIdentity);
    // About one event per device every ten minutes: sessions last minutes, not milliseconds.
    this.meanGap = Math.max(1, Math.min(60_000, Math.round(600_000 / options.devices)));
    this.now = startTime(options.startAt);
    // 15-digit ids, like published records (~1.4×10^14).
    this.nextId = 137_000_000_000_000 + this.salt * 100_000;
    const n = options.devices;
    const records = new ArrayBuffer(n * STRIDE);
    this.state = new Uint8Array(records);
    this.words = new Uint32Array(records);
    this.times = new Float64Array(records);
    const slots = Math.min(n, IDENTITY_SLOTS);
    this.writer = new ByteWriter(outputCapacity, slots * SLOT_SIZE);
    this.slab = new DeviceSlab(slots, this.salt, this.organisations, this.writer);
    this.renderer = new RecordRenderer(this.slab);
  }

  /** The next event as one JSON text (no line break). */
  nextLine(): string {
    const w = this.writer;
    const start = w.pos;
    this.writeNext();
    const line = w.textFrom(start);
    w.pos = start;
    return line;
  }

  /**
   * Appends the next event (no line break) to `writer`: the generator's
   * allocation-free path. The caller drains `writer` (`textFrom(base)`, `clear()`).
   */
  writeNext(): void {
    const d = this.prepare();
    const spec = this.spec;
    if (d >= 0) {
      spec.slot = this.slab.slotOf(d);
      spec.operator = this.state[d * STRIDE + OPERATOR] as number;
      spec.sessionA = this.words[d * WORDS + SESSION_A] as number;
      spec.sessionB = this.words[d * WORDS + SESSION_B] as number;
      spec.sessionStart = this.times[d * TIMES + SESSION_START] as number;
      // Messy variants rebuild the identity as text: slow, and only in messy logs.
      spec.device = spec.messy === 0 ? null : deviceIdentity(d, spec.organisation, this.salt);
    } else {
      spec.slot = -1;
      spec.device = null;
    }
    this.renderer.write(this.writer, spec);
  }

  /** Draws the next event into `spec`; returns the device index, or -1 for organisation records. */
  private prepare(): number {
    const prng = this.prng;
    const spec = this.spec;
    this.now += 1 + prng.below(2 * this.meanGap - 1);
    this.nextId += 1 + prng.below(48);
    spec.at = this.now;
    spec.id = this.nextId;
    spec.variant = 0;
    spec.random = prng.nextU32();
    spec.messy = this.messy && prng.below(10) < 3 ? prng.nextU32() & prng.nextU32() & MESSY_ALL : 0;
    const roll = prng.below(10_000);
    if (roll < 40) return this.organisationEvent(ORGANISATION_RECORD_IDS);
    if (roll < 45) return this.organisationEvent(UNKNOWN_TYPE_IDS);
    if (roll < 48) {
      spec.typeId = T.organisationBlocked;
      return this.organisationEvent(null);
    }
    let d = prng.below(this.devices);
    // A deleted SIM sends nothing more: pick another device.
    for (let tries = 0; this.state[d * STRIDE + SIM] === SIM_DELETED && tries < 4; tries++) d = prng.below(this.devices);
    if (this.state[d * STRIDE + SIM] === SIM_DELETED) return this.organisationEvent(ORGANISATION_RECORD_IDS);
    spec.organisation = this.organisations[d % this.organisations.length] as OrganisationIdentity;
    if (this.state[d * STRIDE + SEEN] === 0) {
      this.state[d * STRIDE + SEEN] = 1;
      this.state[d * STRIDE + OPERATOR] = homeOperatorOf(d, this.salt);
      this.firstEvent(d);
    } else {
      this.nextEvent(d);
    }
    return d;
  }

  private organisationEvent(ids: readonly number[] | null): number {
    const prng = this.prng;
    const spec = this.spec;
    if (ids !== null) spec.typeId = ids[prng.below(ids.length)] as number;
    spec.organisation = this.organisations[prng.below(this.organisations.length)] as OrganisationIdentity;
    return -1;
  }

  private setType(typeId: number, variant = 0): void {
    this.spec.typeId = typeId;
    this.spec.variant = variant;
  }

  private firstEvent(d: number): void {
    const roll = this.prng.below(100);
    if (roll < 25) {
      this.setType(T.simActivation);
      this.state[d * STRIDE + SIM] = SIM_ACTIVATED;
    } else if (roll < 30) {
      this.setType(T.simRegistration);
      this.state[d * STRIDE + SIM] = SIM_ISSUED;
    } else if (roll < 33) {
      this.setType(T.dataQuotaAssigned);
      this.state[d * STRIDE + DATA_QUOTA] = QUOTA_ACTIVE;
    } else {
      this.attach(d);
    }
  }

  private attach(d: number): void {
    const prng = this.prng;
    this.setType(prng.below(100) < 55 ? T.updateLocation : T.updateGprsLocation);
    // Mostly the home network; now and then the device roams.
    if (prng.below(100) < 4) this.state[d * STRIDE + OPERATOR] = prng.below(OPERATORS.length);
    if (this.state[d * STRIDE + CONNECTIVITY] === OFFLINE) this.state[d * STRIDE + CONNECTIVITY] = ATTACHED;
  }

  private createSession(d: number): void {
    const prng = this.prng;
    this.setType(T.createPdpContext);
    this.words[d * WORDS + SESSION_A] = prng.nextU32();
    this.words[d * WORDS + SESSION_B] = prng.nextU32();
    this.times[d * TIMES + SESSION_START] = this.now;
    this.state[d * STRIDE + CONNECTIVITY] = ONLINE;
    this.state[d * STRIDE + BLOCKED] = 0;
  }

  private reject(d: number, variant: number): void {
    this.setType(T.createPdpContext, variant);
    if (this.state[d * STRIDE + CONNECTIVITY] === OFFLINE) this.state[d * STRIDE + CONNECTIVITY] = ATTACHED;
  }

  private endSession(d: number, typeId: number, variant = 0): void {
    this.setType(typeId, variant);
    if (this.state[d * STRIDE + CONNECTIVITY] === ONLINE) this.state[d * STRIDE + CONNECTIVITY] = ATTACHED;
  }

  private purge(d: number): void {
    this.setType(this.prng.below(2) === 0 ? T.purgeGprsLocation : T.purgeLocation);
    this.state[d * STRIDE + CONNECTIVITY] = OFFLINE;
  }

  private nextEvent(d: number): void {
    const prng = this.prng;
    const roll = prng.below(10_000);
    const sim = this.state[d * STRIDE + SIM];
    if (sim === SIM_SUSPENDED) {
      if (roll < 4000) {
        this.setType(T.simActivation);
        this.state[d * STRIDE + SIM] = SIM_ACTIVATED;
      } else if (roll < 7000) this.reject(d, REJECT_SIM);
      else if (roll < 8500) this.purge(d);
      else this.attach(d);
      return;
    }
    if ((sim === SIM_ISSUED || sim === SIM_FACTORY_TEST) && roll < 2500) {
      if (sim === SIM_ISSUED && roll < 600) {
        this.setType(T.simFactoryTest);
        this.state[d * STRIDE + SIM] = SIM_FACTORY_TEST;
      } else {
        this.setType(T.simActivation);
        this.state[d * STRIDE + SIM] = SIM_ACTIVATED;
      }
      return;
    }
    if (this.state[d * STRIDE + ENDPOINT] === ENDPOINT_DISABLED) {
      if (roll < 4000) {
        this.setType(T.endpointEnabled);
        this.state[d * STRIDE + ENDPOINT] = 1;
        this.state[d * STRIDE + BLOCKED] = 0;
      } else if (roll < 6500) {
        if (this.state[d * STRIDE + CONNECTIVITY] === ONLINE) this.endSession(d, T.generic, 2);
        else this.reject(d, REJECT_DATA_DISABLED);
      } else this.attach(d);
      return;
    }
    if (this.state[d * STRIDE + BLOCKED] === 1) {
      if (roll < 3000) {
        this.setType(T.endpointEnabled);
        this.state[d * STRIDE + ENDPOINT] = 1;
        this.state[d * STRIDE + BLOCKED] = 0;
      } else if (roll < 5000) this.createSession(d);
      else this.attach(d);
      return;
    }
    switch (this.state[d * STRIDE + CONNECTIVITY]) {
      case OFFLINE:
        this.whenOffline(d, roll);
        break;
      case ATTACHED:
        this.whenAttached(d, roll);
        break;
      default:
        this.whenOnline(d, roll);
        break;
    }
  }

  private whenOffline(d: number, roll: number): void {
    if (roll < 8500) this.attach(d);
    else if (roll < 9000) this.assignQuota(d, this.prng.below(3) === 0);
    else if (roll < 9300) {
      if (this.state[d * STRIDE + SIM] === SIM_NONE) {
        this.setType(T.simRegistration);
        this.state[d * STRIDE + SIM] = SIM_ISSUED;
      } else {
        this.setType(T.endpointEnabled);
        this.state[d * STRIDE + ENDPOINT] = 1;
      }
    } else if (roll < 9700) this.setType(ENDPOINT_RECORD_IDS[this.prng.below(ENDPOINT_RECORD_IDS.length)] as number);
    else this.reject(d, RANDOM_REJECTIONS[this.prng.below(RANDOM_REJECTIONS.length)] as number);
  }

  private whenAttached(d: number, roll: number): void {
    const prng = this.prng;
    const quota = this.state[d * STRIDE + DATA_QUOTA];
    if (quota === QUOTA_EXHAUSTED || quota === QUOTA_EXPIRED) {
      if (roll < 5000) this.reject(d, quota === QUOTA_EXHAUSTED ? REJECT_EXHAUSTED : REJECT_NO_QUOTA);
      else if (roll < 7500) this.assignQuota(d, false);
      else this.attach(d);
      return;
    }
    if (roll < 6000) this.createSession(d);
    else if (roll < 7800) this.attach(d);
    else if (roll < 8200) this.reject(d, RANDOM_REJECTIONS[prng.below(RANDOM_REJECTIONS.length)] as number);
    else if (roll < 8700) this.purge(d);
    else if (roll < 9150) this.assignQuota(d, roll >= 9000);
    else if (roll < 9300) {
      this.setType(T.endpointDisabled);
      this.state[d * STRIDE + ENDPOINT] = ENDPOINT_DISABLED;
    } else if (roll < 9400) this.block(d);
    else if (roll < 9450) this.suspend(d);
    else if (roll < 9465) this.deleteSim(d);
    else if (roll < 9700) this.setType(ENDPOINT_RECORD_IDS[prng.below(ENDPOINT_RECORD_IDS.length)] as number);
    else if (roll < 9850) this.setType(T.generic, GENERIC_DISCONNECT_VARIANTS + prng.below(GENERIC_VARIANTS - GENERIC_DISCONNECT_VARIANTS));
    else this.deleteQuota(d);
  }

  private whenOnline(d: number, roll: number): void {
    const prng = this.prng;
    if (roll < 6000) this.endSession(d, T.deletePdpContext);
    else if (roll < 6700) this.createSession(d);
    else if (roll < 7000) this.endSession(d, T.generic, prng.below(GENERIC_DISCONNECT_VARIANTS));
    else if (roll < 7300) this.attach(d);
    else if (roll < 7400) this.purge(d);
    else if (roll < 7900) this.dataQuotaStep(d);
    else if (roll < 8100) this.smsQuotaStep(d);
    else if (roll < 8300) this.setType(T.updatePdpContext, 0);
    else if (roll < 8400) this.endSession(d, T.updatePdpContext, 1);
    else if (roll < 8500) this.endSession(d, T.deviceOffline);
    else if (roll < 8600) this.block(d);
    else if (roll < 8650) {
      this.setType(T.endpointDisabled);
      this.state[d * STRIDE + ENDPOINT] = ENDPOINT_DISABLED;
    } else if (roll < 8680) this.suspend(d);
    else if (roll < 8690) this.deleteSim(d);
    else if (roll < 9000) this.setType(ENDPOINT_RECORD_IDS[prng.below(ENDPOINT_RECORD_IDS.length)] as number);
    else if (roll < 9200) this.setType(T.generic, GENERIC_DISCONNECT_VARIANTS + prng.below(GENERIC_VARIANTS - GENERIC_DISCONNECT_VARIANTS));
    else if (roll < 9400) this.deleteQuota(d);
    else this.attach(d);
  }

  private assignQuota(d: number, sms: boolean): void {
    this.setType(sms ? T.smsQuotaAssigned : T.dataQuotaAssigned);
    if (sms) this.state[d * STRIDE + SMS_QUOTA] = QUOTA_ACTIVE;
    else this.state[d * STRIDE + DATA_QUOTA] = QUOTA_ACTIVE;
  }

  private dataQuotaStep(d: number): void {
    switch (this.state[d * STRIDE + DATA_QUOTA]) {
      case QUOTA_ACTIVE:
        if (this.prng.below(5) === 0) {
          this.setType(T.dataQuotaExpired);
          this.state[d * STRIDE + DATA_QUOTA] = QUOTA_EXPIRED;
        } else {
          this.setType(T.quotaThresholdReached);
          this.state[d * STRIDE + DATA_QUOTA] = QUOTA_THRESHOLD;
        }
        break;
      case QUOTA_THRESHOLD:
        this.setType(T.quotaUsedUp);
        this.state[d * STRIDE + DATA_QUOTA] = QUOTA_EXHAUSTED;
        break;
      default:
        this.assignQuota(d, false);
        break;
    }
  }

  private smsQuotaStep(d: number): void {
    switch (this.state[d * STRIDE + SMS_QUOTA]) {
      case QUOTA_ACTIVE:
        this.setType(T.smsQuotaThresholdReached);
        this.state[d * STRIDE + SMS_QUOTA] = QUOTA_THRESHOLD;
        break;
      case QUOTA_THRESHOLD:
        this.setType(T.smsQuotaUsedUp);
        this.state[d * STRIDE + SMS_QUOTA] = QUOTA_EXHAUSTED;
        break;
      default:
        this.assignQuota(d, true);
        break;
    }
  }

  private deleteQuota(d: number): void {
    if (this.state[d * STRIDE + DATA_QUOTA] !== QUOTA_NONE) {
      this.setType(T.dataQuotaDeleted);
      this.state[d * STRIDE + DATA_QUOTA] = QUOTA_NONE;
    } else if (this.state[d * STRIDE + SMS_QUOTA] !== QUOTA_NONE) {
      this.setType(T.smsQuotaDeleted);
      this.state[d * STRIDE + SMS_QUOTA] = QUOTA_NONE;
    } else {
      this.assignQuota(d, false);
    }
  }

  private block(d: number): void {
    this.setType(T.endpointBlocked);
    this.state[d * STRIDE + BLOCKED] = 1;
  }

  private suspend(d: number): void {
    this.setType(T.simSuspension);
    this.state[d * STRIDE + SIM] = SIM_SUSPENDED;
  }

  private deleteSim(d: number): void {
    this.setType(T.simDeletion);
    this.state[d * STRIDE + SIM] = SIM_DELETED;
  }
}
