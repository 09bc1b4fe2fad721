import { InputError } from '@simfleet/engine';
import { type CliIo, EXIT, UsageError } from './cliIo.js';

const USAGE = `simfleet — emnify connectivity events into the state of every SIM and device

Usage:
  simfleet replay <paths...> [--json] [--out FILE] [--until ISO] [--rejects FILE] [--strict] [--quiet]
                  [--threads N] [--from CHECKPOINT] [--checkpoint FILE] [--checkpoint-every N]
                  [--checkpoint-interval SECONDS] [--pg URL] [--pg-schema NAME]
  simfleet device <endpointId> <paths...> [--until ISO] [--quiet]
  simfleet generate --events N --devices M [--seed S] [--out FILE] [--messy]
  simfleet serve [--port N] [--host H] [--token T] [--from CHECKPOINT]
  simfleet fetch [--api URL] [--app-token TOKEN] [--from ISO] [--until ISO] [--type IDS] [--endpoint ID]
                 (--out FILE | --to URL --token T) [--state FILE] [--follow [--interval SECONDS]]
  simfleet publish <paths...> --nats URL [--partitions N] [--rejects FILE]
  simfleet status --nats URL [--json]
  simfleet worker --nats URL [--pg URL] [--name NAME] [--lease-ttl SECONDS]

Paths are files, directories (every *.ndjson, *.jsonl, *.json and their .gz) or - for stdin.
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
    throw error;
  }
}
