import { type NatsConnection, connect } from '@nats-io/transport-node';
import { ClusterError } from '../commands/ClusterError.js';

/** Options for {@link connectNats}. */
export interface ConnectNatsOptions {
  /** Client name shown by the server's monitoring (the worker's name). */
  readonly name?: string;
  /** Reconnect forever (long-running workers) instead of failing after the client's default attempts. */
  readonly reconnectForever?: boolean;
}

/**
 * Connects to the NATS server at `url`, turning a refused or malformed URL into a one-line
 * {@link ClusterError}.
 *
 * @example
 * const nc = await connectNats('nats://127.0.0.1:4222');
 */
export async function connectNats(url: string, options: ConnectNatsOptions = {}): Promise<NatsConnection> {
  try {
    return await connect({
      servers: url,
      // An Error (with its stack) captured for every request costs more than the publish itself
      // at tens of thousands of acks per second; errors still say what failed.
      noAsyncTraces: true,
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.reconnectForever ? { maxReconnectAttempts: -1, reconnectTimeWait: 250 } : {}),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ClusterError(`cannot connect to NATS at ${url}: ${reason}`);
  }
}
