import type { DeviceEvent } from '@simfleet/core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ApplyBatchCommand, FleetModel, FleetSystem, fleetCommands, fleetLog, ModelMismatchError, runFleetCommands, toDeviceEvents } from '../src/index.js';

vi.setConfig({ testTimeout: 30_000 });

describe('model-based testing of the engine', () => {
  it('the engine (applyBatch on a FleetStore) agrees with the model, batch after batch', () => {
    fc.assert(
      fc.property(fleetCommands(), (commands) => {
        runFleetCommands(commands);
      }),
      { numRuns: 60 },
    );
  });

  it('catches an engine that applies events in delivery order', () => {
    /** Applies each event alone, as it arrives: late events are lost, the model disagrees. */
    class DeliveryOrderSystem extends FleetSystem {
      override apply(events: readonly DeviceEvent[]) {
        const total = { applied: 0, duplicates: 0, late: 0 };
        for (const e of events) {
          const r = super.apply([e]);
          total.applied += r.applied;
          total.duplicates += r.duplicates;
          total.late += r.late;
        }
        return total;
      }
    }
    const result = fc.check(
      fc.property(fleetLog({ devices: 3, events: 30, disorder: { shuffle: true } }), (records) => {
        fc.modelRun(() => ({ model: new FleetModel(), real: new DeliveryOrderSystem() }), [new ApplyBatchCommand(records)]);
      }),
      { numRuns: 100, seed: 3 },
    );
    expect(result.failed).toBe(true);
    expect(result.errorInstance).toBeInstanceOf(ModelMismatchError);
  });

  it('the model itself: a redelivered batch changes nothing', () => {
    fc.assert(
      fc.property(fleetLog({ devices: 3, events: 30 }), (records) => {
        const model = new FleetModel();
        const events = toDeviceEvents(records);
        model.applyBatch(events);
        const before = model.endpointIds().map((id) => model.read(id));
        expect(model.applyBatch(events).applied).toBe(0);
        expect(model.endpointIds().map((id) => model.read(id))).toEqual(before);
      }),
      { numRuns: 30 },
    );
  });
});
