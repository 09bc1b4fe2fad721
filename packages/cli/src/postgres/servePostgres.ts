/**
 * `simfleet serve --pg URL`: keeps the PostgreSQL tables current as POSTs are ingested.
 *
 * What a write needs is small: the live fleet holds every endpoint's current row, so a
 * batch only has to remember *which* endpoints changed (a set, never bigger than the
 * fleet) and the state changes it reported (the transitions, in order). Writes run one at
 * a time; whatever arrives while one is under way goes into the next, so a busy server
 * writes fewer, bigger transactions (each with its `live` progress row) and a slow
 * database never holds up a request.
 *
 * When the database goes away the write fails, the connection is dropped, and the
 * server keeps accepting: changed endpoints and transitions wait in the backlog, a new
 * connection is tried with a growing pause, and the first write after it returns holds
 * everything that waited. The backlog is bounded by its transitions: past the bound
 * `POST /events` answers 503 (retry later) instead of accepting records it could not
 * account for. The state shows under `postgres` in `/healthz` and `/fleet/summary`.
 */
import type { EmnifyEvent, FleetStore } from '@simfleet/core';
import type { LiveTransition, ReplayAccount } from '@simfleet/engine';
import type { FleetDatabase, TransitionLog } from '@simfleet/postgres';
import { UsageError } from '../cliIo.js';
import type { PgFlagValues } from './replayToPostgres.js';

/** Transitions the backlog holds before `POST /events` is refused (default). */
export const DEFAULT_MAX_BACKLOG_TRANSITIONS = 1_000_000;

/** What the server hands over after each POST's ingest. */
export interface IngestedBatch {
  /** The live fleet (rows are read from it when the write starts). */
  readonly fleet: FleetStore;
  /** The records the engine took or judged (accepted, duplicates, too late). */
  readonly events: readonly EmnifyEvent[];
  /** The state changes the batch reported: steps and corrections (`correction: true`). */
  readonly transitions: readonly LiveTransition[];
  /** The live account after the batch: stored in the `live` progress row. */
  readonly account: ReplayAccount;
}

/** The database side as `/healthz` and `/fleet/summary` show it. */
export interface ServePostgresStatus {
  /** `current`: nothing waiting; `writing`: a write is under way or due; `unreachable`: the last write or connection failed. */
  readonly state: 'current' | 'writing' | 'unreachable';
  readonly schema: string;
  /** Endpoints whose rows wait to be written. */
  readonly pendingEndpoints: number;
  /** Transitions that wait to be written. */
  readonly pendingTransitions: number;
  /** The backlog's bound: past it, `POST /events` is refused with 503. */
  readonly maxBacklogTransitions: number;
  /** Transactions committed since the server started. */
  readonly writes: number;
  /** The last failure (one line), null once a write succeeded after it. */
  readonly lastError: string | null;
}

/** Options of `ServePostgres.open`. */
export interface ServePostgresOptions {
  /** Where failures and recoveries are reported (one line each). */
  readonly log: (message: string) => void;
  /** Transitions the backlog holds before POSTs are refused (default 1,000,000). */
  readonly maxBacklogTransitions?: number;
  /** First pause before reconnecting, ms (default 500; doubled up to `maxRetryMs`). */
  readonly retryMs?: number;
  /** Longest pause between reconnection attempts, ms (default 10 000). */
  readonly maxRetryMs?: number;
}

type Database = typeof import('@simfleet/postgres');

/**
 * The PostgreSQL side of `simfleet serve`.
 *
 * @example
 * const pg = await ServePostgres.open(values, env, { log }); // before listening; undefined without --pg
 * const server = await startServer({ ..., ...(pg === undefined ? {} : { sink: pg }) });
 * // on stop:
 * await server.close();
 * await pg?.close();
 */
export class ServePostgres {
  /** The key of the status in `/healthz` and `/fleet/summary`. */
  readonly name = 'postgres';
  readonly #lib: Database;
  readonly #url: string;
  readonly #schema: string;
  readonly #log: (message: string) => void;
  readonly #maxBacklog: number;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  #db: FleetDatabase | undefined;
  #fleet: FleetStore | undefined;
  #account: ReplayAccount | undefined;
  #endpoints = new Set<number>();
  #transitions: TransitionLog;
  #writing: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #pause: number;
  /** Transitions of the write under way (back in the backlog if it fails). */
  #inFlight = 0;
  #writes = 0;
  #lastError: string | null = null;
  #closed = false;

  private constructor(lib: Database, db: FleetDatabase, url: string, options: ServePostgresOptions) {
    this.#lib = lib;
    this.#db = db;
    this.#url = url;
    this.#schema = db.schema;
    this.#log = options.log;
    this.#maxBacklog = options.maxBacklogTransitions ?? DEFAULT_MAX_BACKLOG_TRANSITIONS;
    this.#retryMs = options.retryMs ?? 500;
    this.#maxRetryMs = options.maxRetryMs ?? 10_000;
    this.#pause = this.#retryMs;
    this.#transitions = new lib.TransitionLog();
  }

  /**
   * Opens the database the flags name (`--pg URL` or `SIMFLEET_PG_URL`, `--pg-schema`),
   * or returns `undefined` when none is named. Connection, credential, database and schema
   * problems are usage errors: one line, exit 1, before the server listens.
   *
   * @example
   * const pg = await ServePostgres.open({ pg: 'postgres://simfleet@127.0.0.1/fleet' }, process.env, { log: console.error });
   */
  static async open(values: PgFlagValues, env: NodeJS.ProcessEnv, options: ServePostgresOptions): Promise<ServePostgres | undefined> {
    const url = values.pg ?? env['SIMFLEET_PG_URL'];
    if (url === undefined || url === '') {
      if (values['pg-schema'] !== undefined) throw new UsageError('--pg-schema needs --pg URL (or SIMFLEET_PG_URL)');
      return undefined;
    }
    // Loaded only when used, as for replay: the client library costs start-up time.
    const lib = await import('@simfleet/postgres');
    const schema = values['pg-schema'];
    try {
      const db = await lib.FleetDatabase.open(url, schema === undefined ? {} : { schema });
      return new ServePostgres(lib, db, url, options);
    } catch (error) {
      if (error instanceof lib.PgFleetError) throw new UsageError(`--pg: ${error.message}`);
      throw error;
    }
  }

  /** Whether `POST /events` should be refused: the reason, or undefined while the backlog has room. */
  get refusing(): string | undefined {
    const n = this.#transitions.length + this.#inFlight;
    return n < this.#maxBacklog
      ? undefined
      : `PostgreSQL schema ${this.#schema} is behind by ${n} transitions (${this.#lastError ?? 'writing'}): send again later`;
  }

  /**
   * Takes a batch the server ingested: remembers the endpoints it changed and its
   * transitions, and starts a write when none is under way. Returns at once.
   *
   * @example
   * sink.ingested({ fleet: live.fleet, events: kept, transitions, account: live.account() });
   */
  ingested(batch: IngestedBatch): void {
    this.#fleet = batch.fleet;
    this.#account = batch.account;
    const fleet = batch.fleet;
    const organisations = new Set<number>();
    for (const e of batch.events) {
      const endpointId = e.endpoint?.id;
      if (endpointId !== undefined && endpointId !== null) this.#endpoints.add(endpointId);
      else if (e.organisation !== null) organisations.add(e.organisation.id);
    }
    // An organisation's event reaches its members; their changes arrive as transitions,
    // but a member row may change without one (its `blocked` flag under a block it already
    // had), so every member row of such an organisation is written. Unchanged rows are
    // not rewritten by the upsert.
    if (organisations.size > 0) {
      const indexes = new Set<number>();
      for (const id of organisations) {
        const o = fleet.organisationIndexById.get(id);
        if (o !== undefined) indexes.add(o);
      }
      if (indexes.size > 0) {
        for (let d = 0; d < fleet.endpointCount; d++) if (indexes.has(fleet.organisationIndexOfDevice(d))) this.#endpoints.add(fleet.idOf(d));
      }
    }
    for (const t of batch.transitions) {
      this.#endpoints.add(t.endpointId);
      this.#transitions.push(t);
    }
    this.#kick();
  }

  /**
   * Writes every endpoint row of `fleet` (a server started `--from CHECKPOINT`): the
   * tables may be behind the checkpoint it continues.
   *
   * @example
   * pg.writeFleet(live.fleet, live.account());
   */
  writeFleet(fleet: FleetStore, account: ReplayAccount): void {
    this.#fleet = fleet;
    this.#account = account;
    for (const id of fleet.endpointIds()) this.#endpoints.add(id);
    this.#kick();
  }

  /** The state `/healthz` and `/fleet/summary` show. */
  status(): ServePostgresStatus {
    const pending = this.#endpoints.size > 0 || this.#transitions.length > 0 || this.#writing !== undefined;
    return {
      state: this.#lastError !== null ? 'unreachable' : pending ? 'writing' : 'current',
      schema: this.#schema,
      pendingEndpoints: this.#endpoints.size,
      pendingTransitions: this.#transitions.length + this.#inFlight,
      maxBacklogTransitions: this.#maxBacklog,
      writes: this.#writes,
      lastError: this.#lastError,
    };
  }

  /**
   * Writes what is waiting (one last attempt, after the server stopped taking records),
   * then closes the connection. A backlog that cannot be written is reported in one line:
   * the journal (`--checkpoint`) still holds its records.
   *
   * @example
   * await server.close();
   * await pg.close();
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#writing;
    if (this.#endpoints.size > 0 || this.#transitions.length > 0) {
      if (this.#db === undefined) await this.#reconnect();
      if (this.#db !== undefined) await this.#write();
    }
    if (this.#endpoints.size > 0 || this.#transitions.length > 0) {
      this.#log(
        `simfleet serve: --pg: stopped with ${this.#endpoints.size} endpoint rows and ${this.#transitions.length} transitions not written to schema ${this.#schema} (${this.#lastError ?? 'unknown error'})`,
      );
    }
    await this.#db?.close().catch(() => {});
    this.#db = undefined;
  }

  /** Starts the write loop unless it runs or waits for a reconnection. */
  #kick(): void {
    if (this.#writing !== undefined || this.#retry !== undefined || this.#closed) return;
    this.#writing = this.#loop().finally(() => {
      this.#writing = undefined;
    });
  }

  /** Writes until nothing waits, or schedules a reconnection when a write fails. */
  async #loop(): Promise<void> {
    while (!this.#closed && (this.#endpoints.size > 0 || this.#transitions.length > 0)) {
      if (this.#db === undefined && !(await this.#reconnect())) {
        this.#scheduleRetry();
        return;
      }
      if (!(await this.#write())) {
        this.#scheduleRetry();
        return;
      }
    }
  }

  /** One transaction with everything waiting; false (backlog kept) when it failed. */
  async #write(): Promise<boolean> {
    const db = this.#db;
    const fleet = this.#fleet;
    if (db === undefined || fleet === undefined) return false;
    const endpoints = this.#endpoints;
    const transitions = this.#transitions;
    this.#endpoints = new Set();
    this.#transitions = new this.#lib.TransitionLog();
    const account = this.#account;
    this.#inFlight = transitions.length;
    try {
      // applyLive reads the rows now: they are the fleet's current state, whatever waited.
      await db.applyLive({
        fleet,
        endpointIds: endpoints,
        transitions,
        position:
          account === undefined ? null : { records: account.records, applied: account.applied, duplicates: account.duplicates, rejected: account.rejected },
        asOf: account?.asOf ?? null,
      });
      this.#inFlight = 0;
      this.#writes++;
      if (this.#lastError !== null) this.#log(`simfleet serve: --pg: schema ${this.#schema} is written again`);
      this.#lastError = null;
      this.#pause = this.#retryMs;
      return true;
    } catch (error) {
      this.#inFlight = 0;
      // Put the batch back in front of what arrived meanwhile (transitions keep their order).
      for (const id of this.#endpoints) endpoints.add(id);
      for (let i = 0; i < this.#transitions.length; i++) transitions.push(this.#transitions.get(i));
      this.#endpoints = endpoints;
      this.#transitions = transitions;
      this.#fail(error);
      // The connection may be dead (server restart, network): start afresh.
      this.#db = undefined;
      await db.close().catch(() => {});
      return false;
    }
  }

  /** Opens a new connection; false when that failed too. */
  async #reconnect(): Promise<boolean> {
    try {
      this.#db = await this.#lib.FleetDatabase.open(this.#url, { schema: this.#schema, connectTimeoutMs: 5000 });
      return true;
    } catch (error) {
      this.#fail(error);
      return false;
    }
  }

  #fail(error: unknown): void {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'failed';
    if (this.#lastError === null) {
      this.#log(`simfleet serve: --pg: ${message}; accepting on, ${this.#transitions.length} transitions waiting, retrying`);
    }
    this.#lastError = message;
  }

  #scheduleRetry(): void {
    if (this.#closed) return;
    const pause = this.#pause;
    this.#pause = Math.min(this.#maxRetryMs, pause * 2);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#kick();
    }, pause);
    this.#retry.unref();
  }
}
