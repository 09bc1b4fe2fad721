import { closeSync, openSync, writeSync } from 'node:fs';
import { generateFleetLogBytes } from '@simfleet/testkit';
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
  const fd = values.out === undefined ? 1 : openSync(values.out, 'w');
  const started = performance.now();
  let result: { events: number; bytes: number };
  try {
    // The simulator hands over large chunks synchronously; writing them synchronously keeps
    // memory flat whatever the size (a 10M-event log never sits in memory).
    result = generateFleetLogBytes(
      { events, devices, seed: Number(values.seed), messy: values.messy, ...(organisations === undefined ? {} : { organisations }) },
      (chunk) => writeAllSync(fd, chunk),
    );
  } finally {
    if (fd !== 1) closeSync(fd);
  }
  const seconds = (performance.now() - started) / 1000;
  io.stderr.write(`generated ${result.events} events (${(result.bytes / 1e6).toFixed(1)} MB) for ${devices} devices in ${seconds.toFixed(2)} s\n`);
  return EXIT.OK;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes every byte, waiting briefly when a non-blocking pipe is full (EAGAIN). */
function writeAllSync(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 2);
    }
  }
}
