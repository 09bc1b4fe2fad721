/** Why a source stopped with an error of its own (I/O errors are passed through as they are). */
export type SourceErrorCode = 'line_too_long';

/**
 * An error raised by a simfleet source, with a stable code and the line it concerns.
 *
 * @example
 * source$.subscribe({ error: (e) => { if (e instanceof SourceError && e.code === 'line_too_long') … } })
 */
export class SourceError extends Error {
  readonly code: SourceErrorCode;
  /** 1-based line number in the source. */
  readonly line: number;

  constructor(code: SourceErrorCode, line: number, message: string) {
    super(message);
    this.name = 'SourceError';
    this.code = code;
    this.line = line;
  }
}
