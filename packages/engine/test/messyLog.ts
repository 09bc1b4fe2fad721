/**
 * Shuffled, messy replay logs for property tests of `ReplaySession` (spill, checkpoints):
 * simulator records plus duplicates, same-id copies with other content, malformed lines,
 * some fed as NDJSON bytes (the WebAssembly decoder) and some as records (the full decoder).
 */
import { generateFleetLog } from '@simfleet/testkit';
import fc from 'fast-check';
import type { ReplaySession } from '../src/replay/ReplaySession.js';
import { shuffled } from './support.js';

export interface Line {
  readonly text: string;
  /** Through the WebAssembly decoder (NDJSON) or as a record (JSON array element). */
  readonly via: 'bytes' | 'record';
}

export const MALFORMED = ['{"id": 5, "timestamp":', 'null', '[1,2]', '{"id":"x","timestamp":"2021-10-27T08:00:00Z"}', '   '];

const RETIMES = ['2021-10-26T23:59:59.000Z', '2021-10-27T02:00:00.000Z', '2021-10-28T00:00:00.000Z'] as const;

/** A log of up to `maxEvents` simulated events over up to `maxDevices` devices; `retimed` adds same-id copies at other times. */
export function messyLogArb(options: { maxEvents: number; maxDevices: number; retimed: boolean }): fc.Arbitrary<Line[]> {
  return fc
    .record({
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      events: fc.integer({ min: 1, max: options.maxEvents }),
      devices: fc.integer({ min: 1, max: options.maxDevices }),
      messy: fc.boolean(),
      duplicates: fc.array(fc.nat(), { maxLength: 40 }),
      /** Same event id, other content (an unknown type id). */
      retyped: fc.array(fc.tuple(fc.nat(), fc.constantFrom(999, 4242)), { maxLength: 6 }),
      /** Same event id, another timestamp (earlier or later). */
      retimed: options.retimed ? fc.array(fc.tuple(fc.nat(), fc.constantFrom(...RETIMES)), { maxLength: 6 }) : fc.constant([]),
      malformed: fc.array(fc.constantFrom(...MALFORMED), { maxLength: 5 }),
      shuffleSeed: fc.nat(),
      viaRecord: fc.array(fc.nat(), { maxLength: 30 }),
    })
    .map((o) => {
      const chunks: string[] = [];
      generateFleetLog({ events: o.events, devices: o.devices, seed: o.seed, messy: o.messy }, (c) => chunks.push(c));
      const texts = chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '');
      for (const d of o.duplicates) texts.push(texts[d % texts.length]!);
      for (const [r, typeId] of o.retyped) texts.push(texts[r % texts.length]!.replace(/"event_type":\{"id":\d+/, `"event_type":{"id":${typeId}`));
      for (const [r, at] of o.retimed) texts.push(texts[r % texts.length]!.replace(/"timestamp":"[^"]*"/, `"timestamp":"${at}"`));
      texts.push(...o.malformed);
      const lines: Line[] = shuffled(texts, o.shuffleSeed).map((text) => ({ text, via: 'bytes' }));
      for (const v of o.viaRecord) lines[v % lines.length] = { text: lines[v % lines.length]!.text, via: 'record' };
      return lines;
    });
}

/**
 * Feeds lines to a session the way the replay reader does: each run of consecutive `bytes`
 * lines as NDJSON through the WebAssembly decoder (`wasmLines`, numbered from the run's
 * first line), records through `ingest`.
 */
export function feed(session: ReplaySession, lines: readonly Line[], file: string): void {
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.via === 'record') {
      if (l.text.trim() !== '') session.ingest({ text: l.text, line: i + 1 }, file);
      i++;
      continue;
    }
    const run: string[] = [];
    const first = i + 1;
    while (i < lines.length && lines[i]!.via === 'bytes') run.push(lines[i++]!.text);
    const ndjson = session.wasmLines(file, { firstLine: first });
    ndjson.push(Buffer.from(`${run.join('\n')}\n`));
    ndjson.end();
  }
}
