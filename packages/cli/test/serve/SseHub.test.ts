import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { SseHub } from '../../src/serve/SseHub.js';

/** A response whose socket never drains: what a client that stopped reading looks like. */
class StuckResponse extends EventEmitter {
  written = '';
  destroyed = false;
  ended = false;
  get writableLength(): number {
    return this.written.length;
  }
  writeHead(): this {
    return this;
  }
  write(chunk: string): boolean {
    this.written += chunk;
    return false;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

/** A response that drains immediately. */
class FastResponse extends StuckResponse {
  override get writableLength(): number {
    return 0;
  }
}

const asResponse = (r: StuckResponse): ServerResponse => r as unknown as ServerResponse;

describe('SseHub', () => {
  let hub: SseHub<{ n: number }> | undefined;
  afterEach(() => hub?.close());

  it('disconnects a client that stops reading once its buffer passes the bound, and keeps serving the others', () => {
    hub = new SseHub<{ n: number }>({ maxBufferedBytes: 1000, heartbeatMs: 60_000, serialize: (x) => JSON.stringify(x) });
    const stuck = new StuckResponse();
    const fast = new FastResponse();
    hub.attach(asResponse(stuck), () => true);
    hub.attach(asResponse(fast), () => true);
    for (let n = 0; n < 200; n++) hub.publish({ n });
    expect(stuck.destroyed).toBe(true);
    // Memory held for the stuck client stayed near the bound.
    expect(stuck.written.length).toBeLessThan(1100);
    expect(hub.dropped).toBe(1);
    expect(hub.size).toBe(1);
    expect(fast.destroyed).toBe(false);
    expect(fast.written.match(/event: transition/g)).toHaveLength(200);
  });

  it('sends each client only what its filter accepts, as numbered SSE frames', () => {
    hub = new SseHub<{ n: number }>({ maxBufferedBytes: 1 << 20, heartbeatMs: 60_000, serialize: (x) => JSON.stringify(x) });
    const even = new FastResponse();
    hub.attach(asResponse(even), (x) => x.n % 2 === 0);
    for (let n = 0; n < 4; n++) hub.publish({ n });
    expect(even.written).toBe(': connected\n\nid: 1\nevent: transition\ndata: {"n":0}\n\nid: 3\nevent: transition\ndata: {"n":2}\n\n');
    hub.close();
    expect(even.ended).toBe(true);
  });
});
