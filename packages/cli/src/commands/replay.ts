import { createWriteStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { positiveInteger, withUsageErrors } from '../args.js';
import { CHECKPOINT_HELP, CHECKPOINT_OPTIONS, openReplayCheckpoints } from '../checkpoint/checkpointFlags.js';
import { type CliIo, EXIT, UsageError } from '../cliIo.js';
import { createProgress } from '../output/progress.js';
import { openRejectsFile } from '../output/rejectsFile.js';
import { endpointRows, OUTPUT_FORMATS, parseOutputFormat } from '../output/endpointOutput.js';
import { FILTER_HELP, parseEndpointFilter } from '../output/endpointFilter.js';
import { AFTER_UNTIL, renderSummary } from '../output/renderSummary.js';
import { writeChunks } from '../output/writeOutput.js';
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
  --threads N       worker threads for big NDJSON files (default: number of cores; 1 = main thread only)
  --range-bytes N   bytes a worker decodes per job (default 256 MiB; smaller bounds memory further)
  --max-rows N      decoded events kept in memory before they are spilled, sorted, to temporary
                    files (default 4000000): memory is bounded to ~N × 70 B + the devices
${CHECKPOINT_HELP}
${UNTIL_HELP}

Exit status: 0 all records accounted for, 1 unusable arguments or input, 3 rejects under --strict,
4 nothing applied: the inputs held no applicable record (a warning says so on stderr).`;

/** `simfleet replay`: logs in, snapshot or summary out. */
export async function runReplay(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors('replay', () =>
    parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: {
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
    ...CHECKPOINT_OPTIONS,
    help: { type: 'boolean', short: 'h', default: false },
  } }), argv,
  );
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.OK;
  }
  const until = parseUntil(values.until);
  const format = values.format === undefined ? (values.json ? 'json' : undefined) : parseOutputFormat(values.format);
  if (values.json && format !== 'json') throw new UsageError(`--json is --format json; it cannot be combined with --format ${format}`);
  const filter = parseEndpointFilter(values);
  if (filter !== undefined && (format === undefined || format === 'json')) {
    throw new UsageError('--status, --organisation, --operator and --country filter the endpoints of --format ndjson, csv or table (the JSON snapshot always holds the whole fleet)');
  }
  // With --from, the checkpoint alone is a valid input.
  const sources = positionals.length === 0 && values.from !== undefined ? [] : await expandPaths(positionals);
  const checkpoints = await openReplayCheckpoints(values, sources, until, io);
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
  });
  await rejects?.close();
  if (values.out !== undefined) {
    await pipeline(Readable.from(snapshotChunks(session.fleet, account)), createWriteStream(values.out));
  }
  // A reader that leaves early (`| head -1`) ends the output, not the command with a stack trace.
  if (format === 'json') await writeChunks(io.stdout, snapshotChunks(session.fleet, account));
  else if (format !== undefined) await writeChunks(io.stdout, endpointRows(session.fleet, format, filter));
  else await writeChunks(io.stdout, [renderSummary(session.fleet.summary(), account)]);
  const afterUntil = account.rejectedByReason[AFTER_UNTIL] ?? 0;
  io.stderr.write(`${accountingLine(account)}${afterUntil > 0 ? ` (${afterUntil} of them after --until)` : ''}\n`);
  if (account.applied === 0) {
    const why = afterUntil > 0 ? `, ${afterUntil} after --until` : '';
    io.stderr.write(`simfleet: warning: nothing applied: ${account.records} records read, none an applicable emnify event${why} (exit status ${EXIT.NOTHING_APPLIED})\n`);
    return EXIT.NOTHING_APPLIED;
  }
  return values.strict && account.rejected - afterUntil > 0 ? EXIT.REJECTED : EXIT.OK;
}
