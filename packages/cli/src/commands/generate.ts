import { closeSync, openSync, writeSync } from 'node:fs';
import { ioErrorText } from '@simfleet/engine';
import { fleetLogChunks } from '@simfleet/testkit';
import { parseArgs } from 'node:util';
import { withUsageErrors, positiveInteger } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../cliIo.js';

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
  } }),
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
  // A reader that stops early (`| head`) closes the pipe: the write callback reports EPIPE,
  // and this listener keeps the stream's 'error' event from crashing the process.
  const ignore = (): void => {};
  if (fd === undefined) io.stdout.on('error', ignore);
  try {
    // Chunks (about 1 MB) are views of the simulator's buffer, so each is fully written before
    // the next is generated: memory stays flat whatever the size (a 10M-event log never sits
    // in memory). A file is written synchronously; stdout goes through its stream, which waits
    // for a slow reader (a pipe) with the event loop instead of polling.
    for (const chunk of fleetLogChunks(options)) {
      bytes += chunk.length;
      if (fd === undefined) {
        if (!(await writeToStream(io.stdout, chunk))) break;
      } else asUsage(out as string, () => writeAllSync(fd, chunk));
    }
  } finally {
    if (fd === undefined) io.stdout.off('error', ignore);
    else closeSync(fd);
  }
  const seconds = (performance.now() - started) / 1000;
  io.stderr.write(`generated ${events} events (${(bytes / 1e6).toFixed(1)} MB) for ${devices} devices in ${seconds.toFixed(2)} s\n`);
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

/**
 * Resolves once the stream has taken all of `chunk` (so its buffer may be reused): true,
 * or false when the reader is gone (EPIPE); rejects with any other write error.
 */
function writeToStream(stream: NodeJS.WritableStream, chunk: Uint8Array): Promise<boolean> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error) => {
      if (!error) resolve(true);
      else if ((error as NodeJS.ErrnoException).code === 'EPIPE') resolve(false);
      else reject(error);
    });
  });
}
