import { type FleetSimulationOptions, FleetSimulator } from './FleetSimulator.js';

/** Bytes per chunk: large, since each chunk usually costs a system call downstream. */
export const FLEET_LOG_CHUNK_BYTES = 1 << 20;

/**
 * The simulated log as byte chunks of about `chunkBytes` (whole lines), pulled one
 * at a time: the form for asynchronous consumers. A writer that must wait for a slow
 * reader (a pipe) simply does not ask for the next chunk until its write completed,
 * so nothing is buffered and nothing busy-waits.
 *
 * Each chunk is a view of the simulator's own buffer and is overwritten when the
 * next one is requested: write it (and wait for the write) or copy it first.
 *
 * @example
 * for (const chunk of fleetLogChunks({ events: 1_000_000, devices: 100_000, seed: 1 })) {
 *   await new Promise((done) => process.stdout.write(chunk, done));
 * }
 */
export function* fleetLogChunks(
  options: FleetSimulationOptions,
  chunkBytes: number = FLEET_LOG_CHUNK_BYTES,
): Generator<Uint8Array, { events: number; bytes: number }, undefined> {
  const sim = new FleetSimulator(options, chunkBytes + (1 << 16));
  const w = sim.writer;
  const flushAt = w.base + chunkBytes;
  const events = options.events;
  let bytes = 0;
  for (let i = 0; i < events; i++) {
    sim.writeNext();
    w.byte(10); // '\n'
    if (w.pos >= flushAt) {
      bytes += w.pos - w.base;
      yield w.buf.subarray(w.base, w.pos);
      w.clear();
    }
  }
  if (w.pos > w.base) {
    bytes += w.pos - w.base;
    yield w.buf.subarray(w.base, w.pos);
    w.clear();
  }
  return { events, bytes };
}
