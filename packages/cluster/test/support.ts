/** Shared helpers for the cluster tests: captured command I/O and reading the event stream back. */
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { CommandIo } from '../src/commands/CommandIo.js';
import { EVENT_STREAM } from '../src/stream/eventStream.js';

/** The repository root (for examples/data and the built binary). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** The built `simfleet` binary, run exactly as a user runs it. */
export const SIMFLEET_BIN = `${REPO}packages/cli/dist/bin.js`;

/** Command I/O whose stdout and stderr are collected as text. */
export interface CapturedIo extends CommandIo {
  out(): string;
  err(): string;
}

/**
 * Command I/O that records what a command writes.
 *
 * @example
 * const io = capturedIo(); await runPublish([...], io); io.out();
 */
export function capturedIo(): CapturedIo {
  let out = '';
  let err = '';
  const sink = (append: (text: string) => void): Writable =>
    new Writable({
      write(chunk, _encoding, callback) {
        append(String(chunk));
        callback();
      },
    });
  return {
    stdin: new PassThrough(),
    stdout: sink((text) => {
      out += text;
    }),
    stderr: sink((text) => {
      err += text;
    }),
    env: {},
    out: () => out,
    err: () => err,
  };
}

/** A connection with its JetStream handles, closed by `close`. */
export interface NatsHandles {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  close(): Promise<void>;
}

/**
 * Connects to a test server.
 *
 * @example
 * const nats = await natsHandles(inject('natsUrl'));
 */
export async function natsHandles(url: string): Promise<NatsHandles> {
  const nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  return { nc, js: jetstream(nc), jsm: await jetstreamManager(nc), close: () => nc.close() };
}

/**
 * Deletes the event stream if it exists (each test starts from an empty cluster).
 *
 * @example
 * await deleteEventStream(nats.jsm);
 */
export async function deleteEventStream(jsm: JetStreamManager): Promise<void> {
  await jsm.streams.delete(EVENT_STREAM).catch(() => false);
}

/** One message of the event stream as stored. */
export interface StoredEvent {
  readonly seq: number;
  readonly subject: string;
  readonly msgId: string | undefined;
  readonly fanout: string | undefined;
  readonly source: string | undefined;
  readonly text: string;
}

/**
 * Every message of the event stream, in stream order (an ordered consumer: nothing is acked or kept).
 *
 * @example
 * const stored = await readEventStream(nats.js);
 */
export async function readEventStream(js: JetStreamClient, jsm: JetStreamManager): Promise<StoredEvent[]> {
  const total = (await jsm.streams.info(EVENT_STREAM)).state.messages;
  const consumer = await js.consumers.get(EVENT_STREAM);
  const stored: StoredEvent[] = [];
  while (stored.length < total) {
    const batch = await consumer.fetch({ max_messages: Math.min(1000, total - stored.length), expires: 5_000 });
    for await (const m of batch) {
      stored.push({
        seq: m.seq,
        subject: m.subject,
        msgId: m.headers?.get('Nats-Msg-Id') || undefined,
        fanout: m.headers?.get('Simfleet-Fanout') || undefined,
        source: m.headers?.get('Simfleet-Source') || undefined,
        text: m.string(),
      });
    }
  }
  return stored;
}
