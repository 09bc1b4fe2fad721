import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cliIo.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs with errors turned into one-line usage errors.
 *
 * @example
 * const { values, positionals } = parseCommandArgs('replay', argv, { json: { type: 'boolean' } });
 */
export function parseCommandArgs<const O extends Options>(command: string, argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
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
