import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectNats } from '../nats/connectNats.js';
import { readClusterStatus, renderClusterStatus } from '../status/clusterStatus.js';
import type { CommandIo } from './CommandIo.js';
import { EXIT, natsUrlFlag, parseOrFail, runCommand } from './runCommand.js';

const HELP = `simfleet status --nats URL [--json]

The cluster at a glance: the event stream's partitions, which live worker owns each, its lag
(messages not yet processed), messages stored and the last checkpoint (stream sequence it
covers, when, by whom). --json prints the same as one JSON object.`;

/**
 * `simfleet status`: partitions, owners, lag and last checkpoint.
 *
 * @example
 * process.exitCode = await runStatus(['--nats', 'nats://127.0.0.1:4222'], process);
 */
export function runStatus(argv: readonly string[], io: CommandIo): Promise<number> {
  return runCommand('status', io, async () => {
    const { values } = parseOrFail(() =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: { nats: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      }),
    );
    if (values.help) {
      io.stdout.write(`${HELP}\n`);
      return EXIT.OK;
    }
    const nc = await connectNats(natsUrlFlag(values.nats));
    try {
      const status = await readClusterStatus(nc, await jetstreamManager(nc));
      io.stdout.write(values.json ? `${JSON.stringify(status)}\n` : renderClusterStatus(status));
      return EXIT.OK;
    } finally {
      await nc.close();
    }
  });
}
