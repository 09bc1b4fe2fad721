import { availableParallelism, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { positiveInteger, withUsageErrors } from '../args.js';
import { CHECKPOINT_HELP, CHECKPOINT_OPTIONS, openReplayCheckpoints } from '../checkpoint/checkpointFlags.js';
import { type CliIo, EXIT, UsageError } from '../cliIo.js';
import { AtomicOutput, probeWritable } from '../output/AtomicOutput.js';
import { type NamedPath, refuseClashes } from '../output/outputPaths.js';
import { createProgress } from '../output/progress.js';
import { openRejectsFile, type RejectsFile } from '../output/rejectsFile.js';
import { endpointRows, OUTPUT_FORMATS, parseOutputFormat } from '../output/endpointOutput.js';
import { FILTER_HELP, parseEndpointFilter } from '../output/endpointFilter.js';
import { AFTER_UNTIL, renderSummary } from '../output/renderSummary.js';
import { writeChunks } from '../output/writeOutput.js';
import { openReplayPostgres, PG_HELP, PG_OPTIONS } from '../postgres/replayToPostgres.js';
import { defaultThreads } from './defaultThreads.js';
import { parseUntil, UNTIL_HELP } from './untilFlag.js';
import { accountingLine, expandPaths, replaySources, snapshotChunks } from '@simfleet/engine';

const HELP = `simfleet replay <paths...> — replay event logs into the state of every device

Paths: files, directories (every *.ndjson, *.jsonl, *.json and their .gz) or - for stdin.
NDJSON and JSON arrays are detected per file, gzip by its magic bytes.

Options:
  --json            the snapshot (simfleet/snapshot@1) on stdout, nothing else (= --format json)
  --format F        stdout as ${OUTPUT_FORMATS.join(' | ')}: json is the snapshot; ndjson (one snapshot
                    endpoint entry per line), csv and table print the endpoints (default: a summary)
${FILTER_HELP}
  --out FILE        write the snapshot to FILE
  --until TIME      state as of that instant (formats below)
  --rejects FILE    every rejected record as NDJSON {"file","line","reason","raw","code"}
  --strict          exit 3 when any record is rejected (events after --until are not rejects here)
  --quiet           no progress bar
  --threads N       threads for big NDJSON files: the main thread and N - 1 workers (default: the cores
                    not busy with other work, by the load average; 1 = main thread only)
  --range-bytes N   bytes of the file per window the threads share (default 256 MiB; a worker holds
                    at most two windows of rows, in ranges of at most 16 MiB; smaller bounds memory further)
  --max-line-bytes N  longest record in bytes (default 16777216 = 16 MiB): a longer line or array
                    element is rejected as line_too_long, streamed past (memory stays bounded)
  --max-rows N      decoded events kept in memory before they are spilled, sorted, to temporary
                    files (default 1048576): memory is bounded to ~N × 76 B + the devices
${CHECKPOINT_HELP}
${PG_HELP}
${UNTIL_HELP}

Exit status: 0 all records accounted for, 1 unusable arguments or input, 3 rejects under --strict,
4 nothing applied: the inputs held no applicable record (a warning says so on stderr).`;

/** `simfleet replay`: logs in, snapshot or summary out. */
export async function runReplay(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors(
    'replay',
    () =>
      parseArgs({
        args: [...argv],
        allowPositionals: true,
        strict: true,
        options: {
          json: { type: 'boolean', default: false },
          format: { type: 'string' },
          status: { type: 'string', multiple: true },
          organisation: { type: 'string', multiple: true },
          operator: { type: 'string', multiple: true },
          country: { type: 'string', multiple: true },
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
        },
      }),
    argv,
  );
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.OK;
  }
  const until = parseUntil(values.until);
  const threads = threadCount(values.threads, io);
  const maxLineBytes = values['max-line-bytes'] === undefined ? undefined : positiveInteger('max-line-bytes', values['max-line-bytes']);
  const format = values.format === undefined ? (values.json ? 'json' : undefined) : parseOutputFormat(values.format);
  if (values.json && format !== 'json') throw new UsageError(`--json is --format json; it cannot be combined with --format ${format}`);
  const filter = parseEndpointFilter(values);
  if (filter !== undefined && (format === undefined || format === 'json')) {
    throw new UsageError(
      '--status, --organisation, --operator and --country filter the endpoints of --format ndjson, csv or table (the JSON snapshot always holds the whole fleet)',
    );
  }
  // With --from, the checkpoint alone is a valid input.
  const sources =
    positionals.length === 0 && values.from !== undefined ? [] : await expandPaths(positionals, { warn: (line) => io.stderr.write(`simfleet: ${line}\n`) });
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
      ...(postgres === undefined ? {} : { onTransition: postgres.onTransition, onOrganisationTransition: postgres.onOrganisationTransition }),
    });
    await rejects?.close();
    rejects = undefined;
    // The tables and the snapshot are written at once: the snapshot's formatting fills the
    // time the database spends on its rows. The snapshot is committed only after the tables.
    const written = postgres?.finish(run.session.fleet, run.account, { sources, from: values.from, until });
    written?.catch(() => {}); // awaited below; a snapshot failure first must not leave it unhandled
    if (out !== undefined) for (const chunk of snapshotChunks(run.session.fleet, run.account)) await out.write(chunk);
    if (written !== undefined) io.stderr.write(`${await written}\n`);
    if (out !== undefined) {
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
  // A reader that leaves early (`| head -1`) ends the output, not the command with a stack trace.
  if (format === 'json') await writeChunks(io.stdout, snapshotChunks(session.fleet, account));
  else if (format !== undefined) await writeChunks(io.stdout, endpointRows(session.fleet, format, filter));
  else await writeChunks(io.stdout, [renderSummary(session.fleet.summary(), account)]);
  const afterUntil = account.rejectedByReason[AFTER_UNTIL] ?? 0;
  io.stderr.write(`${accountingLine(account)}${afterUntil > 0 ? ` (${afterUntil} of them after --until)` : ''}\n`);
  if (account.applied === 0) {
    const why = afterUntil > 0 ? `, ${afterUntil} after --until` : '';
    io.stderr.write(
      `simfleet: warning: nothing applied: ${account.records} records read, none an applicable emnify event${why} (exit status ${EXIT.NOTHING_APPLIED})\n`,
    );
    return EXIT.NOTHING_APPLIED;
  }
  return values.strict && account.rejected - afterUntil > 0 ? EXIT.REJECTED : EXIT.OK;
}

/** `--threads` (default: the idle cores, `defaultThreads`), at most the cores: more threads only cost memory and time. */
function threadCount(text: string | undefined, io: CliIo): number {
  const cores = availableParallelism();
  if (text === undefined) return defaultThreads(cores, loadavg()[0] ?? 0);
  const asked = positiveInteger('threads', text);
  if (asked <= cores) return asked;
  io.stderr.write(`simfleet: --threads ${asked} is more than the ${cores} cores of this machine; using ${cores}\n`);
  return cores;
}
