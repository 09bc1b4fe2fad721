import { closeSync, openSync, writeSync } from 'node:fs';
import { ioErrorText } from '@simfleet/engine';
import { fleetLogChunks } from '@simfleet/testkit';
import { parseArgs } from 'node:util';
import { withUsageErrors, positiveInteger } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../cliIo.js';
import { writeChunk } from '../output/writeOutput.js';

const HELP = `simfleet generate --events N --devices M [--seed S] [--organisations K] [--out FILE] [--messy]

Writes a deterministic, realistic emnify event log (NDJSON) from the testkit's lifecycle
simulator: the same options give the same bytes. Without --out the log goes to stdout.
--messy mixes in the record variants real streams show (offsets, numeric strings, nulls…).`;

/** `simfleet generate`: a seeded simulated fleet log. */
export async function runGenerate(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors('generate', () =>
    parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: {
    events: { type: 'string' },
    devices: { type: 'string' },
    seed: { type: 'string', default: '1' },
    organisations: { type: 'string' },
    out: { type: 'string' },
    messy: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  } }), argv,
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
  const out = values.out;
  const fd = out === undefined ? undefined : asUsage(out, () => openSync(out, 'w'));
  const started = performance.now();
  const options = { events, devices, seed: Number(values.seed), messy: values.messy, ...(organisations === undefined ? {} : { organisations }) };
  let bytes = 0;
  let lines = 0;
  // A reader that stops early (`| head`) closes the pipe: the chunk being written when it
  // left is not counted, so the report says what was written, not what was planned.
  let readerLeft = false;
  try {
    // Chunks (about 1 MB) are views of the simulator's buffer, so each is fully written before
    // the next is generated: memory stays flat whatever the size (a 10M-event log never sits
    // in memory). A file is written synchronously; stdout goes through its stream, which waits
    // for a slow reader (a pipe) with the event loop instead of polling.
    for (const chunk of fleetLogChunks(options)) {
      if (fd === undefined) {
        if (!(await writeChunk(io.stdout, chunk))) {
          readerLeft = true;
          break;
        }
      } else asUsage(out as string, () => writeAllSync(fd, chunk));
      bytes += chunk.length;
      lines += countLines(chunk);
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
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

/** Runs a file operation on `path`; an I/O error becomes one line naming the file (exit 1). */
function asUsage<T>(path: string, operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw new UsageError(ioErrorText(error, path, 'write'));
  }
}

/** Writes every byte of `chunk` to a file descriptor (a file: no partial writes to wait for). */
function writeAllSync(fd: number, chunk: Uint8Array): void {
  let offset = 0;
  while (offset < chunk.length) offset += writeSync(fd, chunk, offset);
}

/** Complete records in a chunk (chunks end at a line end: one newline per record). */
function countLines(chunk: Uint8Array): number {
  let n = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  return n;
}
