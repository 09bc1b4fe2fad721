import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateFleetLog } from '@simfleet/testkit';

/**
 * The lines of an NDJSON log: a file, or every `*.ndjson` / `*.jsonl` file of a
 * directory in name order.
 *
 * @example
 * for await (const line of logFileLines('examples/data')) …
 */
export async function* logFileLines(path: string): AsyncGenerator<string> {
  const files = (await stat(path)).isDirectory()
    ? (await readdir(path))
        .filter((name) => name.endsWith('.ndjson') || name.endsWith('.jsonl'))
        .sort()
        .map((name) => join(path, name))
    : [path];
  for (const file of files) {
    yield* createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  }
}

/**
 * A simulated fleet's log (the testkit's simulator: same seed, same lines).
 *
 * @example
 * const lines = simulatedLines({ events: 2000, devices: 25, seed: 7 });
 */
export function simulatedLines(options: { events: number; devices: number; seed: number }): string[] {
  const chunks: string[] = [];
  generateFleetLog(options, (chunk) => chunks.push(chunk));
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line !== '');
}
