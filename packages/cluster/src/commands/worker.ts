import { parseArgs } from 'node:util';
import { ClusterError } from './ClusterError.js';
import type { CommandIo } from './CommandIo.js';
import { EXIT, natsUrlFlag, parseOrFail, positiveIntegerFlag, runCommand } from './runCommand.js';

const HELP = `simfleet worker --nats URL [--pg URL] [--name NAME] [--lease-ttl SECONDS]

Joins the workers that share the event stream's partitions (each owned by exactly one live
worker, by KV leases), consumes each owned partition with a durable pull consumer and applies
it through the engine (replay's semantics), storing each partition's position with its state.
Waits for the stream when started before it exists. SIGTERM hands the partitions over cleanly.

Options:
  --nats URL           the NATS server
  --pg URL             PostgreSQL for the fleet tables (not available in this build)
  --name NAME          unique worker name (default <host>-<pid>)
  --lease-ttl SECONDS  lease TTL when the lease bucket is created (default 10)`;

/**
 * `simfleet worker`: one member of the cluster.
 *
 * @example
 * process.exitCode = await runWorkerCommand(['--nats', 'nats://127.0.0.1:4222', '--name', 'w1'], process);
 */
export function runWorkerCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  return runCommand('worker', io, async () => {
    const { values } = parseOrFail(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          nats: { type: 'string' },
          pg: { type: 'string' },
          name: { type: 'string' },
          'lease-ttl': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }),
    );
    if (values.help) {
      io.stdout.write(`${HELP}\n`);
      return EXIT.OK;
    }
    const url = natsUrlFlag(values.nats);
    if (values.pg !== undefined) {
      throw new ClusterError('--pg: the PostgreSQL partition store is not part of this build yet; run without --pg (positions in NATS KV, state rebuilt from the stream)');
    }
    const leaseTtlMs = values['lease-ttl'] === undefined ? undefined : positiveIntegerFlag('lease-ttl', values['lease-ttl']) * 1000;
    const { runWorker } = await import('../worker/runWorker.js');
    const stopSignal = new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    await runWorker({
      url,
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(leaseTtlMs === undefined ? {} : { leaseTtlMs }),
      log: (line) => io.stderr.write(`${new Date().toISOString()} ${line}\n`),
      stopSignal,
    });
    return EXIT.OK;
  });
}
