import { parseArgs } from 'node:util';
import { fleetLogChunks } from '@simfleet/testkit';
import { positiveInteger, withUsageErrors } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../cliIo.js';
import { AtomicOutput } from '../output/AtomicOutput.js';
import { writeChunk } from '../output/writeOutput.js';

const HELP = `simfleet generate --events N --devices M [--seed S] [--organisations K] [--out FILE] [--messy]

Writes a deterministic, realistic emnify event log (NDJSON) from the testkit's lifecycle
simulator: the same options give the same bytes. Without --out the log goes to stdout;
--out FILE is written atomically (a temporary file beside it, renamed when complete).
--messy mixes in the record variants real streams show (offsets, numeric strings, nulls…).`;

/** `simfleet generate`: a seeded simulated fleet log. */
export async function runGenerate(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors(
    'generate',
    () =>
      parseArgs({
        args: [...argv],
        allowPositionals: true,
        strict: true,
        options: {
          events: { type: 'string' },
          devices: { type: 'string' },
          seed: { type: 'string', default: '1' },
          organisations: { type: 'string' },
          out: { type: 'string' },
          messy: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }),
    argv,
  );
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw new UsageError(`generate takes no paths, got '${positionals[0]}'`);
  const events = positiveInteger('events', values.events);
  const devices = positiveInteger('devices', values.devices);
  if (!/^\d+$/.test(values.seed)) throw new UsageError(`--seed expects a non-negative integer, got '${values.seed}'`);
  const organisations = values.organisations === undefined ? undefined : positiveInteger('organisations', values.organisations);
  // Opened before anything is generated, so an unwritable place is reported first; a failed
  // or interrupted run leaves the previous file (or none) and no temporary file.
  const out = values.out === undefined ? undefined : await AtomicOutput.open(values.out);
  const started = performance.now();
  const options = { events, devices, seed: Number(values.seed), messy: values.messy, ...(organisations === undefined ? {} : { organisations }) };
  let bytes = 0;
  let lines = 0;
  // A reader that stops early (`| head`) closes the pipe: the chunk being written when it
  // left is not counted, so the report says what was written, not what was planned.
  let readerLeft = false;
  try {
    // Chunks (about 1 MB) are views of the simulator's buffer, reused for the next chunk:
    // stdout's stream is waited on (a slow reader, a pipe) before the next is generated, and
    // the file gets a copy, written in the background while the next chunk is made. Memory
    // stays flat whatever the size (a 10M-event log never sits in memory).
    for (const chunk of fleetLogChunks(options)) {
      if (out === undefined) {
        if (!(await writeChunk(io.stdout, chunk))) {
          readerLeft = true;
          break;
        }
      } else {
        await out.write(Buffer.from(chunk));
        // A write error (a full disk) ends the run now; commit reports it.
        if (out.failed) break;
      }
      bytes += chunk.length;
      lines += countLines(chunk);
    }
    await out?.commit();
  } catch (error) {
    await out?.abort();
    throw error;
  }
  const seconds = (performance.now() - started) / 1000;
  if (readerLeft) {
    io.stderr.write(
      `stopped after ${seconds.toFixed(2)} s: stdout was closed by its reader; ${lines} of ${events} events (${bytes} bytes) were written in full, and the reader may have taken part of the next chunk\n`,
    );
  } else {
    io.stderr.write(`generated ${events} events (${(bytes / 1e6).toFixed(1)} MB) for ${devices} devices in ${seconds.toFixed(2)} s\n`);
  }
  return EXIT.OK;
}

/** Complete records in a chunk (chunks end at a line end: one newline per record). */
function countLines(chunk: Uint8Array): number {
  let n = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  return n;
}
