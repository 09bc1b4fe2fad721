import type { FleetSimulationOptions } from './FleetSimulator.js';
import { fleetLogChunks } from './fleetLogChunks.js';

/**
 * `generateFleetLog` without the text step: the same bytes, handed over as chunks of
 * the simulator's own buffer (about 1 MB each). Faster for writing to a file or stdout
 * — no string is built or encoded — but a chunk is only valid during the call: write it
 * synchronously or copy it. Asynchronous writers iterate `fleetLogChunks` instead.
 *
 * @example
 * import { writeSync } from 'node:fs';
 * generateFleetLogBytes({ events: 1_000_000, devices: 100_000, seed: 1 }, (chunk) => writeSync(1, chunk));
 */
export function generateFleetLogBytes(options: FleetSimulationOptions, write: (chunk: Uint8Array) => void): { events: number; bytes: number } {
  const chunks = fleetLogChunks(options);
  for (;;) {
    const next = chunks.next();
    if (next.done === true) return next.value;
    write(next.value);
  }
}
