/**
 * `simfleet serve --nats` with the real nats-server and PostgreSQL: records POSTed to the
 * webhook reach the stream before the reply (same partitions and `Nats-Msg-Id` as
 * `simfleet publish`), workers keep the tables, and the tables equal `simfleet replay` of the
 * same records; rejected records keep their reasons and are not published; with JetStream down
 * the webhook answers 503 with Retry-After and acknowledges nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpFleetTables, endpointRowsAsJson, freshDatabase } from '@simfleet/postgres/testing';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { EVENT_STREAM } from '../src/stream/eventStream.js';
import { type NatsServer, startNatsServer } from './natsServer.js';
import { caughtUp, run, startPgWorker } from './pgCluster.js';
import { killAll, type Spawned, waitFor } from './processes.js';
import { type NatsHandles, natsHandles, readEventStream, SIMFLEET_BIN } from './support.js';

const TOKEN = 'cluster-test-token';
const PARTITIONS = 4;

/** `simfleet serve --nats` on a free port; resolves with its URL once it listens. */
async function startServe(natsUrl: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn('node', [SIMFLEET_BIN, 'serve', '--port', '0', '--token', TOKEN, '--nats', natsUrl, '--partitions', String(PARTITIONS)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const url = await waitFor('serve listening', async () => /listening on (http:\/\/\S+)/.exec(out)?.[1], 30_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${err}`);
  });
  return { child, url, stderr: () => err };
}

const post = (url: string, body: string) =>
  fetch(`${url}/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' }, body });

describe('simfleet serve --nats', () => {
  let server: NatsServer | undefined;
  let nats: NatsHandles | undefined;
  let serve: ChildProcess | undefined;
  const workers: Spawned[] = [];
  afterEach(async () => {
    serve?.kill('SIGKILL');
    await killAll(workers.splice(0));
    await nats?.close();
    await server?.stop();
  });

  it('answers 2xx once JetStream holds every accepted record; workers --pg then equal replay; JetStream down: 503, nothing acknowledged', {
    timeout: 300_000,
  }, async () => {
    server = await startNatsServer();
    const natsUrl = server.url;
    const pgUrl = await freshDatabase(inject('pgUrl'), 'cluster_serve_nats');
    const dir = mkdtempSync(join(tmpdir(), 'simfleet-serve-nats-'));
    const log = join(dir, 'fleet.ndjson');
    await run('node', [SIMFLEET_BIN, 'generate', '--events', '6000', '--devices', '500', '--seed', '7', '--out', log]);
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');

    const started = await startServe(natsUrl);
    serve = started.child;
    nats = await natsHandles(natsUrl);
    expect((await nats.jsm.streams.info(EVENT_STREAM)).config.subjects).toHaveLength(PARTITIONS);
    for (const name of ['w1', 'w2']) workers.push(startPgWorker(natsUrl, pgUrl, name));

    // In bodies of 1000 records; the second one carries a record the decoder refuses.
    const broken = '{"id":1,"timestamp":"not a time"}';
    let published = 0;
    for (let start = 0; start < lines.length; start += 1000) {
      const records = lines.slice(start, start + 1000);
      const body = start === 1000 ? [...records.slice(0, 500), broken, ...records.slice(500)] : records;
      const reply = await post(started.url, `${body.join('\n')}\n`);
      const json = (await reply.json()) as { accepted: number; rejected: { index: number; code: string }[] };
      if (start === 1000) {
        expect(reply.status).toBe(400);
        expect(json.rejected).toEqual([expect.objectContaining({ index: 500 })]);
      } else {
        expect(reply.status).toBe(202);
      }
      expect(json.accepted).toBe(records.length);
      // Acknowledged means stored: every accepted record is in the stream when the reply comes.
      published += records.length;
      const stored = (await nats.jsm.streams.info(EVENT_STREAM)).state.messages;
      expect(stored).toBeGreaterThanOrEqual(published);
    }
    // Sent again (a client retrying): the stream already holds them.
    const before = (await readEventStream(nats.js, nats.jsm)).filter((m) => m.msgId !== undefined && !m.msgId.startsWith('facts.'));
    const again = await post(started.url, `${lines.slice(0, 1000).join('\n')}\n`);
    expect(again.status).toBe(202);
    expect(((await again.json()) as { duplicates: number }).duplicates).toBe(1000);
    const stream = (await readEventStream(nats.js, nats.jsm)).filter((m) => m.msgId !== undefined && !m.msgId.startsWith('facts.'));
    expect(stream.length).toBe(before.length);
    // Partitioned and identified as `simfleet publish` does; the broken record is not there.
    const ids = new Set(stream.map((m) => m.msgId?.split('.')[0]));
    for (const line of lines) expect(ids.has(String((JSON.parse(line) as { id: number }).id))).toBe(true);
    expect(stream.every((m) => m.source?.startsWith('POST /events '))).toBe(true);
    expect(stream.some((m) => m.text === broken)).toBe(false);

    const tails = (): string => workers.map((w) => `${w.name}: ${w.stderr().split('\n').slice(-6).join(' | ')}`).join('\n');
    await caughtUp(nats, natsUrl, pgUrl, tails, undefined, 200_000);
    await run('node', [SIMFLEET_BIN, 'replay', log, '--quiet', '--pg', pgUrl, '--pg-schema', 'replayed']);
    const table = await endpointRowsAsJson(pgUrl, 'simfleet');
    expect(table.length).toBeGreaterThan(400);
    expect(table).toEqual(await endpointRowsAsJson(pgUrl, 'replayed'));
    expect(await dumpFleetTables(pgUrl, 'simfleet', ['endpoints', 'transitions', 'progress'])).toBe(
      await dumpFleetTables(pgUrl, 'replayed', ['endpoints', 'transitions', 'progress']),
    );
    // serve's own state is the fold of what it accepted: replay's endpoints.
    const snapshot = (await (await fetch(`${started.url}/fleet/snapshot`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      endpoints: unknown[];
    };
    const { stdout: replayJson } = await run('node', [SIMFLEET_BIN, 'replay', log, '--json'], { maxBuffer: 256 * 1024 * 1024 });
    expect(snapshot.endpoints).toEqual((JSON.parse(replayJson) as { endpoints: unknown[] }).endpoints);

    // JetStream gone: 503 with Retry-After, and the records are not applied by serve either.
    await killAll(workers.splice(0));
    await nats.close();
    nats = undefined;
    await server.stop();
    server = undefined;
    const extra = JSON.parse(lines[0] as string) as { id: number; timestamp: string };
    const unseen = JSON.stringify({ ...extra, id: extra.id + 1_000_000_000, timestamp: new Date(Date.parse(extra.timestamp) + 1).toISOString() });
    const refused = await post(started.url, `${unseen}\n`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'storage_unavailable',
      message: expect.stringMatching(/^JetStream cannot take writes \(io_error\): nothing of this request was acknowledged/),
    });
    const summary = (await (await fetch(`${started.url}/fleet/summary`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      pipeline: { received: number };
    };
    expect(summary.pipeline.received).toBe(lines.length + 1000);
    expect(started.stderr()).toContain('answered 503, nothing acknowledged');
  });

  it('unusable flags or an unreachable server: one line, exit 1', async () => {
    const fail = (args: string[]) =>
      run('node', [SIMFLEET_BIN, 'serve', '--port', '0', '--token', TOKEN, ...args]).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr.split('\n')[0] ?? '' }),
      );
    const dir = mkdtempSync(join(tmpdir(), 'simfleet-serve-nats-flags-'));
    expect(await fail(['--nats', 'nats://127.0.0.1:1', '--data-dir', dir])).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^simfleet serve: --nats and --data-dir exclude each other/),
    });
    expect(await fail(['--nats', 'nats://127.0.0.1:1', '--pg', 'postgres://x@127.0.0.1/x'])).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^simfleet serve: --nats and --pg exclude each other/),
    });
    expect(await fail(['--partitions', '4'])).toEqual({ code: 1, stderr: 'simfleet serve: --partitions needs --nats URL' });
    expect(await fail(['--nats', 'localhost'])).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^simfleet serve: --nats expects a URL like nats:\/\/host:4222/),
    });
    const refused = await run('node', [SIMFLEET_BIN, 'serve', '--port', '0', '--token', TOKEN, '--nats', 'nats://127.0.0.1:1']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect((refused as { code: number }).code).toBe(1);
    expect((refused as { stderr: string }).stderr).toMatch(/^simfleet serve: --nats: cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: [^\n]+\n$/);
  });
});
