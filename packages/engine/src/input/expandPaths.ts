import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../InputError.js';
import { ioErrorText } from '../io/ioErrorText.js';

/** One input to read: a file, or standard input. */
export type InputSource = { readonly kind: 'file'; readonly path: string; readonly size: number } | { readonly kind: 'stdin' };

/** Files a directory contributes: event logs, optionally gzipped. */
const LOG_FILE = /\.(ndjson|jsonl|json)(\.gz)?$/i;

/** Options of `expandPaths`. */
export interface ExpandOptions {
  /**
   * Told about every entry of a directory that looks like a log but is not read: a FIFO,
   * a socket, a device, a broken symbolic link, a loop of symbolic links. Without it,
   * such an entry is an `InputError`: nothing is skipped silently.
   */
  readonly warn?: ((line: string) => void) | undefined;
}

/**
 * Turns command-line paths into the ordered list of inputs: a directory expands to
 * every log file below it (sorted by path, so runs are reproducible), `-` is stdin.
 * A missing path is an input error, never skipped. Symbolic links inside a directory
 * are followed (to files and to directories; a directory reached again through a link
 * is a loop, reported and not read twice); an entry named like a log that is not a
 * regular file (FIFO, socket, device) is reported through `warn` and left out. A path
 * named explicitly is read whatever it is (a FIFO given on purpose streams fine).
 *
 * @example
 * await expandPaths(['examples/data', '-'], { warn: (line) => console.error(line) })
 */
export async function expandPaths(paths: readonly string[], options: ExpandOptions = {}): Promise<InputSource[]> {
  if (paths.length === 0) throw new InputError('no input: give files, directories or - for stdin');
  const report =
    options.warn ??
    ((line: string): never => {
      throw new InputError(line);
    });
  const sources: InputSource[] = [];
  for (const path of paths) {
    if (path === '-') {
      sources.push({ kind: 'stdin' });
      continue;
    }
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(ioErrorText(error, path, 'read'));
    });
    if (info.isDirectory()) {
      const files: InputSource[] = [];
      await listLogFiles(path, new Set([await realpath(path)]), files, report);
      if (files.length === 0) throw new InputError(`directory '${path}' holds no *.ndjson, *.jsonl or *.json files`);
      sources.push(...files.sort((a, b) => (a.kind === 'file' && b.kind === 'file' ? compareText(a.path, b.path) : 0)));
    } else {
      sources.push({ kind: 'file', path, size: info.isFile() ? info.size : 0 });
    }
  }
  return sources;
}

/** Appends the log files below `dir` to `files`; `open` holds the real paths of the directories being walked (loop detection). */
async function listLogFiles(dir: string, open: Set<string>, files: InputSource[], report: (line: string) => void): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw new InputError(ioErrorText(error, dir, 'read'));
  });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    let info = entry.isSymbolicLink() ? await stat(path).catch((error: NodeJS.ErrnoException) => error) : await lstat(path);
    if (info instanceof Error) {
      // ELOOP: a link that points at itself (through others); ENOENT: a dangling link.
      if (LOG_FILE.test(entry.name) || info.code === 'ELOOP') {
        report(`skipped '${path}': ${info.code === 'ELOOP' ? 'a loop of symbolic links' : 'a symbolic link to nothing'}`);
      }
      continue;
    }
    if (info.isDirectory()) {
      const real = await realpath(path);
      if (open.has(real)) {
        report(`skipped '${path}': a symbolic link back to '${real}', which is already being read (a loop)`);
        continue;
      }
      open.add(real);
      await listLogFiles(path, open, files, report);
      open.delete(real);
      continue;
    }
    if (!LOG_FILE.test(entry.name)) continue;
    if (!info.isFile()) {
      report(`skipped '${path}': ${kindOf(info)}, not a regular file (name it on the command line to read it anyway)`);
      continue;
    }
    info = info.isSymbolicLink() ? await stat(path) : info;
    files.push({ kind: 'file', path, size: info.size });
  }
}

function kindOf(info: Awaited<ReturnType<typeof stat>>): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a file';
}

/** Code-unit order: locale-independent, so every machine lists files the same way. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
