import { UsageError } from './cliIo.js';

/**
 * Runs a `node:util` parseArgs call, turning its errors into one-line usage errors that
 * say what was wrong in simfleet's words (parseArgs' own messages suggest `--` quoting and
 * leave a quote unbalanced).
 *
 * @example
 * const { values } = withUsageErrors('replay', () => parseArgs({ args, options, allowPositionals: true }), args);
 */
export function withUsageErrors<T>(command: string, parse: () => T, args: readonly string[] = []): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(`${command}: ${parseArgsMessage(command, error, args)}`);
  }
}

/**
 * One line for a parseArgs error: unknown options, missing values and values that start
 * with `-` (parseArgs calls `--events -5` "ambiguous").
 *
 * @example
 * parseArgsMessage('replay', unknownOptionError, ['--jsn']) // "unknown option '--jsn' (see 'simfleet replay --help')"
 */
export function parseArgsMessage(command: string, error: unknown, args: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /^Unknown option '([^']+)'/.exec(message)?.[1] ?? 'option';
    return `unknown option '${option}' (see 'simfleet ${command} --help')`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /^Option '(?:-\w, )?(--[\w-]+)/.exec(message)?.[1];
    if (flag !== undefined) {
      const value = args[args.indexOf(flag) + 1];
      if (/argument is ambiguous/.test(message) && value !== undefined) {
        return /^-\d/.test(value)
          ? `${flag} does not take negative numbers, got '${value}'`
          : `${flag} expects a value, got the option '${value}' (write ${flag}=${value} if that is the value)`;
      }
      if (/argument missing/.test(message)) return `${flag} expects a value`;
      if (/does not take an argument/.test(message)) return `${flag} is a switch and takes no value`;
    }
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const arg = /^Unexpected argument '([^']*)'/.exec(message)?.[1];
    if (arg !== undefined) return `unexpected argument '${arg}' (this command takes options only)`;
  }
  return message.split('\n')[0] ?? message;
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
