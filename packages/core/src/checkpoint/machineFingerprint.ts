/**
 * The identity of everything that gives a checkpoint's rows their meaning.
 *
 * A checkpoint stores decoded event columns, not text: a type code, a rejection-reason
 * code, interned strings. Those codes mean something only for the same event catalog,
 * the same classification rules, the same device event vocabulary and the same compiled
 * statechart. If any of them changes, resuming would silently mix two meanings, so the
 * fingerprint hashes all of them (and the column layout) and a checkpoint written under
 * another fingerprint is refused: replay from the logs.
 */
import { EVENT_TYPES } from '../catalog/eventTypes.js';
import { REJECTION_REASON_CODES } from '../catalog/rejectionReasons.js';
import { DEVICE_EVENT_RULES } from '../decode/classifyEvent.js';
import { DEVICE_EVENT_TYPES } from '../machine/deviceEvent.js';
import { type CompiledMachine, getCompiledMachine, type RegionTable } from '../reducer/compileMachine.js';
import { CHECKPOINT_COLUMNS } from './checkpointLayout.js';
import { fnv1a64 } from './fnv1a64.js';

const region = (t: RegionTable): unknown => ({ region: t.region, states: t.states, next: Array.from(t.next) });

const arrays = (record: Readonly<Record<string, Uint8Array>>): unknown =>
  Object.keys(record)
    .sort()
    .map((key) => [key, Array.from(record[key] ?? [])]);

/**
 * The canonical text the fingerprint hashes (exported for tests and for people who want
 * to diff two versions).
 *
 * @example
 * machineFingerprintText().startsWith('{"columns":') // true
 */
export function machineFingerprintText(compiled: CompiledMachine = getCompiledMachine()): string {
  return JSON.stringify({
    columns: CHECKPOINT_COLUMNS,
    deviceEventTypes: DEVICE_EVENT_TYPES,
    rejectionReasons: REJECTION_REASON_CODES,
    catalog: EVENT_TYPES.map((e) => [e.id, e.key, e.effect]),
    rules: Object.keys(DEVICE_EVENT_RULES)
      .sort()
      .map((effect) => [effect, DEVICE_EVENT_RULES[effect as keyof typeof DEVICE_EVENT_RULES]]),
    eventTypes: compiled.eventTypes,
    regions: compiled.regions.map(region),
    organisation: region(compiled.organisation),
    takes: arrays(compiled.takes),
    counts: arrays(compiled.counts),
    blockedState: compiled.blockedState,
    organisationBlockedState: compiled.organisationBlockedState,
    status: Array.from(compiled.status),
  });
}

/**
 * A stable hash (16 hex digits) of the compiled machine tables, the device event types,
 * the rejection reason codes, the region state names, the event catalog's effects and the
 * checkpoint column layout. Same code, same fingerprint, on every machine.
 *
 * @example
 * machineFingerprint() // e.g. '3f0c9a1e5b7d2c44'
 */
export function machineFingerprint(compiled?: CompiledMachine): string {
  if (compiled === undefined) {
    cached ??= fnv1a64(machineFingerprintText());
    return cached;
  }
  return fnv1a64(machineFingerprintText(compiled));
}

let cached: string | undefined;
