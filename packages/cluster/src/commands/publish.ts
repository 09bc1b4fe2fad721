import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { expandPaths, readRecords } from '@simfleet/engine';
import { connectNats } from '../nats/connectNats.js';
import { type PublishAccount, type PublishRejection, type SourcedRecord, publishRecords } from '../publish/publishRecords.js';
import { ensureEventStream } from '../stream/ensureEventStream.js';
import { DEFAULT_PARTITIONS, EVENT_STREAM } from '../stream/eventStream.js';
import { ClusterError } from './ClusterError.js';
import type { CommandIo } from './CommandIo.js';
import { EXIT, natsUrlFlag, parseOrFail, positiveIntegerFlag, runCommand } from './runCommand.js';

const HELP = `simfleet publish <paths...> --nats URL [--partitions N] [--rejects FILE]

Publishes the records of event logs (the inputs replay reads: files, directories, - for stdin)
into the JetStream stream ${EVENT_STREAM}, created on first use with N partitions (default
${DEFAULT_PARTITIONS}; an existing stream keeps its count). A record goes to the partition of its
endpoint id; records without an endpoint go to every partition. Waits for JetStream's ack of
every message. Safe to re-run: records already in the stream are dropped as duplicates.

Options:
  --nats URL        the NATS server (nats://host:port)
  --partitions N    partition count of a new stream (must match an existing one)
  --rejects FILE    every record not published as NDJSON {"file","line","code","reason","raw"}

Exit status: 0 every record accounted for, 1 unusable arguments, input or server.`;

/** Rejections shown on stderr when no --rejects file keeps them all. */
const SHOWN_REJECTIONS = 10;

/**
 * `simfleet publish`: event logs into the partitioned event stream.
 *
 * @example
 * process.exitCode = await runPublish(['logs/', '--nats', 'nats://127.0.0.1:4222'], process);
 */
export function runPublish(argv: readonly string[], io: CommandIo): Promise<number> {
  return runCommand('publish', io, async () => {
    const { values, positionals } = parseOrFail(() =>
      parseArgs({
        args: [...argv],
        allowPositionals: true,
        strict: true,
        options: {
          nats: { type: 'string' },
          partitions: { type: 'string' },
          rejects: { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }),
    );
    if (values.help) {
      io.stdout.write(`${HELP}\n`);
      return EXIT.OK;
    }
    const url = natsUrlFlag(values.nats);
    const partitions = values.partitions === undefined ? undefined : positiveIntegerFlag('partitions', values.partitions);
    const sources = await expandPaths(positionals);
    const nc = await connectNats(url);
    const rejectsFile = values.rejects === undefined ? undefined : createWriteStream(values.rejects);
    let shown = 0;
    const onReject = (rejection: PublishRejection): void => {
      if (rejectsFile !== undefined) {
        rejectsFile.write(`${JSON.stringify(rejection)}\n`);
      } else if (shown < SHOWN_REJECTIONS) {
        shown += 1;
        io.stderr.write(`rejected ${rejection.file}:${rejection.line}: ${rejection.code}: ${rejection.reason}\n`);
      }
    };
    try {
      const count = await ensureEventStream(await jetstreamManager(nc), partitions, DEFAULT_PARTITIONS);
      const account = await publishRecords(jetstream(nc), recordsOf(sources, io.stdin), { partitions: count, onReject });
      if (rejectsFile === undefined && account.rejected > shown) {
        io.stderr.write(`… ${account.rejected - shown} more rejected records (--rejects FILE keeps them all)\n`);
      }
      io.stdout.write(`${publishSummary(account, count)}\n`);
      return EXIT.OK;
    } finally {
      if (rejectsFile !== undefined) await new Promise<void>((resolve) => rejectsFile.end(resolve));
      await nc.close();
    }
  });
}

/**
 * The one-line account of a publish run.
 *
 * @example
 * publishSummary(account, 16) // 'records 1000 = published 998 + rejected 2; 1012 messages to 16 partitions (0 already stored)…'
 */
export function publishSummary(account: PublishAccount, partitions: number): string {
  return (
    `records ${account.records} = published ${account.published} + rejected ${account.rejected}; ` +
    `${account.messages} messages acknowledged on ${partitions} partitions, ${account.duplicates} of them already stored; ` +
    `${account.fannedOut} records without an endpoint sent to every partition`
  );
}

async function* recordsOf(sources: Awaited<ReturnType<typeof expandPaths>>, stdin: NodeJS.ReadableStream): AsyncGenerator<SourcedRecord> {
  for (const source of sources) {
    const file = source.kind === 'stdin' ? '-' : source.path;
    try {
      for await (const record of readRecords(source, stdin)) {
        yield record.framingError === undefined
          ? { text: record.text, file, line: record.line }
          : { text: record.text, file, line: record.line, framingError: record.framingError };
      }
    } catch (error) {
      if (error instanceof ClusterError) throw error;
      throw new ClusterError(`cannot read '${file}': ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
