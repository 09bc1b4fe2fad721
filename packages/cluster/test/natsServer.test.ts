import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, inject, it } from 'vitest';
import { startNatsServer } from './natsServer.js';

describe('the test nats-server', () => {
  it('serves JetStream on the URL the global setup provides', async () => {
    const nc = await connect({ servers: inject('natsUrl') });
    try {
      const jsm = await jetstreamManager(nc);
      const account = await jsm.getAccountInfo();
      expect(account.limits).toBeDefined();
    } finally {
      await nc.close();
    }
  });

  it('restarts on the same port with its file store intact', async () => {
    const nats = await startNatsServer();
    try {
      const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'RESTART_PROBE', subjects: ['probe.>'] });
      const js = jetstream(nc);
      await js.publish('probe.one', 'before');
      await nats.restart();
      // The client reconnects by itself; the stream and its message come back from disk.
      const ack = await js.publish('probe.one', 'after', { retries: 20 });
      expect(ack.seq).toBe(2);
      const info = await jsm.streams.info('RESTART_PROBE');
      expect(info.state.messages).toBe(2);
      await nc.close();
    } finally {
      await nats.stop();
    }
  });
});
