import type { JournalPosition } from './JournalPosition.js';

/**
 * What went wrong, as a stable code:
 * - `disk_full` (ENOSPC, EDQUOT), `read_only` (EROFS), `permission_denied` (EACCES, EPERM),
 *   `io_error` (anything else the file system reported): nothing of the failed append is
 *   acknowledged; the journal stays usable and a later append tries again;
 * - `corrupt`: a frame before the journal's tail fails its checksum (the position says where);
 * - `not_a_journal`: a segment file does not start with the journal's header;
 * - `closed`: the journal was closed.
 */
export type JournalErrorCode = 'disk_full' | 'read_only' | 'permission_denied' | 'io_error' | 'corrupt' | 'not_a_journal' | 'closed';

/**
 * The one error class of the journal: a code, the file it concerns, the position where
 * known, and the operating system's errno code (`ENOSPC`) where there was one.
 *
 * @example
 * try { await journal.append(records); } catch (err) {
 *   if (err instanceof JournalError && err.retryable) reply(503, { 'retry-after': '5' });
 * }
 */
export class JournalError extends Error {
  override readonly name = 'JournalError';
  readonly code: JournalErrorCode;
  readonly path: string;
  readonly position: JournalPosition | null;
  readonly errno: string | null;

  constructor(code: JournalErrorCode, message: string, details: { path: string; position?: JournalPosition | null; errno?: string | null; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.path = details.path;
    this.position = details.position ?? null;
    this.errno = details.errno ?? null;
  }

  /** True when the storage refused the write (full, read-only, denied, I/O): sending again later may work. */
  get retryable(): boolean {
    return this.code === 'disk_full' || this.code === 'read_only' || this.code === 'permission_denied' || this.code === 'io_error';
  }
}

/**
 * Turns a Node file-system error into a `JournalError` saying what was being done where.
 *
 * @example
 * journalErrorFrom(err, 'cannot write', '/data/journal/0000000000000001.wal')
 */
export function journalErrorFrom(err: unknown, doing: string, path: string): JournalError {
  if (err instanceof JournalError) return err;
  const errno = typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : null;
  const code: JournalErrorCode =
    errno === 'ENOSPC' || errno === 'EDQUOT'
      ? 'disk_full'
      : errno === 'EROFS'
        ? 'read_only'
        : errno === 'EACCES' || errno === 'EPERM'
          ? 'permission_denied'
          : 'io_error';
  const why =
    code === 'disk_full'
      ? 'the disk is full'
      : code === 'read_only'
        ? 'the file system is read-only'
        : code === 'permission_denied'
          ? 'permission denied'
          : ((err as Error | undefined)?.message ?? String(err));
  return new JournalError(code, `journal: ${doing} ${path}: ${why}${errno === null || code === 'io_error' ? '' : ` (${errno})`}`, { path, errno, cause: err });
}
