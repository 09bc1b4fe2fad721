/**
 * Output paths are checked against the inputs and each other before anything is opened:
 * `--rejects log.ndjson` must never empty the log it is about to read, and two outputs
 * must never write over each other. Paths are compared by what they resolve to (the
 * same file through `./`, `..`, a symbolic link or a hard link is the same file).
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../cliIo.js';

/** A path and the flag that named it, for messages (`--out`, `input`). */
export interface NamedPath {
  readonly flag: string;
  readonly path: string;
}

/**
 * What a path resolves to: `dev:ino` of an existing file, else the real path of its
 * directory joined with its name (a file that does not exist yet).
 */
async function identity(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (info !== undefined) return `inode ${info.dev}:${info.ino}`;
  const full = resolve(path);
  const directory = await realpath(dirname(full)).catch(() => dirname(full));
  return `path ${join(directory, basename(full))}`;
}

/**
 * Refuses (a usage error, exit 1) an output that is an input, or the same file as
 * another output. `allowed` pairs of flags may share a file (`--from` and
 * `--checkpoint`: a checkpoint is read whole before it is replaced, atomically).
 *
 * @example
 * await refuseClashes([{ flag: 'input', path: 'log.ndjson' }], [{ flag: '--rejects', path: 'log.ndjson' }]);
 * // UsageError: --rejects log.ndjson is the input 'log.ndjson': writing it would destroy it …
 */
export async function refuseClashes(
  inputs: readonly NamedPath[],
  outputs: readonly NamedPath[],
  allowed: readonly (readonly [string, string])[] = [],
): Promise<void> {
  const inputIds = await Promise.all(inputs.map((p) => identity(p.path)));
  const outputIds = await Promise.all(outputs.map((p) => identity(p.path)));
  const mayShare = (a: string, b: string): boolean => allowed.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  for (const [i, out] of outputs.entries()) {
    const id = outputIds[i];
    const input = inputs.findIndex((p, k) => inputIds[k] === id && !mayShare(p.flag, out.flag));
    if (input !== -1) {
      const what = inputs[input]!.flag === 'input' ? `the input '${inputs[input]!.path}'` : `the file of ${inputs[input]!.flag} ${inputs[input]!.path}`;
      throw new UsageError(`${out.flag} ${out.path} is ${what}: writing it would destroy it; choose another path`);
    }
    const other = outputs.findIndex((_p, k) => k < i && outputIds[k] === id);
    if (other !== -1) {
      throw new UsageError(`${out.flag} ${out.path} is the same file as ${outputs[other]!.flag} ${outputs[other]!.path}: give each output its own path`);
    }
  }
}
