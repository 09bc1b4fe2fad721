import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../InputError.js';

/** One input to read: a file, or standard input. */
export type InputSource = { readonly kind: 'file'; readonly path: string; readonly size: number } | { readonly kind: 'stdin' };

/** Files a directory contributes: event logs, optionally gzipped. */
const LOG_FILE = /\.(ndjson|jsonl|json)(\.gz)?$/i;

/**
 * Turns command-line paths into the ordered list of inputs: a directory expands to
 * every log file below it (sorted by path, so runs are reproducible), `-` is stdin.
 * A missing path is a usage error, never skipped.
 *
 * @example
 * await expandPaths(['examples/data', '-'])
 */
export async function expandPaths(paths: readonly string[]): Promise<InputSource[]> {
  if (paths.length === 0) throw new InputError('no input: give files, directories or - for stdin');
  const sources: InputSource[] = [];
  for (const path of paths) {
    if (path === '-') {
      sources.push({ kind: 'stdin' });
      continue;
    }
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`cannot read '${path}': ${error.code === 'ENOENT' ? 'no such file or directory' : error.message}`);
    });
    if (info.isDirectory()) {
      const files = await listLogFiles(path);
      if (files.length === 0) throw new InputError(`directory '${path}' holds no *.ndjson, *.jsonl or *.json files`);
      sources.push(...files);
    } else {
      sources.push({ kind: 'file', path, size: info.size });
    }
  }
  return sources;
}

async function listLogFiles(dir: string): Promise<InputSource[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files: InputSource[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !LOG_FILE.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    files.push({ kind: 'file', path, size: (await stat(path)).size });
  }
  return files.sort((a, b) => (a.kind === 'file' && b.kind === 'file' ? compareText(a.path, b.path) : 0));
}

/** Code-unit order: locale-independent, so every machine lists files the same way. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
