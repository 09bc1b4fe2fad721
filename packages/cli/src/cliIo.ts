/** The process streams a command talks to; tests can pass their own. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

/** Exit statuses: the contract scripts rely on. */
export const EXIT = {
  OK: 0,
  /** Unusable arguments or unreadable input. */
  USAGE: 1,
  /** `--strict` and at least one record was rejected (events after `--until` do not count). */
  REJECTED: 3,
  /** The input held no record that could be applied (an empty file, a README fed by mistake). */
  NOTHING_APPLIED: 4,
} as const;

/** A problem with the command line or the input paths: reported as one line, exit 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
