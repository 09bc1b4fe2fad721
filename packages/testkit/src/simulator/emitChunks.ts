import type { ByteWriter } from './ByteWriter.js';
import { type FleetSimulationOptions, FleetSimulator } from './FleetSimulator.js';

/**
 * Runs the simulator and hands over its output every `chunkBytes` bytes, as the writer
 * and the range `[start, end)` of its buffer: the one loop behind `generateFleetLog`
 * (text chunks) and `generateFleetLogBytes` (byte chunks).
 */
export function emitChunks(
  options: FleetSimulationOptions,
  chunkBytes: number,
  emit: (writer: ByteWriter, start: number, end: number) => void,
): { events: number; bytes: number } {
  const sim = new FleetSimulator(options, chunkBytes + (1 << 16));
  const w = sim.writer;
  const flushAt = w.base + chunkBytes;
  let bytes = 0;
  for (let i = 0; i < options.events; i++) {
    sim.writeNext();
    w.byte(10); // '\n'
    if (w.pos >= flushAt) {
      bytes += w.pos - w.base;
      emit(w, w.base, w.pos);
      w.clear();
    }
  }
  if (w.pos > w.base) {
    bytes += w.pos - w.base;
    emit(w, w.base, w.pos);
  }
  return { events: options.events, bytes };
}
