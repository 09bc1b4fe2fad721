import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { toJsonText } from '@simfleet/core';
import type { CliIo } from '../cliIo.js';
import { type InputSource } from '../input/expandPaths.js';
import { readRecords } from '../input/readRecords.js';
import { createProgress } from '../output/progress.js';
import { type ReplayAccount, type ReplayOptions, ReplaySession } from './ReplaySession.js';

export interface ReplayRun {
  readonly session: ReplaySession;
  readonly account: ReplayAccount;
}

/**
 * Reads every input into a replay session (with progress on a terminal and rejects
 * streamed to `rejectsPath`), then applies the events.
 */
export async function runReplayOver(
  sources: readonly InputSource[],
  io: CliIo,
  options: ReplayOptions & { readonly quiet: boolean; readonly rejectsPath?: string | undefined },
): Promise<ReplayRun> {
  let rejectsOut: WriteStream | undefined;
  if (options.rejectsPath !== undefined) {
    rejectsOut = createWriteStream(options.rejectsPath);
    await once(rejectsOut, 'open');
  }
  const session = new ReplaySession({
    ...options,
    onReject: (r) => {
      rejectsOut?.write(`${toJsonText({ file: r.file, line: r.line, reason: r.reason, raw: r.raw, code: r.code })}\n`);
      options.onReject?.(r);
    },
  });
  const totalBytes = sources.every((s) => s.kind === 'file') ? sources.reduce((sum, s) => sum + (s.kind === 'file' ? s.size : 0), 0) : null;
  const progress = createProgress(io.stderr, { quiet: options.quiet, totalBytes });
  let bytes = 0;
  let records = 0;
  for (const source of sources) {
    const name = source.kind === 'stdin' ? '-' : source.path;
    const onBytes = (n: number): void => {
      bytes += n;
    };
    for await (const record of readRecords(source, io.stdin, onBytes)) {
      session.ingest(record, name);
      records++;
      if ((records & 0x3ff) === 0) progress.update(records, bytes);
    }
  }
  progress.done();
  const account = session.finish();
  if (rejectsOut !== undefined) {
    rejectsOut.end();
    await once(rejectsOut, 'finish');
  }
  return { session, account };
}

/** The accounting line: every record is applied, a duplicate, or rejected. */
export function accountingLine(account: ReplayAccount): string {
  return `records ${account.records} = applied ${account.applied} + duplicates ${account.duplicates} + rejected ${account.rejected}`;
}
