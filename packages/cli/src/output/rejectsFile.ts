import { stringifyJson } from '@simfleet/core';
import type { Rejection } from '@simfleet/engine';
import { AtomicOutput } from './AtomicOutput.js';

/** Where `--rejects FILE` writes: one `{"file","line","reason","raw","code"}` line per rejected record. */
export interface RejectsFile {
  readonly onReject: (rejection: Rejection) => void;
  /** Writes the rest and puts the file in place (atomically); a usage error naming the file when that fails. */
  close(): Promise<void>;
  /** Removes what was written (the replay failed): the target is left as it was. */
  abort(): Promise<void>;
}

/**
 * Opens the rejects file (its temporary file, before any record is read, so an unwritable
 * directory fails first). The file appears, complete, when `close` resolves.
 *
 * @example
 * const rejects = await openRejectsFile('rejects.ndjson');
 * await replaySources(sources, { onReject: rejects.onReject });
 * await rejects.close();
 */
export async function openRejectsFile(path: string): Promise<RejectsFile> {
  const out = await AtomicOutput.open(path);
  return {
    onReject: (r) => {
      out.append(`${stringifyJson({ file: r.file, line: r.line, reason: r.reason, raw: r.raw, code: r.code })}\n`);
    },
    close: () => out.commit(),
    abort: () => out.abort(),
  };
}
