import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseTimestamp } from '@simfleet/core';
import { parseArgs } from 'node:util';
import { positiveInteger, withUsageErrors } from '../args.js';
import { CHECKPOINT_HELP, CHECKPOINT_OPTIONS, openReplayCheckpoints } from '../checkpoint/checkpointFlags.js';
import { type CliIo, EXIT, UsageError } from '../cliIo.js';
import { AtomicOutput, probeWritable } from '../output/AtomicOutput.js';
import { type NamedPath, refuseClashes } from '../output/outputPaths.js';
import { createProgress } from '../output/progress.js';
import { openRejectsFile, type RejectsFile } from '../output/rejectsFile.js';
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
  --max-line-bytes N  longest record in bytes (default 16777216 = 16 MiB): a longer line or array
                    element is rejected as line_too_long, streamed past (memory stays bounded)
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
    'max-line-bytes': { type: 'string' },
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
  const threads = threadCount(values.threads, io);
  const maxLineBytes = values['max-line-bytes'] === undefined ? undefined : positiveInteger('max-line-bytes', values['max-line-bytes']);
  // With --from, the checkpoint alone is a valid input.
  const sources =
    positionals.length === 0 && values.from !== undefined
      ? []
      : await expandPaths(positionals, { warn: (line) => io.stderr.write(`simfleet: ${line}\n`) });
  // Before anything is opened: no output may be an input or another output.
  const inputs: NamedPath[] = sources.flatMap((s) => (s.kind === 'file' ? [{ flag: 'input', path: s.path }] : []));
  if (values.from !== undefined) inputs.push({ flag: '--from', path: values.from });
  const outputs: NamedPath[] = [];
  if (values.out !== undefined) outputs.push({ flag: '--out', path: values.out });
  if (values.rejects !== undefined) outputs.push({ flag: '--rejects', path: values.rejects });
  if (values.checkpoint !== undefined) outputs.push({ flag: '--checkpoint', path: values.checkpoint });
  await refuseClashes(inputs, outputs, [['--from', '--checkpoint']]);
  const checkpoints = await openReplayCheckpoints(values, sources, until, io);
  // Before any replay work: an unusable database is one line and exit 1.
  const postgres = await openReplayPostgres(values, io.env);
  // Every output is known to be writable before the (maybe long) replay starts.
  if (values.checkpoint !== undefined) await probeWritable(dirname(resolve(values.checkpoint)), values.checkpoint);
  let out: AtomicOutput | undefined;
  let rejects: RejectsFile | undefined;
  let run: Awaited<ReturnType<typeof replaySources>>;
  try {
    out = values.out === undefined ? undefined : await AtomicOutput.open(values.out);
    rejects = values.rejects === undefined ? undefined : await openRejectsFile(values.rejects);
    run = await replaySources(sources, {
      stdin: io.stdin,
      progress: (totalBytes) => createProgress(io.stderr, { quiet: values.quiet, totalBytes }),
      ...(rejects === undefined ? {} : { onReject: rejects.onReject }),
      threads,
      rangeBytes: values['range-bytes'] === undefined ? undefined : positiveInteger('range-bytes', values['range-bytes']),
      ...(until === undefined ? {} : { until }),
      ...(values['max-rows'] === undefined ? {} : { maxRowsInMemory: positiveInteger('max-rows', values['max-rows']) }),
      ...(maxLineBytes === undefined ? {} : { maxLineBytes }),
      checkpoints,
      ...(postgres === undefined ? {} : { onTransition: postgres.onTransition }),
    });
    await rejects?.close();
    rejects = undefined;
    if (postgres !== undefined) io.stderr.write(`${await postgres.finish(run.session.fleet, run.account, { sources, from: values.from, until })}\n`);
    if (out !== undefined) {
      for (const chunk of snapshotChunks(run.session.fleet, run.account)) await out.write(chunk);
      await out.commit();
      out = undefined;
    }
  } catch (error) {
    await postgres?.abandon();
    throw error;
  } finally {
    // A failed run leaves the previous outputs as they were, and no temporary file.
    await rejects?.abort();
    await out?.abort();
  }
  const { session, account } = run;
  if (values.json) {
    await pipeline(Readable.from(snapshotChunks(session.fleet, account)), nonClosing(io.stdout));
  } else {
    io.stdout.write(renderSummary(session.fleet.summary(), account));
  }
  io.stderr.write(`${accountingLine(account)}\n`);
  return values.strict && account.rejected > 0 ? EXIT.REJECTED : EXIT.OK;
}

/** `--threads` (default: the cores), at most the cores: more threads only cost memory and time. */
function threadCount(text: string | undefined, io: CliIo): number {
  const cores = availableParallelism();
  if (text === undefined) return cores;
  const asked = positiveInteger('threads', text);
  if (asked <= cores) return asked;
  io.stderr.write(`simfleet: --threads ${asked} is more than the ${cores} cores of this machine; using ${cores}\n`);
  return cores;
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
