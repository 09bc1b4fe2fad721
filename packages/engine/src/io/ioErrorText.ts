/**
 * One line for a failed file operation: which file, what went wrong in words, and what
 * the user can do about it. Users see this instead of a Node stack trace.
 */

/** What the program was doing with the file when it failed. */
export type IoAction = 'read' | 'write';

const WHAT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EEXIST: 'the file already exists',
  EFBIG: 'the file is too large',
  EXDEV: 'the temporary file and the target are on different file systems',
};

const ADVICE: Readonly<Record<string, string>> = {
  ENOENT: 'check the path',
  EACCES: 'check the permissions or choose another path',
  EPERM: 'check the permissions or choose another path',
  EISDIR: 'name a file, not a directory',
  ENOTDIR: 'check the path',
  ENOSPC: 'free some space or choose another file system',
  EDQUOT: 'free some space or choose another file system',
  EROFS: 'choose a path on a writable file system',
  EMFILE: 'raise the open-file limit (ulimit -n)',
  ENFILE: 'close other programs or raise the system limit',
  EIO: 'check the disk',
  ELOOP: 'fix the symbolic links',
  ENAMETOOLONG: 'choose a shorter path',
  EFBIG: 'choose another file system or split the output',
};

/** The errno code of a Node I/O error, if it is one. */
export function ioErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/**
 * `cannot write 'out.json': no space left on the device (ENOSPC): free some space or choose another file system`.
 *
 * @example
 * ioErrorText(Object.assign(new Error('x'), { code: 'EACCES' }), 'log.ndjson', 'read')
 * // "cannot read 'log.ndjson': permission denied (EACCES): check the permissions or choose another path"
 */
export function ioErrorText(error: unknown, path: string, action: IoAction): string {
  const code = ioErrorCode(error);
  if (code === undefined) return `cannot ${action} '${path}': ${error instanceof Error ? error.message : String(error)}`;
  const what = WHAT[code] ?? (error instanceof Error ? error.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '') : code);
  const advice = ADVICE[code];
  return `cannot ${action} '${path}': ${what} (${code})${advice === undefined ? '' : `: ${advice}`}`;
}
