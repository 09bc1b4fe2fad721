import { parseArgs } from 'node:util';
import { ClusterError } from './ClusterError.js';
import type { CommandIo } from './CommandIo.js';
import type { PartitionStore } from '../engine/PartitionStore.js';
import { EXIT, natsUrlFlag, parseOrFail, positiveIntegerFlag, runCommand } from './runCommand.js';

const HELP = `simfleet worker --nats URL [--pg URL] [--pg-schema NAME] [--name NAME] [--lease-ttl SECONDS]

Joins the workers that share the event stream's partitions (each owned by exactly one live
worker, by KV leases), consumes each owned partition with a durable pull consumer and applies
it through the engine (replay's semantics), storing each partition's position with its state.
Waits for the stream when started before it exists. SIGTERM hands the partitions over cleanly.

Options:
  --nats URL           the NATS server
  --pg URL             keep the fleet tables in PostgreSQL: each partition's rows and its
                       position in one transaction (default: positions in NATS KV, no tables)
  --pg-schema NAME     schema of the tables (default simfleet; created and migrated)
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
          'pg-schema': { type: 'string' },
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
    if (values['pg-schema'] !== undefined && values.pg === undefined) throw new ClusterError('--pg-schema needs --pg URL');
    const leaseTtlMs = values['lease-ttl'] === undefined ? undefined : positiveIntegerFlag('lease-ttl', values['lease-ttl']) * 1000;
    const { runWorker } = await import('../worker/runWorker.js');
    // Opened before joining: bad credentials or a missing database cost one line, no partition.
    const pg = values.pg === undefined ? undefined : await openPartitionStore(values.pg, values['pg-schema']);
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
      ...(pg === undefined ? {} : { store: pg.store }),
    }).finally(() => pg?.close());
    return EXIT.OK;
  });
}

/** The PostgreSQL partition store of `--pg`, its database opened (errors: one line). */
async function openPartitionStore(
  url: string,
  schema: string | undefined,
): Promise<{ store: (partitions: number) => PartitionStore; close: () => Promise<void> }> {
  const { FleetDatabase, PgFleetError } = await import('@simfleet/postgres');
  const { PgPartitionStore } = await import('../engine/PgPartitionStore.js');
  const open = () => FleetDatabase.open(url, schema === undefined ? {} : { schema });
  let db: Awaited<ReturnType<typeof open>>;
  try {
    db = await open();
  } catch (error) {
    if (error instanceof PgFleetError) throw new ClusterError(`--pg: ${error.message}`);
    throw error;
  }
  let store: InstanceType<typeof PgPartitionStore> | undefined;
  return {
    store: (partitions) => {
      store = new PgPartitionStore(db, open, partitions);
      return store;
    },
    close: async () => {
      if (store !== undefined) await store.close();
      else await db.close().catch(() => {});
    },
  };
}
