import type { BatchResult, DeviceEvent } from '@simfleet/core';
import { FleetSystem, fleetCommands, runFleetCommands } from '@simfleet/testkit';
import fc from 'fast-check';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type FleetView, fleetState } from '../src/index.js';

/**
 * The testkit's model-based commands, driving the engine through the stream operator
 * `fleetState` instead of `applyBatch` directly: batches of shuffled, duplicated and late
 * records, redeliveries, summary checks — the stream must agree with the model at every step.
 */
class StreamFleetSystem extends FleetSystem {
  override apply(events: readonly DeviceEvent[]): BatchResult {
    this.batches.push([...events]);
    let view: FleetView | undefined;
    // A synchronous source and a batch size of the whole batch: fleetState applies it as one batch.
    from(events)
      .pipe(fleetState({ store: this.fleet, maxBatch: Math.max(1, events.length), maxDelay: 1_000 }))
      .subscribe((v) => {
        view = v;
      });
    if (events.length === 0) return { applied: 0, duplicates: 0, late: 0 };
    if (view === undefined) throw new Error('fleetState emitted no view for the batch');
    return { applied: view.batch.applied, duplicates: view.batch.duplicates, late: view.batch.late };
  }
}

describe('model-based: the stream pipeline against the testkit model', () => {
  it('agrees with the model over random command sequences', () => {
    fc.assert(
      fc.property(fleetCommands(), (commands) => runFleetCommands(commands, () => new StreamFleetSystem())),
      { numRuns: 60 },
    );
  });

  it('the same commands fail against a stream system that drops a batch (the check discriminates)', () => {
    class Lossy extends StreamFleetSystem {
      override apply(events: readonly DeviceEvent[]): BatchResult {
        return this.batches.length === 1 ? { applied: 0, duplicates: 0, late: 0 } : super.apply(events);
      }
    }
    expect(() =>
      fc.assert(fc.property(fleetCommands(), (commands) => runFleetCommands(commands, () => new Lossy())), { numRuns: 60, seed: 7 }),
    ).toThrow();
  });
});
