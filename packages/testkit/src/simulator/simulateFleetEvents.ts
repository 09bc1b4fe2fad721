import { type JsonObject, parseJsonText } from '@simfleet/core';
import { type FleetSimulationOptions, FleetSimulator } from './FleetSimulator.js';

/**
 * The events `generateFleetLog` writes, as JSON objects: the same sequence, parsed
 * with the decoder's exact JSON step (`parseJsonText`), so integers beyond 2^53 (bare
 * 19–20 digit ICCIDs of `messy` logs) arrive as `bigint`. Slower than the text.
 *
 * @example
 * for (const record of simulateFleetEvents({ events: 10, devices: 3, seed: 1 })) {
 *   console.log(record['event_type']); // { id: 2, description: 'Update GPRS location' }, …
 * }
 */
export function* simulateFleetEvents(options: FleetSimulationOptions): Generator<JsonObject> {
  const sim = new FleetSimulator(options);
  for (let i = 0; i < options.events; i++) yield parseRecord(sim.nextLine());
}

/** Parses one line the simulator wrote (always a JSON object). */
export function parseRecord(line: string): JsonObject {
  const parsed = parseJsonText(line);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    // The simulator only writes JSON objects: anything else is a bug here, not bad input.
    throw new Error(`simulator wrote a record that is not a JSON object: ${line.slice(0, 120)}`);
  }
  return parsed.value as JsonObject;
}
