import { InputError } from '@simfleet/engine';
import { ClusterError } from './ClusterError.js';
import type { CommandIo } from './CommandIo.js';

/** Exit statuses of the cluster commands (the CLI's contract). */
export const EXIT = { OK: 0, USAGE: 1 } as const;

/**
 * Runs a command body, turning the errors a user can act on (bad arguments, unreadable input,
 * an unreachable NATS server) into one line on stderr and exit status 1.
 *
 * @example
 * return runCommand('publish', io, async () => { … return EXIT.OK; });
 */
export async function runCommand(command: string, io: CommandIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ClusterError || error instanceof InputError) {
      io.stderr.write(`simfleet ${command}: ${error.message}\n`);
      return EXIT.USAGE;
    }
    throw error;
  }
}

/**
 * A `node:util` parseArgs call whose errors become one-line {@link ClusterError}s.
 *
 * @example
 * const { values } = parseOrFail(() => parseArgs({ args, options }));
 */
export function parseOrFail<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new ClusterError((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'bad arguments');
  }
}

/**
 * A positive integer flag, or a {@link ClusterError} naming the flag.
 *
 * @example
 * positiveIntegerFlag('partitions', '16') // 16
 */
export function positiveIntegerFlag(flag: string, value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number <= 0 || !Number.isSafeInteger(number)) {
    throw new ClusterError(`--${flag} expects a positive integer, got '${value}'`);
  }
  return number;
}

/**
 * The `--nats` URL, required by every cluster command.
 *
 * @example
 * natsUrlFlag('nats://127.0.0.1:4222')
 */
export function natsUrlFlag(value: string | undefined): string {
  if (value === undefined || value === '') throw new ClusterError('--nats URL is required (for example --nats nats://127.0.0.1:4222)');
  return value;
}
