import type { ServerResponse } from 'node:http';

interface Client {
  readonly res: ServerResponse;
  readonly accept: (data: unknown) => boolean;
}

/**
 * Server-Sent Events fan-out with a memory bound per client. A client whose socket
 * cannot keep up (more than `maxBufferedBytes` waiting in its write buffer) is
 * disconnected rather than buffered without end; it may reconnect. Heartbeat comments
 * keep idle connections (and proxies) alive.
 */
export class SseHub<T> {
  readonly #clients = new Set<Client>();
  readonly #maxBufferedBytes: number;
  readonly #serialize: (item: T) => string;
  #sequence = 0;
  #dropped = 0;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(options: { maxBufferedBytes: number; heartbeatMs: number; serialize: (item: T) => string }) {
    this.#maxBufferedBytes = options.maxBufferedBytes;
    this.#serialize = options.serialize;
    this.#heartbeat = setInterval(() => this.#broadcastRaw(': heartbeat\n\n'), options.heartbeatMs);
    this.#heartbeat.unref();
  }

  /** Connected clients. */
  get size(): number {
    return this.#clients.size;
  }

  /** Clients disconnected for being too slow. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Turns a response into an event stream receiving the items `accept` lets through. */
  attach(res: ServerResponse, accept: (item: T) => boolean): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // A first comment flushes the headers: the client knows it is subscribed.
    res.write(': connected\n\n');
    const client: Client = { res, accept: accept as (data: unknown) => boolean };
    this.#clients.add(client);
    res.once('close', () => this.#clients.delete(client));
  }

  /** Sends one item to every client that accepts it. */
  publish(item: T): void {
    if (this.#clients.size === 0) return;
    this.#sequence += 1;
    let frame: string | undefined;
    for (const client of this.#clients) {
      if (!client.accept(item)) continue;
      frame ??= `id: ${this.#sequence}\nevent: transition\ndata: ${this.#serialize(item)}\n\n`;
      this.#write(client, frame);
    }
  }

  /** Ends every stream. */
  close(): void {
    clearInterval(this.#heartbeat);
    for (const client of this.#clients) client.res.end();
    this.#clients.clear();
  }

  #broadcastRaw(frame: string): void {
    for (const client of this.#clients) this.#write(client, frame);
  }

  #write(client: Client, frame: string): void {
    if (client.res.writableLength > this.#maxBufferedBytes) {
      this.#dropped += 1;
      this.#clients.delete(client);
      client.res.destroy();
      return;
    }
    client.res.write(frame);
  }
}
