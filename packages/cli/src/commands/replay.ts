import { createWriteStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseTimestamp } from '@simfleet/core';
import { parseArgs } from 'node:util';
import { positiveInteger, withUsageErrors } from '../args.js';
import { CHECKPOINT_HELP, CHECKPOINT_OPTIONS, openReplayCheckpoints } from '../checkpoint/checkpointFlags.js';
import { type CliIo, EXIT, UsageError } from '../cliIo.js';
import { createProgress } from '../output/progress.js';
import { openRejectsFile } from '../output/rejectsFile.js';
import { renderSummary } from '../output/renderSummary.js';
import { openReplayPostgres, PG_HELP, PG_OPTIONS } from '../postgres/replayToPostgres.js';
import { accountingLine, expandPaths, replaySources, snapshotChunks } from '@simfleet/engine';

const HELP = `simfleet replay <paths...> — replay event logs into the state of every device

Paths: files, directories (every *.ndjson, *.jsonl, *.json and their .gz) or - for stdin.
NDJSON and JSON arrays are detected per file, gzip by its magic bytes.

Options:
  --json            the snapshot (simfleet/snapshot@1) on stdout, nothing else
  --out FILE        write the snapshot to FILE
  --until ISO       state as of that instant (events after it are rejected as after_until)
  --rejects FILE    every rejected record as NDJSON {"file","line","reason","raw","code"}
  --strict          exit 3 when any record is rejected
  --quiet           no progress bar
  --threads N       worker threads for big NDJSON files (default: number of cores; 1 = main thread only)
  --range-bytes N   bytes a worker decodes per job (default 256 MiB; smaller bounds memory further)
  --max-rows N      decoded events kept in memory before they are spilled, sorted, to temporary
                    files (default 4000000): memory is bounded to ~N × 70 B + the devices
${CHECKPOINT_HELP}
${PG_HELP}
Exit status: 0 all records accounted for, 1 unusable arguments or input, 3 rejects under --strict.`;

/** `simfleet replay`: logs in, snapshot or summary out. */
export async function runReplay(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors('replay', () =>
    parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: {
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    until: { type: 'string' },
    rejects: { type: 'string' },
    strict: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    threads: { type: 'string' },
    'range-bytes': { type: 'string' },
    'max-rows': { type: 'string' },
    ...CHECKPOINT_OPTIONS,
    ...PG_OPTIONS,
    help: { type: 'boolean', short: 'h', default: false },
  } }),
  );
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.OK;
  }
  const until = parseUntil(values.until);
  // With --from, the checkpoint alone is a valid input.
  const sources = positionals.length === 0 && values.from !== undefined ? [] : await expandPaths(positionals);
  const checkpoints = await openReplayCheckpoints(values, sources, until, io);
  // Before any replay work: an unusable database is one line and exit 1.
  const postgres = await openReplayPostgres(values, io.env);
  const rejects = values.rejects === undefined ? undefined : await openRejectsFile(values.rejects);
  const { session, account } = await replaySources(sources, {
    stdin: io.stdin,
    progress: (totalBytes) => createProgress(io.stderr, { quiet: values.quiet, totalBytes }),
    ...(rejects === undefined ? {} : { onReject: rejects.onReject }),
    threads: values.threads === undefined ? availableParallelism() : positiveInteger('threads', values.threads),
    rangeBytes: values['range-bytes'] === undefined ? undefined : positiveInteger('range-bytes', values['range-bytes']),
    ...(until === undefined ? {} : { until }),
    ...(values['max-rows'] === undefined ? {} : { maxRowsInMemory: positiveInteger('max-rows', values['max-rows']) }),
    checkpoints,
    ...(postgres === undefined ? {} : { onTransition: postgres.onTransition }),
  }).catch(async (error: unknown) => {
    await postgres?.abandon();
    throw error;
  });
  await rejects?.close();
  if (postgres !== undefined) io.stderr.write(`${await postgres.finish(session.fleet, account, { sources, from: values.from, until })}\n`);
  if (values.out !== undefined) {
    await pipeline(Readable.from(snapshotChunks(session.fleet, account)), createWriteStream(values.out));
  }
  if (values.json) {
    await pipeline(Readable.from(snapshotChunks(session.fleet, account)), nonClosing(io.stdout));
  } else {
    io.stdout.write(renderSummary(session.fleet.summary(), account));
  }
  io.stderr.write(`${accountingLine(account)}\n`);
  return values.strict && account.rejected > 0 ? EXIT.REJECTED : EXIT.OK;
}

/** `--until` as UTC epoch ms, or a usage error saying what was wrong. */
export function parseUntil(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseTimestamp(text);
  if (ms === null) throw new UsageError(`--until expects an ISO-8601 instant like 2021-10-27T12:00:00Z, got '${text}'`);
  return ms;
}

/** Wraps stdout so that the pipeline does not end the process's stdout. */
function nonClosing(stream: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk, _encoding, callback) {
      if (stream.write(chunk)) callback();
      else stream.once('drain', () => callback());
    },
  });
}
