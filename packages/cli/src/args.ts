import { UsageError } from './cliIo.js';

/**
 * Runs a `node:util` parseArgs call, turning its errors into one-line usage errors.
 *
 * @example
 * const { values } = withUsageErrors('replay', () => parseArgs({ args, options, allowPositionals: true }));
 */
export function withUsageErrors<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${command}: ${message.split('\n')[0]}`);
  }
}

/** A positive integer flag value, or a usage error naming the flag. */
export function positiveInteger(flag: string, value: string | undefined, fallback?: number): number {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UsageError(`--${flag} is required`);
  }
  if (!/^\d+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${flag} expects a positive integer, got '${value}'`);
  }
  return Number(value);
}
