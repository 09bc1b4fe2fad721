import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type EmnifyEvent, formatTimestamp } from '@simfleet/core';
import {
  DEFAULT_MAX_CLOCK_SKEW_MS,
  DEFAULT_REORDER_HORIZON_MS,
  DirectoryCheckpointStore,
  InputError,
  type LiveFleet,
  liveFromCheckpoint,
} from '@simfleet/engine';
import type { FleetQueries } from '@simfleet/postgres';
import { Duration } from 'luxon';
import { parseArgsMessage } from '../args.js';
import { EXIT, UsageError } from '../cliIo.js';
import { ServePostgres } from '../postgres/servePostgres.js';
import type { BodyRows } from './BodyRows.js';
import { DataDir, DataDirError } from './DataDir.js';
import { openFleetQueries } from './dashboard/FleetReader.js';
import { createServeLogger } from './requestLog.js';
import { type ServeCheckpointPolicy, ServeJournal } from './ServeJournal.js';
import { RequestClock, ServeNats } from './serveNats.js';
import { startServer } from './startServer.js';

/** What `runServe` needs from the process: streams, the environment, and (for tests) a stop signal. */
export interface ServeIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Stops the server like SIGINT/SIGTERM do (tests, embedding). */
  readonly signal?: AbortSignal;
}

const USAGE = `usage: simfleet serve [--port N] [--host H] [--token T] [--from CHECKPOINT]
                     [--data-dir DIR | --checkpoint FILE]
                     [--checkpoint-every N] [--checkpoint-interval SECONDS]
                     [--reorder-horizon DURATION] [--max-clock-skew DURATION]
                     [--pg URL] [--pg-schema NAME] [--nats URL [--partitions N]]

  --port N          TCP port (default 8080; 0 picks a free port)
  --host H          interface to bind (default 127.0.0.1)
  --token T         bearer token clients must send (default: $SIMFLEET_TOKEN)
  --from CHECKPOINT start from the fleet state of a 'simfleet replay --checkpoint' file
  --data-dir DIR    durable ingest: every record is in DIR's write-ahead journal (fdatasync)
                    before POST /events answers; checkpoints go in DIR too (every
                    --checkpoint-every records and/or --checkpoint-interval seconds (default
                    60), and on stop) and the journal they cover is deleted; a restart with
                    the same DIR (after a crash too) recovers everything acknowledged;
                    --from seeds an empty DIR
  --checkpoint FILE keep a checkpoint of every accepted record in FILE (written atomically,
                    every --checkpoint-every records and/or --checkpoint-interval seconds
                    (default 60), and on stop); 'simfleet replay --from FILE' or
                    'simfleet serve --from FILE' continues from it exactly; an existing
                    FILE is never overwritten unless it is also the --from checkpoint
  --reorder-horizon DURATION
                    how far (event time, ISO 8601 duration) an event may be behind its
                    device's newest event and still be placed exactly (default PT24H);
                    older ones are answered too_late, journaled, not applied
  --max-clock-skew DURATION
                    records dated more than this after this machine's clock are refused
                    as future_timestamp (default PT5M)
  --pg URL          keep the fleet and every state change current in PostgreSQL
                    (postgres://user@host:port/database; default: $SIMFLEET_PG_URL);
                    opened before listening; written after every POST, one transaction
                    after another; an outage is caught up when the database returns
  --pg-schema NAME  schema of the tables (default simfleet; created and migrated)
  --nats URL        a gateway into the cluster (docs/cluster.md): POST /events answers 2xx only
                    once JetStream acknowledged every accepted record (published as 'simfleet
                    publish' does); JetStream down: 503 with Retry-After, nothing acknowledged.
                    serve still folds what it accepts into its own state (its routes show what
                    this process accepted); the cluster's tables are the workers'. Excludes
                    --data-dir (the stream is the durable copy) and --pg (the workers write it)
  --partitions N    partition count when --nats creates the stream (default 16; an existing
                    stream keeps its count)

The live state equals 'simfleet replay' of everything accepted, whatever the arrival order.

Routes (all but GET /healthz need 'Authorization: Bearer <token>'):
  POST /events                 a JSON event, a JSON array of events, or NDJSON; 202, or 400 with
                               every rejected record's index and reason
  GET  /fleet/summary          counts by status, connectivity, operator, country, organisation
  GET  /fleet/snapshot         the live state as a simfleet/snapshot@1 document
  GET  /endpoints              ?status=S[,S…]&q=TEXT&limit=1..1000&cursor=C: one page of endpoints
                               (q: found inside the id, ICCID, IMSI, IMEI or name)
  GET  /endpoints/:id          one endpoint's state
  GET  /transitions            Server-Sent Events of state changes; ?region=R[,R…]&endpoint=ID
  GET  /metrics                Prometheus text format: events, ingest latency, SSE clients, endpoints
  GET  /healthz                {"ok":true}
  GET  /, /dashboard/…         the browser dashboard (signs in with the token)
Unknown query parameters and invalid values are refused with 400 and their names.

Prints "listening on http://HOST:PORT" once ready; stops on SIGINT or SIGTERM.
`;

interface ServeFlags {
  port: number;
  host: string;
  token: string | undefined;
  from: string | undefined;
  checkpoint: string | undefined;
  dataDir: string | undefined;
  checkpointEvery: number | undefined;
  checkpointIntervalMs: number | undefined;
  reorderHorizonMs: number;
  maxClockSkewMs: number;
  pg: string | undefined;
  pgSchema: string | undefined;
  nats: string | undefined;
  partitions: number | undefined;
  help: boolean;
}

type ParseResult = { ok: true; flags: ServeFlags } | { ok: false; message: string };

/** A positive integer flag, or why not. */
function positive(name: string, value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return /^\d+$/.test(value) && n > 0 ? n : `--${name} must be a positive integer, got ${value}`;
}

const parseServeArgs = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' },
      from: { type: 'string' },
      checkpoint: { type: 'string' },
      'data-dir': { type: 'string' },
      'checkpoint-every': { type: 'string' },
      'checkpoint-interval': { type: 'string' },
      'reorder-horizon': { type: 'string' },
      'max-clock-skew': { type: 'string' },
      pg: { type: 'string' },
      'pg-schema': { type: 'string' },
      nats: { type: 'string' },
      partitions: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });

function parseFlags(argv: readonly string[]): ParseResult {
  let values: ReturnType<typeof parseServeArgs>['values'];
  try {
    ({ values } = parseServeArgs(argv));
  } catch (error) {
    return { ok: false, message: parseArgsMessage('serve', error, argv) };
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) return { ok: false, message: `--port must be an integer from 0 to 65535, got ${values.port}` };
  const every = positive('checkpoint-every', values['checkpoint-every']);
  const interval = positive('checkpoint-interval', values['checkpoint-interval']);
  const partitions = positive('partitions', values.partitions);
  for (const problem of [every, interval, partitions]) if (typeof problem === 'string') return { ok: false, message: problem };
  const natsProblem = natsFlagProblem(values);
  if (natsProblem !== undefined) return { ok: false, message: natsProblem };
  if (values.checkpoint !== undefined && values['data-dir'] !== undefined) {
    return { ok: false, message: '--checkpoint and --data-dir exclude each other: with --data-dir the checkpoints live in DIR' };
  }
  if (values.checkpoint === undefined && values['data-dir'] === undefined && (every !== undefined || interval !== undefined)) {
    return { ok: false, message: '--checkpoint-every and --checkpoint-interval need --checkpoint FILE or --data-dir DIR' };
  }
  const horizon = isoDuration('reorder-horizon', values['reorder-horizon'], DEFAULT_REORDER_HORIZON_MS);
  const skew = isoDuration('max-clock-skew', values['max-clock-skew'], DEFAULT_MAX_CLOCK_SKEW_MS);
  for (const problem of [horizon, skew]) if (typeof problem === 'string') return { ok: false, message: problem };
  return {
    ok: true,
    flags: {
      reorderHorizonMs: horizon as number,
      maxClockSkewMs: skew as number,
      port,
      host: values.host,
      token: values.token,
      from: values.from,
      checkpoint: values.checkpoint,
      dataDir: values['data-dir'],
      checkpointEvery: every as number | undefined,
      checkpointIntervalMs: interval === undefined ? undefined : (interval as number) * 1000,
      pg: values.pg,
      pgSchema: values['pg-schema'],
      nats: values.nats,
      partitions: partitions as number | undefined,
      help: values.help,
    },
  };
}

/** Why `--nats` / `--partitions` cannot be used as given, or undefined. */
function natsFlagProblem(values: {
  nats?: string | undefined;
  partitions?: string | undefined;
  'data-dir'?: string | undefined;
  pg?: string | undefined;
}): string | undefined {
  if (values.nats === undefined) return values.partitions === undefined ? undefined : '--partitions needs --nats URL';
  if (!/^(nats|tls|wss?):\/\/\S+$/.test(values.nats)) return `--nats expects a URL like nats://host:4222, got '${values.nats}'`;
  if (values['data-dir'] !== undefined)
    return '--nats and --data-dir exclude each other: with --nats the JetStream stream is the durable copy of every accepted record';
  if (values.pg !== undefined) return '--nats and --pg exclude each other: with --nats the workers (simfleet worker --pg) keep the tables';
  return undefined;
}

/** An ISO 8601 duration flag (`PT24H`, `P2D`, `PT90S`) in ms, or why not. */
function isoDuration(name: string, value: string | undefined, fallback: number): number | string {
  if (value === undefined) return fallback;
  const d = Duration.fromISO(value);
  const ms = d.isValid ? d.as('milliseconds') : Number.NaN;
  return Number.isFinite(ms) && ms >= 0 ? ms : `--${name} expects an ISO 8601 duration like PT24H, P2D or PT90S, got '${value}'`;
}

/**
 * `simfleet serve`: parses the flags, starts the webhook ingest service, prints
 * `listening on http://HOST:PORT`, and runs until SIGINT/SIGTERM (or `io.signal`),
 * then applies what is buffered and stops. Resolves to the exit status: 0 after a clean
 * stop, 1 (usage) for bad flags, a missing token, an unusable `--from` checkpoint, or an
 * address it cannot bind.
 *
 * @example
 * process.exitCode = await runServe(process.argv.slice(3), { stdout: process.stdout, stderr: process.stderr, env: process.env });
 */
export async function runServe(argv: string[], io: ServeIo): Promise<number> {
  const parsed = parseFlags(argv);
  if (!parsed.ok) {
    io.stderr.write(`simfleet serve: ${parsed.message}\n${USAGE}`);
    return EXIT.USAGE;
  }
  const { flags } = parsed;
  if (flags.help) {
    io.stdout.write(USAGE);
    return EXIT.OK;
  }
  const token = flags.token ?? io.env['SIMFLEET_TOKEN'];
  if (token === undefined || token === '') {
    io.stderr.write('simfleet serve: a bearer token is required: pass --token T or set SIMFLEET_TOKEN\n');
    return EXIT.USAGE;
  }
  // With --nats the clock guard's clock is the one the records were published at.
  const clock = flags.nats === undefined ? undefined : new RequestClock();
  const liveOptions = { reorderHorizonMs: flags.reorderHorizonMs, maxClockSkewMs: flags.maxClockSkewMs, ...(clock === undefined ? {} : { now: clock.now }) };
  const log = (message: string): void => {
    io.stderr.write(`${message}\n`);
  };
  // Without either flag, a checkpoint a minute (and one on stop).
  const intervalMs = flags.checkpointIntervalMs ?? (flags.checkpointEvery === undefined ? 60_000 : undefined);
  let live: LiveFleet | undefined;
  let data: DataDir | undefined;
  if (flags.dataDir !== undefined) {
    try {
      data = await DataDir.open({
        dir: flags.dataDir,
        ...liveOptions,
        ...(flags.from === undefined ? {} : { from: flags.from }),
        ...(intervalMs === undefined ? {} : { intervalMs }),
        ...(flags.checkpointEvery === undefined ? {} : { everyRecords: flags.checkpointEvery }),
        log,
      });
    } catch (err: unknown) {
      if (!(err instanceof DataDirError)) throw err;
      io.stderr.write(`simfleet serve: --data-dir ${err.message}\n`);
      return EXIT.USAGE;
    }
    live = data.live;
  } else if (flags.from !== undefined) {
    try {
      live = await liveFromCheckpoint(flags.from, liveOptions);
    } catch (err: unknown) {
      if (!(err instanceof InputError)) throw err;
      io.stderr.write(`simfleet serve: --from ${err.message}\n`);
      return EXIT.USAGE;
    }
    const asOf = live.asOf === null ? 'no events' : `as of ${formatTimestamp(live.asOf)}`;
    io.stderr.write(`simfleet serve: starting from ${flags.from}: ${live.fleet.endpointCount} endpoints, ${asOf}\n`);
  }
  let journal: ServeJournal | undefined;
  if (flags.checkpoint !== undefined) {
    const target = resolve(flags.checkpoint);
    if ((flags.from === undefined || resolve(flags.from) !== target) && (await exists(target))) {
      // Overwriting it would silently drop what it holds: continuing from it is one flag away.
      io.stderr.write(`simfleet serve: --checkpoint ${flags.checkpoint} already exists: pass --from ${flags.checkpoint} to continue from it, or remove it\n`);
      return EXIT.USAGE;
    }
    try {
      const policy: ServeCheckpointPolicy = {
        store: new DirectoryCheckpointStore(dirname(target)),
        name: basename(target),
        ...(intervalMs === undefined ? {} : { intervalMs }),
        ...(flags.checkpointEvery === undefined ? {} : { everyRecords: flags.checkpointEvery }),
      };
      journal = await ServeJournal.open(policy, flags.from, log);
    } catch (err: unknown) {
      io.stderr.write(`simfleet serve: --checkpoint ${flags.checkpoint}: ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT.USAGE;
    }
  }
  let nats: ServeNats | undefined;
  if (flags.nats !== undefined && clock !== undefined) {
    try {
      nats = await ServeNats.open(flags.nats, flags.partitions, flags.maxClockSkewMs, clock);
    } catch (err: unknown) {
      if (!(err instanceof UsageError)) throw err;
      io.stderr.write(`simfleet serve: ${err.message}\n`);
      await journal?.close();
      return EXIT.USAGE;
    }
  }
  let pg: ServePostgres | undefined;
  try {
    pg = await ServePostgres.open({ pg: flags.pg, 'pg-schema': flags.pgSchema }, io.env, { log });
  } catch (err: unknown) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`simfleet serve: ${err.message}\n`);
    await journal?.close();
    await data?.close().catch(() => undefined);
    return EXIT.USAGE;
  }
  // Started from a checkpoint or a recovered data directory: the tables may be behind it, so every row is written once.
  if (pg !== undefined && live !== undefined) pg.writeFleet(live.fleet, live.account());
  // With --pg the dashboard reads the tables (its own pool: reads never queue behind a write).
  let queries: FleetQueries | undefined;
  if (pg !== undefined) {
    try {
      queries = await openFleetQueries(flags.pg ?? io.env['SIMFLEET_PG_URL'] ?? '', pg.status().schema);
    } catch (err: unknown) {
      io.stderr.write(`simfleet serve: --pg: ${err instanceof Error ? err.message : String(err)}\n`);
      await pg.close();
      await journal?.close();
      await data?.close().catch(() => undefined);
      return EXIT.USAGE;
    }
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    const onAccepted = journal === undefined ? {} : { onAccepted: (events: readonly EmnifyEvent[]) => journal.record(events) };
    const durable =
      data === undefined
        ? {}
        : {
            writeAhead: <R>(body: BodyRows, apply: () => R) => data.writeAheadBody(body, apply),
            health: () => {
              const state = data.journalState;
              return { ok: state.status === 'ok', journal: state };
            },
          };
    const gateway = nats === undefined ? {} : { writeAhead: nats.writeAhead, writeAheadStore: 'JetStream', health: () => nats.health() };
    server = await startServer({
      port: flags.port,
      host: flags.host,
      token,
      ...liveOptions,
      ...(live === undefined ? {} : { live }),
      ...onAccepted,
      ...durable,
      ...gateway,
      ...(pg === undefined ? {} : { sink: pg }),
      ...(queries === undefined ? {} : { dashboardQueries: queries }),
      log,
      logger: createServeLogger(io.stderr),
    });
  } catch (err: unknown) {
    await queries?.close();
    await pg?.close();
    await nats?.close();
    await data?.close().catch(() => undefined);
    io.stderr.write(`simfleet serve: cannot listen on ${flags.host}:${flags.port}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.USAGE;
  }
  io.stdout.write(`listening on ${server.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (io.signal?.aborted === true) stop();
    else io.signal?.addEventListener('abort', stop, { once: true });
  });
  await server.close();
  await queries?.close();
  await nats?.close();
  await pg?.close();
  await journal?.close();
  if (data !== undefined) {
    try {
      await data.close();
    } catch (err: unknown) {
      // Nothing is lost (the journal holds every acknowledged record), but the stop was not clean: say so and exit non-zero.
      io.stderr.write(
        `simfleet serve: final checkpoint not written in ${flags.dataDir}: ${err instanceof Error ? err.message : String(err)}; the journal keeps every record and the next start replays it\n`,
      );
      return EXIT.USAGE;
    }
  }
  return EXIT.OK;
}

/** Whether something exists at `path`. */
async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
