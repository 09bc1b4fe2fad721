import type { ReplayCheckpoints } from '../checkpoint/ReplayCheckpoints.js';
import { InputError } from '../InputError.js';
import type { InputSource } from '../input/expandPaths.js';
import { CorruptInputError, detectFormat, readInputChunks, recordsFromChunks } from '../input/readRecords.js';
import { ioErrorCode, ioErrorText } from '../io/ioErrorText.js';
import { MAX_RANGE_BYTES, MIN_PARALLEL_BYTES, ReplayWorkers, replayFileInParallel } from './ParallelReplay.js';
import { openPlainNdjson, readPlainNdjson } from './plainNdjson.js';
import { type ReplayAccount, type ReplayOptions, ReplaySession } from './ReplaySession.js';

export interface ReplayRun {
  readonly session: ReplaySession;
  readonly account: ReplayAccount;
}

/** Where a replay reports how far it got (a progress bar, a log line). */
export interface ReplayProgress {
  /**
   * Records read so far, input bytes consumed so far (compressed, as the files' sizes
   * count them) and, when it differs, the bytes they decompressed to.
   */
  update(records: number, bytes: number, decompressed?: number): void;
  /** Reading is over (the events are being applied). */
  done(): void;
}

/** Options of `replaySources`: the replay's own (`ReplayOptions`) and how to read. */
export interface ReplaySourcesOptions extends ReplayOptions {
  /** What `-` reads (default: the process's stdin). */
  readonly stdin?: NodeJS.ReadableStream | undefined;
  /** Called once with the total input size (null when a source has none, like stdin). */
  readonly progress?: ((totalBytes: number | null) => ReplayProgress) | undefined;
  /** Threads for big NDJSON files: the main thread and `threads - 1` workers (default 1: the main thread alone). */
  readonly threads?: number | undefined;
  /** Bytes of a file per window of ranges the threads share (default `MAX_RANGE_BYTES`; a range is at most `JOB_BYTES`). */
  readonly rangeBytes?: number | undefined;
  /** Resume from / write checkpoints (checkpoint/ReplayCheckpoints.ts). */
  readonly checkpoints?: ReplayCheckpoints | undefined;
  /** Longest record in bytes (default 16 MiB); a longer one is rejected as `line_too_long`, streamed past. */
  readonly maxLineBytes?: number | undefined;
}

const NO_PROGRESS: ReplayProgress = { update() {}, done() {} };

/**
 * Replays files, directories' files and stdin (`expandPaths`) into fleet state: every
 * record is read into a replay session (NDJSON files above a size on worker threads),
 * then the events are deduplicated and applied in (time, id) order. Rejected records
 * reach `onReject` as they are found.
 *
 * @example
 * const { session, account } = await replaySources(await expandPaths(['logs/']), { threads: 2 });
 * session.fleet.readEndpoint(11089066)?.status; // 'ONLINE'
 * accountingLine(account); // 'records 30018 = applied 30018 + duplicates 0 + rejected 0'
 */
export async function replaySources(sources: readonly InputSource[], options: ReplaySourcesOptions = {}): Promise<ReplayRun> {
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  // The main thread decodes too: `threads` participants are the main thread and threads - 1 workers.
  // Started first, so that their start-up (loading modules, compiling WebAssembly) overlaps the session's.
  const workers = threads > 1 && sources.some((s) => s.kind === 'file' && s.size >= MIN_PARALLEL_BYTES) ? new ReplayWorkers(threads - 1) : undefined;
  workers?.warm();
  const checkpoints = options.checkpoints;
  let session: ReplaySession;
  try {
    session = new ReplaySession({ ...options, pool: checkpoints?.pool });
    checkpoints?.resume(session);
  } catch (error) {
    await workers?.close();
    throw error;
  }
  const totalBytes = sources.every((s) => s.kind === 'file') ? sources.reduce((sum, s) => sum + (s.kind === 'file' ? s.size : 0), 0) : null;
  const progress = options.progress?.(totalBytes) ?? NO_PROGRESS;
  let bytes = 0;
  let records = 0;
  const maxLineBytes = options.maxLineBytes;
  const rangeOptions = { until: options.until, watchEndpoint: options.watchEndpoint, maxLineBytes };
  let decompressed = 0;
  try {
    for (const source of sources) {
      const name = source.kind === 'stdin' ? '-' : source.path;
      // Units (NDJSON lines, array elements) of this input already in the resumed checkpoint.
      const skip = checkpoints?.skipOf(source) ?? 0;
      if (skip === Number.POSITIVE_INFINITY) continue;
      if (workers !== undefined && source.kind === 'file' && source.size >= MIN_PARALLEL_BYTES && skip === 0) {
        let linesRead = 0;
        const done = await replayFileInParallel(
          session,
          workers,
          source.path,
          source.size,
          rangeOptions,
          options.rangeBytes ?? MAX_RANGE_BYTES,
          (r, b) => {
            records += r;
            bytes += b;
            decompressed += b;
            progress.update(records, bytes, decompressed);
          },
          async (lines) => {
            linesRead = lines;
            // A periodic checkpoint may fall between two ranges: it holds the file's first `lines` lines.
            if (checkpoints !== undefined) await checkpoints.reached(session, source, lines, records);
          },
        ).catch((error: unknown) => {
          throw ioErrorCode(error) === undefined ? error : new InputError(ioErrorText(error, name, 'read'));
        });
        if (done) {
          checkpoints?.completed(source, linesRead);
          continue;
        }
      }
      if (source.kind === 'file') {
        // Plain NDJSON: read straight into the decoder's memory (gzip and arrays take the stream route below).
        const handle = await openPlainNdjson(source.path).catch((error: unknown) => {
          throw ioErrorCode(error) === undefined ? error : new InputError(ioErrorText(error, name, 'read'));
        });
        if (handle !== undefined) {
          const lines = session.wasmLines(name, { skip, atInputStart: true, maxLineBytes });
          let counted = 0;
          let fileBytes = 0;
          try {
            await readPlainNdjson(handle, lines, async (n) => {
              // After the first chunk, room for the rows the rest of the file holds at this rate.
              if (fileBytes === 0 && skip === 0) session.expectRows(((source.size - n) * (lines.nextLine - 1)) / n);
              fileBytes += n;
              bytes += n;
              decompressed += n;
              // Lines the checkpoint holds are passed over, not counted as this run's records.
              records += lines.taken - counted;
              counted = lines.taken;
              progress.update(records, bytes, decompressed);
              if (checkpoints !== undefined) await checkpoints.reached(session, source, lines.nextLine - 1, records);
            });
          } catch (error) {
            throw ioErrorCode(error) === undefined ? error : new InputError(ioErrorText(error, name, 'read'));
          } finally {
            await handle.close();
          }
          checkpoints?.completed(source, lines.nextLine - 1);
          continue;
        }
      }
      const onBytes = (n: number): void => {
        bytes += n;
      };
      // Units (lines or elements) of this input read so far: where a corrupt rest starts.
      let position = 0;
      try {
        const { format, chunks } = await detectFormat(readInputChunks(source, options.stdin ?? process.stdin, onBytes));
        if (format === 'array') {
          let element = 0;
          for await (const record of recordsFromChunks(chunks, { maxLineBytes })) {
            position = record.line;
            if (++element <= skip) continue;
            session.ingest(record, name);
            records++;
            if ((records & 0x3ff) === 0) progress.update(records, bytes, decompressed);
            if (checkpoints !== undefined) await checkpoints.reached(session, source, element, records);
          }
          checkpoints?.completed(source, element);
          continue;
        }
        // NDJSON (or blank): bytes to the WebAssembly decoder, one call per chunk, no string per line.
        const lines = session.wasmLines(name, { skip, atInputStart: true, maxLineBytes });
        try {
          for await (const chunk of chunks) {
            // Lines the checkpoint holds are passed over, not counted as this run's records.
            const before = lines.taken;
            decompressed += chunk.length;
            lines.push(chunk);
            records += lines.taken - before;
            progress.update(records, bytes, decompressed);
            if (checkpoints !== undefined) await checkpoints.reached(session, source, lines.nextLine - 1, records);
          }
        } finally {
          position = lines.nextLine;
        }
        lines.end();
        checkpoints?.completed(source, lines.nextLine - 1);
      } catch (error) {
        if (error instanceof CorruptInputError) {
          // What was decompressed is kept; the rest is one rejected range, reported once.
          session.ingest(
            {
              text: '',
              line: position,
              code: 'corrupt_input',
              framingError: `${error.message}: the records before line ${position} are kept, the rest of the file is not read (restore the file or re-export it)`,
            },
            name,
          );
          records++;
          checkpoints?.completed(source, position);
          continue;
        }
        if (ioErrorCode(error) !== undefined) throw new InputError(ioErrorText(error, name, 'read'));
        throw error;
      }
    }
  } catch (error) {
    // Spilled rows (if any) are of no use to anyone now.
    session.dispose();
    throw error;
  } finally {
    await workers?.close();
  }
  progress.done();
  await checkpoints?.final(session);
  const account = session.finish();
  return { session, account };
}

/** The accounting line: every record is applied, a duplicate, or rejected. */
export function accountingLine(account: ReplayAccount): string {
  return `records ${account.records} = applied ${account.applied} + duplicates ${account.duplicates} + rejected ${account.rejected}`;
}
