import type { ServerResponse } from 'node:http';

/** How a client subscribes. */
export interface SseSubscription<T> {
  /** The items this client wants (default: all). */
  readonly accept?: (item: T) => boolean;
  /**
   * The current state of what the client watches, as the JSON text of a `resync` event:
   * sent instead of the items it missed when it fell behind.
   */
  readonly resync: () => string;
}

export interface SseHubOptions<T> {
  /**
   * Bytes that may wait for one client (in its socket's write buffer) before it counts
   * as behind (default 4 MiB). Items for unfiltered clients are serialized once and the
   * same buffer is shared, so the memory is not multiplied by the number of clients.
   */
  readonly maxBufferedBytes?: number;
  /** Heartbeat comment interval, ms. */
  readonly heartbeatMs: number;
  /** A client behind for this long without reading anything is disconnected (default 60 000 ms). */
  readonly maxStallMs?: number;
  readonly serialize: (item: T) => string;
}

interface Client<T> {
  readonly res: ServerResponse;
  readonly accept: ((item: T) => boolean) | null;
  readonly resync: () => string;
  /** Set while the client is behind: items are not queued for it, a resync follows when its socket drains. */
  behindSince: number | null;
}

const DEFAULT_MAX_BUFFERED = 4 * 1024 * 1024;

/**
 * Server-Sent Events fan-out that keeps up with many clients and bursts.
 *
 * Items published in one turn of the event loop go out together, one write per client
 * per turn (not one per item), and unfiltered clients share one serialized buffer. A
 * client reading at a normal pace therefore receives every item, numbered (`id:`). A
 * client whose socket holds more than `maxBufferedBytes` unsent is behind: nothing more
 * is queued for it, and once its socket drains it receives one `resync` event (the
 * current state of what it watches, with the `id` it stands at) and then the items that
 * follow; memory per client stays bounded. Only a client that reads nothing for
 * `maxStallMs` is disconnected. Heartbeat comments keep idle connections (and proxies) alive.
 *
 * @example
 * const hub = new SseHub<Transition>({ heartbeatMs: 15_000, serialize: (t) => JSON.stringify(t) });
 * hub.attach(res, { accept: (t) => t.region === 'eu', resync: () => JSON.stringify(summary()) });
 * hub.publish(transition);
 */
export class SseHub<T> {
  readonly #clients = new Set<Client<T>>();
  readonly #maxBufferedBytes: number;
  readonly #maxStallMs: number;
  readonly #serialize: (item: T) => string;
  readonly #heartbeat: NodeJS.Timeout;
  #sequence = 0;
  #pending: { readonly id: number; readonly item: T }[] = [];
  #flushScheduled = false;
  #dropped = 0;
  #resyncs = 0;

  constructor(options: SseHubOptions<T>) {
    this.#maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
    this.#maxStallMs = options.maxStallMs ?? 60_000;
    this.#serialize = options.serialize;
    this.#heartbeat = setInterval(() => this.#tick(), options.heartbeatMs);
    this.#heartbeat.unref();
  }

  /** Connected clients. */
  get size(): number {
    return this.#clients.size;
  }

  /** Clients disconnected because they read nothing for `maxStallMs` while behind. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Clients behind right now (nothing queued for them until they drain and get their resync). */
  get behind(): number {
    let n = 0;
    for (const client of this.#clients) if (client.behindSince !== null) n += 1;
    return n;
  }

  /** Resync events sent (a client fell behind and caught up with the current state). */
  get resyncs(): number {
    return this.#resyncs;
  }

  /** Turns a response into an event stream. */
  attach(res: ServerResponse, subscription: SseSubscription<T>): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // A stream is idle between items by design: the heartbeat and the stall rule watch it, not the socket timeout.
    res.socket?.setTimeout(0);
    // A first comment flushes the headers: the client knows it is subscribed.
    res.write(': connected\n\n');
    const client: Client<T> = { res, accept: subscription.accept ?? null, resync: subscription.resync, behindSince: null };
    this.#clients.add(client);
    res.once('close', () => this.#clients.delete(client));
  }

  /** Queues one item for every client that accepts it; they go out together at the end of this turn. */
  publish(item: T): void {
    if (this.#clients.size === 0) return;
    this.#sequence += 1;
    this.#pending.push({ id: this.#sequence, item });
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  /** Ends every stream. */
  close(): void {
    clearInterval(this.#heartbeat);
    this.#flush();
    for (const client of this.#clients) client.res.end();
    this.#clients.clear();
  }

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0 || this.#clients.size === 0) return;
    const frames = new Array<string | undefined>(batch.length);
    const frame = (i: number): string => {
      let text = frames[i];
      if (text === undefined) {
        const entry = batch[i] as { id: number; item: T };
        text = `id: ${entry.id}\nevent: transition\ndata: ${this.#serialize(entry.item)}\n\n`;
        frames[i] = text;
      }
      return text;
    };
    let everything: Buffer | undefined;
    for (const client of this.#clients) {
      if (client.behindSince !== null) continue;
      let chunk: Buffer;
      if (client.accept === null) {
        everything ??= Buffer.from(batch.map((_, i) => frame(i)).join(''), 'utf8');
        chunk = everything;
      } else {
        let text = '';
        for (let i = 0; i < batch.length; i++) if (client.accept((batch[i] as { item: T }).item)) text += frame(i);
        if (text === '') continue;
        chunk = Buffer.from(text, 'utf8');
      }
      this.#deliver(client, chunk);
    }
  }

  #deliver(client: Client<T>, chunk: Buffer): void {
    const { res } = client;
    if (res.writableLength + chunk.length <= this.#maxBufferedBytes) {
      res.write(chunk);
      return;
    }
    client.behindSince = Date.now();
    // Its socket is full: catch it up once it drains (at once if it is nearly empty: the burst alone was over the bound).
    if (res.writableNeedDrain) res.once('drain', () => this.#catchUp(client));
    else this.#catchUp(client);
  }

  #catchUp(client: Client<T>): void {
    if (!this.#clients.has(client)) return;
    client.behindSince = null;
    this.#resyncs += 1;
    // The resync stands at the newest id: items after it follow as usual.
    client.res.write(`id: ${this.#sequence - this.#pending.length}\nevent: resync\ndata: ${client.resync()}\n\n`);
  }

  #tick(): void {
    const now = Date.now();
    for (const client of this.#clients) {
      if (client.behindSince === null) {
        client.res.write(': heartbeat\n\n');
      } else if (now - client.behindSince > this.#maxStallMs) {
        this.#dropped += 1;
        this.#clients.delete(client);
        client.res.destroy();
      }
    }
  }
}
