import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stringifyJson } from '@simfleet/core';
import type { Rejection } from '@simfleet/engine';

/** Where `--rejects FILE` writes: one `{"file","line","reason","raw","code"}` line per rejected record. */
export interface RejectsFile {
  readonly onReject: (rejection: Rejection) => void;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

/**
 * Opens the rejects file (before any record is read, so a bad path fails first).
 *
 * @example
 * const rejects = await openRejectsFile('rejects.ndjson');
 * await replaySources(sources, { onReject: rejects.onReject });
 * await rejects.close();
 */
export async function openRejectsFile(path: string): Promise<RejectsFile> {
  const out = createWriteStream(path);
  await once(out, 'open');
  return {
    onReject: (r) => {
      out.write(`${stringifyJson({ file: r.file, line: r.line, reason: r.reason, raw: r.raw, code: r.code })}\n`);
    },
    async close() {
      out.end();
      await once(out, 'finish');
    },
  };
}
