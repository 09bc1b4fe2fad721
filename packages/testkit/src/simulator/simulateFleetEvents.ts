import type { JsonObject } from '@simfleet/core';
import { parseRecordText } from '../json/parseRecordText.js';
import { type FleetSimulationOptions, FleetSimulator } from './FleetSimulator.js';

/**
 * The events `generateFleetLog` writes, as JSON objects (the same sequence; slower).
 *
 * Integers beyond 2^53 in the text (bare 19–20 digit ICCIDs of `messy` logs) arrive
 * as `bigint`, every other number as `number`.
 *
 * @example
 * for (const record of simulateFleetEvents({ events: 10, devices: 3, seed: 1 })) {
 *   console.log(record['event_type']);
 * }
 */
export function* simulateFleetEvents(options: FleetSimulationOptions): Generator<JsonObject> {
  const sim = new FleetSimulator(options);
  for (let i = 0; i < options.events; i++) yield parseRecordText(sim.nextLine());
}
