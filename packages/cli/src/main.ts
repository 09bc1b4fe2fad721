import { InputError, ioErrorCode } from '@simfleet/engine';
import { type CliIo, EXIT, UsageError } from './cliIo.js';
import { cliVersion } from './version.js';

const USAGE = `simfleet — emnify connectivity events into the state of every SIM and device

Usage:
  simfleet replay <paths...> [--json | --format json|ndjson|csv|table] [--status S] [--organisation ID]
                  [--operator NAME] [--country CC] [--out FILE] [--until TIME] [--rejects FILE]
                  [--strict] [--quiet] [--threads N] [--range-bytes N] [--max-rows N] [--max-line-bytes N]
                  [--from CHECKPOINT] [--checkpoint FILE] [--checkpoint-every N]
                  [--checkpoint-interval SECONDS] [--pg URL] [--pg-schema NAME]
  simfleet device <endpointId> <paths...> [--json] [--until TIME] [--quiet]
  simfleet generate --events N --devices M [--seed S] [--organisations K] [--out FILE] [--messy]
  simfleet serve [--port N] [--host H] [--token T] [--from CHECKPOINT] [--data-dir DIR | --checkpoint FILE]
                 [--checkpoint-every N] [--checkpoint-interval SECONDS]
                 [--reorder-horizon DURATION] [--max-clock-skew DURATION] [--pg URL] [--pg-schema NAME]
                 [--nats URL [--partitions N]]
  simfleet fetch [--api URL] [--app-token TOKEN] [--from ISO] [--until ISO] [--type IDS] [--endpoint ID]
                 (--out FILE | --to URL --token T) [--state FILE] [--follow [--interval SECONDS]]
                 [--rejects FILE] [--strict] [--quiet]
  simfleet publish <paths...> --nats URL [--partitions N] [--rejects FILE]
  simfleet status --nats URL [--json]
  simfleet worker --nats URL [--pg URL] [--name NAME] [--lease-ttl SECONDS]
  simfleet --version | --help

Paths are files, directories (every *.ndjson, *.jsonl, *.json and their .gz) or - for stdin.
TIME is 2021-10-27 (midnight UTC) or an ISO-8601 time; a time without a zone is UTC.
Exit status: 0 ok, 1 unusable arguments or input, 3 rejected records under --strict,
4 nothing applied (replay).
Run 'simfleet <command> --help' for a command's options.`;

/**
 * Runs one simfleet command and resolves to its exit status.
 *
 * @example
 * process.exitCode = await main(['replay', 'examples/data', '--json'], process);
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // Each command is loaded when run: loading all of them (the server, RxJS, the replay
    // machinery) cost ~0.25 s of start-up, a tenth of a million-event `generate`.
    switch (command) {
      case 'replay':
        return await (await import('./commands/replay.js')).runReplay(rest, io);
      case 'device':
        return await (await import('./commands/device.js')).runDevice(rest, io);
      case 'generate':
        return await (await import('./commands/generate.js')).runGenerate(rest, io);
      case 'serve':
        return await (await import('./commands/serve.js')).runServeCommand(rest, io);
      case 'fetch':
        return await (await import('./commands/fetch.js')).runFetch(rest, io);
      case 'publish':
        return await (await import('@simfleet/cluster')).runPublish(rest, io);
      case 'status':
        return await (await import('@simfleet/cluster')).runStatus(rest, io);
      case 'worker':
        return await (await import('@simfleet/cluster')).runWorkerCommand(rest, io);
      case '--version':
      case '-V':
      case 'version':
        io.stdout.write(`simfleet ${cliVersion()}\n`);
        return EXIT.OK;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT.USAGE : EXIT.OK;
      default:
        throw new UsageError(`unknown command '${command}' (expected replay, device, generate, serve or fetch)`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) {
      io.stderr.write(`simfleet: ${error.message}\n`);
      return EXIT.USAGE;
    }
    // An I/O failure nobody described (a disk that fails mid-run): still one line, no stack trace.
    if (ioErrorCode(error) !== undefined) {
      const e = error as NodeJS.ErrnoException;
      io.stderr.write(`simfleet: ${e.path === undefined ? '' : `'${e.path}': `}${e.message.replace(/^\w+: /, '')}\n`);
      return EXIT.USAGE;
    }
    throw error;
  }
}
