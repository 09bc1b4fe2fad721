import { Buffer } from 'node:buffer';
import type { FleetSimulationOptions } from './FleetSimulator.js';
import { fleetLogChunks } from './fleetLogChunks.js';

/**
 * Characters per chunk handed to `write` (records are ASCII: one byte each). Kept
 * below V8's large-object threshold: bigger strings are each mapped fresh, which
 * costs more than generating them.
 */
const CHUNK_SIZE = 60_000;

/**
 * Writes a simulated fleet's events as NDJSON, in chunks of about 60 KB.
 *
 * The same options (seed included) always produce the same bytes. Records are
 * emnify-shaped (with `messy`, the record variants real streams show; see messy.ts),
 * timestamps increase, event ids are unique and increasing.
 *
 * @example
 * const chunks: string[] = [];
 * const { events, bytes } = generateFleetLog({ events: 1000, devices: 50, seed: 7 }, (c) => chunks.push(c));
 * // events === 1000; chunks.join('') holds 1000 lines, `bytes` long
 */
export function generateFleetLog(options: FleetSimulationOptions, write: (chunk: string) => void): { events: number; bytes: number } {
  const chunks = fleetLogChunks(options, CHUNK_SIZE);
  for (;;) {
    const next = chunks.next();
    if (next.done === true) return next.value;
    const chunk = next.value;
    write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('latin1'));
  }
}
