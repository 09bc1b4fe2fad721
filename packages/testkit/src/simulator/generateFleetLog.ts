import { type FleetSimulationOptions, FleetSimulator } from './FleetSimulator.js';

/** Characters per chunk handed to `write` (the records are ASCII: one byte each). */
const CHUNK_SIZE = 1 << 20;

/**
 * Writes a simulated fleet's events as NDJSON, in chunks of about a megabyte.
 *
 * The same options (seed included) always produce the same bytes. Records are
 * emnify-shaped (see `../shared/reference/emnify-events.md` for `messy` variants),
 * timestamps increase, event ids are unique and increasing.
 *
 * @example
 * const chunks: string[] = [];
 * const { events, bytes } = generateFleetLog({ events: 1000, devices: 50, seed: 7 }, (c) => chunks.push(c));
 * // events === 1000; chunks.join('') holds 1000 lines, `bytes` long
 */
export function generateFleetLog(
  options: FleetSimulationOptions,
  write: (chunk: string) => void,
): { events: number; bytes: number } {
  const sim = new FleetSimulator(options);
  let chunk = '';
  let bytes = 0;
  for (let i = 0; i < options.events; i++) {
    chunk += sim.nextLine();
    chunk += '\n';
    if (chunk.length >= CHUNK_SIZE) {
      bytes += chunk.length;
      write(chunk);
      chunk = '';
    }
  }
  if (chunk.length > 0) {
    bytes += chunk.length;
    write(chunk);
  }
  return { events: options.events, bytes };
}
