/**
 * fast-check commands that drive the real engine (`applyBatch` on a `FleetStore`) and
 * check it against a model after every step — simfleet's own model-based test, and the
 * pieces to write one against your own model.
 */
import { isDeepStrictEqual } from 'node:util';
import { applyBatch, type BatchResult, type DeviceEvent, ENDPOINT_STATUSES, type EndpointState, FleetStore, type JsonObject } from '@simfleet/core';
import fc from 'fast-check';
import { DEFAULT_LIFECYCLE_START } from '../arbitrary/_internals/lifecycles.js';
import { fleetLog } from '../arbitrary/fleetLog.js';
import { toDeviceEvents } from '../replay/toDeviceEvents.js';
import { FleetModel } from './FleetModel.js';

/**
 * The system under test: the real engine, one `FleetStore` fed batch by batch. Override
 * `apply` to drive the store through another path (the stream operators do, in their tests).
 */
export class FleetSystem {
  readonly fleet: FleetStore = new FleetStore();
  /** Every batch applied, in order (for redelivery). */
  readonly batches: DeviceEvent[][] = [];

  /** Applies one batch with `applyBatch`. */
  apply(events: readonly DeviceEvent[]): BatchResult {
    const columns = this.fleet.createColumns(Math.max(16, events.length));
    for (const e of events) {
      const pushed = columns.push(e);
      if (!pushed.ok) throw pushed.error;
    }
    this.batches.push([...events]);
    return applyBatch(this.fleet, columns);
  }
}

/** Thrown when the engine and the model disagree. */
export class ModelMismatchError extends Error {
  override readonly name = 'ModelMismatchError';
}

const show = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

/** The first field where two endpoint states differ. */
function firstDifference(model: EndpointState, real: EndpointState): string {
  for (const key of Object.keys(model) as (keyof EndpointState)[]) {
    if (!isDeepStrictEqual(model[key], real[key])) return `${key}: model ${show(model[key])}, engine ${show(real[key])}`;
  }
  return 'no field differs';
}

/**
 * Throws a `ModelMismatchError` unless the engine holds the same endpoints as the
 * model, each in the same state.
 *
 * @example
 * expectSameFleet(model, system.fleet);
 */
export function expectSameFleet(model: FleetModel, fleet: FleetStore): void {
  const ids = model.endpointIds();
  const real = [...fleet.endpointIds()];
  if (!isDeepStrictEqual(ids, real)) {
    throw new ModelMismatchError(`endpoints differ: model ${show(ids)}, engine ${show(real)}`);
  }
  for (const id of ids) {
    const expected = model.read(id) as EndpointState;
    const actual = fleet.readEndpoint(id) as EndpointState;
    if (!isDeepStrictEqual(expected, actual)) {
      throw new ModelMismatchError(`endpoint ${id} differs: ${firstDifference(expected, actual)}`);
    }
  }
}

/** Applies a batch of records to both and compares the counts and every endpoint. */
export class ApplyBatchCommand implements fc.Command<FleetModel, FleetSystem> {
  constructor(readonly records: readonly JsonObject[]) {}

  check(): boolean {
    return true;
  }

  run(model: FleetModel, real: FleetSystem): void {
    const events = toDeviceEvents(this.records);
    const expected = model.applyBatch(events);
    const actual = real.apply(events);
    if (!isDeepStrictEqual({ ...expected }, { ...actual })) {
      throw new ModelMismatchError(`batch counts differ: model ${show(expected)}, engine ${show(actual)}`);
    }
    expectSameFleet(model, real.fleet);
  }

  toString(): string {
    return `applyBatch(${this.records.length} records)`;
  }
}

/** Delivers an earlier batch again (at-least-once delivery): nothing may change. */
export class RedeliverCommand implements fc.Command<FleetModel, FleetSystem> {
  constructor(readonly which: number) {}

  check(): boolean {
    return true;
  }

  run(model: FleetModel, real: FleetSystem): void {
    if (real.batches.length === 0) return;
    const batch = real.batches[this.which % real.batches.length] as DeviceEvent[];
    const before = model.endpointIds().map((id) => model.read(id));
    const expected = model.applyBatch(batch);
    const actual = real.apply(batch);
    if (expected.applied !== 0 || actual.applied !== 0) {
      throw new ModelMismatchError(`a redelivered batch applied events: model ${show(expected)}, engine ${show(actual)}`);
    }
    if (
      !isDeepStrictEqual(
        before,
        model.endpointIds().map((id) => model.read(id)),
      )
    ) {
      throw new ModelMismatchError('a redelivered batch changed the model');
    }
    expectSameFleet(model, real.fleet);
  }

  toString(): string {
    return `redeliver(batch ${this.which})`;
  }
}

/** Compares the fleet summary's counts with the model's. */
export class CheckSummaryCommand implements fc.Command<FleetModel, FleetSystem> {
  check(): boolean {
    return true;
  }

  run(model: FleetModel, real: FleetSystem): void {
    const summary = real.fleet.summary();
    const byStatus = Object.fromEntries(ENDPOINT_STATUSES.map((s) => [s, 0])) as Record<string, number>;
    for (const id of model.endpointIds()) {
      const status = model.read(id)?.status;
      if (status !== undefined) byStatus[status] = (byStatus[status] ?? 0) + 1;
    }
    const expected = { byStatus, ...model.totals, endpoints: model.endpointIds().length };
    const actual = {
      byStatus: { ...summary.byStatus },
      applied: summary.totals.applied,
      duplicates: summary.totals.duplicates,
      late: summary.totals.late,
      fleetEvents: summary.totals.fleetEvents,
      endpoints: summary.totals.endpoints,
    };
    if (!isDeepStrictEqual(expected, actual)) {
      throw new ModelMismatchError(`summary differs: model ${show(expected)}, engine ${show(actual)}`);
    }
  }

  toString(): string {
    return 'checkSummary()';
  }
}

/** Options of `fleetCommands`. */
export interface FleetCommandsOptions {
  /** Devices the batches talk about (default 4). */
  readonly devices?: number;
  /** Most records per batch (default 30). */
  readonly batchEvents?: number;
  /** Most commands per run (default 12). */
  readonly maxCommands?: number;
}

/**
 * Command sequences for `fc.modelRun`: batches of fleet logs (shuffled, with
 * duplicates and late events, from overlapping time windows so later batches bring
 * late events too), redeliveries of earlier batches, and summary checks.
 *
 * @example
 * fc.assert(fc.property(fleetCommands(), (commands) => runFleetCommands(commands)));
 */
export function fleetCommands(options: FleetCommandsOptions = {}): fc.Arbitrary<Iterable<fc.Command<FleetModel, FleetSystem>>> {
  const devices = options.devices ?? 4;
  const events = options.batchEvents ?? 30;
  const windows = [0, 1, 2, 3].map((k) =>
    fleetLog({
      devices,
      events,
      organisations: 2,
      disorder: { shuffle: true, duplicates: true, late: true },
      startAt: DEFAULT_LIFECYCLE_START + k * 6 * 3_600_000,
    }),
  );
  return fc.commands(
    [
      fc.oneof(...windows).map((records) => new ApplyBatchCommand(records)),
      fc.nat({ max: 16 }).map((n) => new RedeliverCommand(n)),
      fc.constant(new CheckSummaryCommand()),
    ],
    { maxCommands: options.maxCommands ?? 12 },
  );
}

/**
 * Runs commands against a fresh `FleetModel` and a fresh engine. `system` chooses the
 * engine: by default `applyBatch` directly; a subclass of `FleetSystem` can route the
 * batches through another path to the same store (e.g. `@simfleet/stream`'s `fleetState`).
 *
 * @example
 * fc.assert(fc.property(fleetCommands(), (commands) => runFleetCommands(commands)));
 */
export function runFleetCommands(commands: Iterable<fc.Command<FleetModel, FleetSystem>>, system: () => FleetSystem = () => new FleetSystem()): void {
  fc.modelRun(() => ({ model: new FleetModel(), real: system() }), commands);
}
