/**
 * Fleet state in PostgreSQL: one connection, one transaction per write, each holding the
 * rows and the progress marker that says what they cover — a reader (or a restarted
 * writer) never sees rows without their marker or a marker without its rows.
 *
 * Every write goes the same way: COPY into temporary staging tables (the fastest way
 * into PostgreSQL), then one set-based statement per table:
 * - endpoints: `INSERT … ON CONFLICT DO UPDATE … WHERE the row differs` — unchanged rows
 *   are not rewritten (no dead tuples for a re-run). PostgreSQL refuses to update a row
 *   twice in one such statement, so the batch holds each endpoint once (deduplicated here).
 * - transitions: a change one event made to several endpoints (an organisation's block)
 *   is one `organisation_transitions` row holding its endpoints; the changes of one
 *   endpoint alone go into `endpoint_transitions` with `INSERT … ON CONFLICT DO NOTHING`
 *   on (endpoint_id, region, event_id): a re-run, or a batch that repeats a change, adds
 *   nothing. DO NOTHING has no "second time" restriction, so duplicates inside one batch
 *   need no pass of their own. A big load rebuilds the key instead of maintaining it
 *   (`#insertTransitions`). The view `transitions` shows both as one row per change.
 * - progress: upserted last, in the same transaction.
 */

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type EndpointState, type FleetStore, formatTimestamp, type JsonValue, type Transition } from '@simfleet/core';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyChunks } from './copyText.js';
import { ENDPOINT_COLUMNS, endpointCopyBinary, ORGANISATION_COLUMNS, organisationCopyLines } from './endpointRows.js';
import { type EncodedMemberList, encodeMemberLists, type MemberChunk, MemberChunker } from './memberChunks.js';
import { type MigrateResult, migrate } from './migrations.js';
import { connectError, PgFleetError, queryError, redactUrl } from './PgFleetError.js';
import { DEFAULT_SCHEMA, quoteSchema } from './schemaName.js';
import { CHUNK_COLUMNS, chunkCopyBinary, MEMBER_LIST_COLUMNS, memberListCopyBinary, SHARED_COLUMNS, sharedCopyBinary } from './sharedRows.js';
import { type SharedChange, TRANSITION_COLUMNS, TransitionLog, type TransitionSplit } from './TransitionLog.js';

/** Options of `FleetDatabase.open`. */
export interface FleetDatabaseOptions {
  /** Schema of the tables (default `simfleet`); created and migrated when needed. */
  readonly schema?: string;
  /** Give up connecting after this long (default 10 s). */
  readonly connectTimeoutMs?: number;
  /**
   * Transitions from which a write into a table no bigger than them rebuilds the unique
   * key instead of maintaining it row by row (default 100,000). Both ways add the same rows.
   */
  readonly bulkTransitions?: number;
}

/** The progress marker of a writer: what its rows cover. */
export interface FleetProgress {
  /** Who wrote it: `replay` for a finished replay, `live` for a live service. */
  readonly stream: string;
  /** What has been applied: inputs and counts, or a journal position (any JSON). */
  readonly position: JsonValue;
  /** Time of the newest applied event (UTC epoch ms), or null. */
  readonly asOf: number | null;
}

/** A finished replay's fleet, for `writeReplay`. */
export interface ReplayWrite {
  readonly fleet: FleetStore;
  /** Every state change the replay reported (`onTransition: log.push`). */
  readonly transitions: TransitionLog;
  /** What the replay read (inputs, counts): stored as the `replay` progress position. */
  readonly position: JsonValue;
  readonly asOf: number | null;
}

/** One batch of a live service, for `applyLive`. */
export interface LiveBatch {
  /** The live fleet: the rows of `endpointIds` are read from it when `applyLive` is called. */
  readonly fleet: FleetStore;
  /** Endpoints whose state changed in the batch (repeats are fine). */
  readonly endpointIds: Iterable<number>;
  /** The batch's state changes, as `applyBatch` reported them. */
  readonly transitions: TransitionLog | readonly Transition[];
  /** Where the batch ends in the journal (any JSON; read it back with `readProgress('live')`). */
  readonly position: JsonValue;
  /** Time of the newest applied event (UTC epoch ms), or null. */
  readonly asOf: number | null;
  /** The progress row to write (default `live`): one per writer, e.g. `partition.3`. */
  readonly stream?: string;
  /**
   * Compare-and-set: called in the transaction, with the stream's row locked, on the stored
   * position (`undefined` when there is none); returning false rolls the write back with a
   * `position_moved` error. Two writers of one stream never both pass it.
   */
  readonly expectPosition?: (stored: JsonValue | undefined) => boolean;
  /** Organisation rows to write (default: every organisation of the fleet). */
  readonly organisations?: (organisationId: number) => boolean;
}

/** Rows a write changed. */
export interface WriteResult {
  /** Endpoint rows inserted or changed (unchanged ones are not rewritten). */
  readonly endpoints: number;
  /** Endpoint rows removed because the replayed fleet does not hold them (replay only). */
  readonly endpointsRemoved: number;
  /** Transition rows added (already present ones are skipped). */
  readonly transitions: number;
  /** Organisation rows inserted or changed. */
  readonly organisations: number;
}

/** Transitions staged and inserted at a time: bounds the staging table of a big replay. */
const TRANSITION_BATCH = 500_000;
/** `FleetDatabaseOptions.bulkTransitions` when not given. */
const BULK_TRANSITIONS = 100_000;

/**
 * simfleet's tables in one PostgreSQL schema.
 *
 * @example
 * const db = await FleetDatabase.open('postgres://simfleet@localhost/fleet');
 * try {
 *   await db.writeReplay({ fleet: session.fleet, transitions: log, position: { inputs: ['day.ndjson'] }, asOf: account.asOf });
 * } finally {
 *   await db.close();
 * }
 */
export class FleetDatabase {
  readonly schema: string;
  /** What opening did to the schema (migrations applied). */
  readonly migration: MigrateResult;
  readonly #client: pg.Client;
  readonly #s: string;
  readonly #bulkTransitions: number;
  #busy: Promise<unknown> = Promise.resolve();

  private constructor(client: pg.Client, schema: string, migration: MigrateResult, bulkTransitions: number) {
    this.#client = client;
    this.#bulkTransitions = bulkTransitions;
    this.schema = schema;
    this.#s = quoteSchema(schema);
    this.migration = migration;
  }

  /**
   * Connects, then creates or migrates the schema. Fails with one `PgFleetError` line for
   * an unusable connection string or schema name, an unreachable server, bad credentials,
   * a missing database, or a schema this simfleet does not recognise.
   *
   * @example
   * const db = await FleetDatabase.open(process.env.SIMFLEET_PG_URL!, { schema: 'fleet_eu' });
   */
  static async open(url: string, options: FleetDatabaseOptions = {}): Promise<FleetDatabase> {
    const schema = options.schema ?? DEFAULT_SCHEMA;
    quoteSchema(schema);
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new PgFleetError('invalid_url', `'${redactUrl(url)}' is not a PostgreSQL connection string (postgres://user@host:port/database)`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000 });
    // An error after connecting (server restart, killed backend) rejects the running query;
    // without a listener it would also be thrown as an uncaught 'error' event.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw connectError(url, error);
    }
    try {
      // Staging tables are temporary: give them memory before the first one exists.
      await client.query("SET temp_buffers = '64MB'");
      const migration = await migrate(client, schema);
      return new FleetDatabase(client, schema, migration, options.bulkTransitions ?? BULK_TRANSITIONS);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  }

  /**
   * Writes a finished replay in one transaction: `endpoints` and `organisations` become
   * exactly the fleet (rows of endpoints the fleet does not hold are removed), its
   * transitions are added (those already there skipped), and the `replay` progress row
   * records `position`. The same replay twice leaves identical tables. The log holds each
   * change once, as `applyBatch` reports it (a big load refuses one that does not).
   *
   * @example
   * const log = new TransitionLog();
   * // replay with onTransition: log.push, then:
   * await db.writeReplay({ fleet, transitions: log, position: { inputs: ['a.ndjson'] }, asOf });
   */
  writeReplay(replay: ReplayWrite): Promise<WriteResult> {
    const { fleet } = replay;
    const ids = fleet.endpointIds();
    return this.#write('writing the replay', {
      endpointRows: endpointCopyBinary(ids.length, (i) => fleet.readEndpoint(ids[i] as number)!),
      organisationLines: organisationCopyLines(fleet),
      transitions: replay.transitions,
      fleet,
      fullFleet: true,
      progress: { stream: 'replay', position: replay.position, asOf: replay.asOf },
    });
  }

  /**
   * Applies one live batch in one transaction: the rows of the changed endpoints, the
   * fleet's organisations, the batch's transitions and the `live` progress position.
   * The endpoint rows are read from the fleet synchronously, when this is called, so the
   * caller may go on applying events while the write is under way. Writes run one at a
   * time in call order. Re-applying a batch (after a crash between commit and the
   * caller's own bookkeeping) changes nothing.
   *
   * @example
   * const log = new TransitionLog();
   * applyBatch(fleet, columns, { onTransition: log.push });
   * await db.applyLive({ fleet, endpointIds: changedIds, transitions: log, position: { journal: 'live.ckpt', offset: 1234 }, asOf });
   */
  applyLive(batch: LiveBatch): Promise<WriteResult> {
    const { fleet } = batch;
    // One row per endpoint (ON CONFLICT DO UPDATE may not touch a row twice), read now.
    const seen = new Set<number>();
    const states: EndpointState[] = [];
    for (const id of batch.endpointIds) {
      if (seen.has(id)) continue;
      seen.add(id);
      const state = fleet.readEndpoint(id);
      if (state !== undefined) states.push(state);
    }
    // The caller may clear and reuse its log once this returns: take a copy now.
    const transitions = new TransitionLog();
    if (batch.transitions instanceof TransitionLog) {
      for (let i = 0; i < batch.transitions.length; i++) transitions.push(batch.transitions.get(i));
    } else {
      for (const t of batch.transitions) transitions.push(t);
    }
    const keep = batch.organisations;
    const organisationLines = organisationCopyLines(fleet).filter((_, o) => keep === undefined || keep(fleet.organisationIds[o] as number));
    return this.#write('applying a live batch', {
      endpointRows: endpointCopyBinary(states.length, (i) => states[i] as EndpointState),
      organisationLines,
      transitions,
      fleet,
      fullFleet: false,
      progress: { stream: batch.stream ?? 'live', position: batch.position, asOf: batch.asOf },
      ...(batch.expectPosition === undefined ? {} : { expectPosition: batch.expectPosition }),
    });
  }

  /**
   * The progress marker a writer left, or `undefined` when it never wrote.
   *
   * @example
   * (await db.readProgress('live'))?.position // e.g. { journal: 'live.ckpt', offset: 1234 }
   */
  readProgress(stream: string): Promise<FleetProgress | undefined> {
    return this.#serial(async () => {
      try {
        const { rows } = await this.#client.query<{ position: JsonValue; as_of: Date | null }>(
          `SELECT position, as_of FROM ${this.#s}.progress WHERE stream = $1`,
          [stream],
        );
        const row = rows[0];
        return row === undefined ? undefined : { stream, position: row.position, asOf: row.as_of === null ? null : row.as_of.getTime() };
      } catch (error) {
        throw queryError(`reading progress of ${stream} in schema ${this.schema}`, error);
      }
    });
  }

  /** Runs a query on the connection (between writes), e.g. for reports. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>> {
    return this.#serial(() => this.#client.query<R>(text, values === undefined ? undefined : [...values]));
  }

  /** Waits for pending writes, then closes the connection. */
  async close(): Promise<void> {
    await this.#busy.catch(() => {});
    await this.#client.end();
  }

  /** Runs `task` after every earlier one: one connection, one statement stream. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#busy.then(task, task);
    this.#busy = run.catch(() => {});
    return run;
  }

  #write(
    what: string,
    w: {
      /** COPY binary data of the endpoint rows (`endpointCopyBinary`). */
      readonly endpointRows: Iterable<Buffer>;
      readonly organisationLines: readonly string[];
      readonly transitions: TransitionLog;
      readonly fleet: FleetStore;
      readonly fullFleet: boolean;
      readonly progress: FleetProgress;
      readonly expectPosition?: (stored: JsonValue | undefined) => boolean;
    },
  ): Promise<WriteResult> {
    return this.#serial(async () => {
      const c = this.#client;
      const s = this.#s;
      try {
        // Asked before the transaction (its lock ends with the statement): whether this write
        // may take a path that drops indexes or keys (an empty endpoints table, a bulk of
        // transitions). Such a write locks those tables before it reads them, below, so two
        // writers starting on a fresh schema queue instead of deadlocking on a lock upgrade.
        const { rows: before } = await c.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${s}.endpoints) AS empty`);
        const mayBulk = w.transitions.length >= this.#bulkTransitions;
        await c.query('BEGIN');
        if (w.expectPosition !== undefined) {
          // The row first (a JSON null when new), then its lock: a second writer waits here
          // for the first to commit, then sees the position it stored.
          await c.query(`INSERT INTO ${s}.progress (stream, position) VALUES ($1, 'null'::jsonb) ON CONFLICT (stream) DO NOTHING`, [w.progress.stream]);
          const { rows } = await c.query<{ position: JsonValue }>(`SELECT position FROM ${s}.progress WHERE stream = $1 FOR UPDATE`, [w.progress.stream]);
          const stored = rows[0]?.position ?? null;
          if (!w.expectPosition(stored === null ? undefined : stored)) {
            throw new PgFleetError(
              'position_moved',
              `schema ${this.schema}: progress ${w.progress.stream} is at ${JSON.stringify(stored)}, not where this write continues from: nothing was written`,
            );
          }
        }
        // After the progress row (every writer takes its locks in that order).
        if (before[0]!.empty) await c.query(`LOCK TABLE ${s}.endpoints IN ACCESS EXCLUSIVE MODE`);
        if (mayBulk) await c.query(`LOCK TABLE ${s}.endpoint_transitions IN ACCESS EXCLUSIVE MODE`);
        await c.query(`CREATE TEMP TABLE stage_endpoints (LIKE ${s}.endpoints) ON COMMIT DROP`);
        await c.query(`CREATE TEMP TABLE stage_organisations (LIKE ${s}.organisations) ON COMMIT DROP`);
        await c.query(`CREATE TEMP TABLE stage_transitions (LIKE ${s}.endpoint_transitions) ON COMMIT DROP`);
        let endpoints: number;
        let endpointsRemoved = 0;
        let split: TransitionSplit;
        const endpointColumns = ENDPOINT_COLUMNS.join(', ');
        const { rows: none } = await c.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${s}.endpoints) AS empty`);
        if (none[0]!.empty) {
          // Nothing to compare with (a first replay): the rows go straight in, no staging,
          // and the secondary indexes are built once after them.
          const indexes = await this.#dropSecondaryIndexes('endpoints');
          endpoints = await this.#copy(`COPY ${s}.endpoints (${endpointColumns}) FROM STDIN (FORMAT binary)`, w.endpointRows);
          // Sent as one statement, so the server builds them all while this thread splits
          // the transitions (synchronous work, before the next await).
          const built = indexes.length === 0 ? Promise.resolve() : c.query(indexes.join(';\n'));
          built.catch(() => {}); // awaited below; a failure in between must not leave it unhandled
          split = w.transitions.split();
          await built;
        } else {
          await this.#copy(`COPY stage_endpoints (${endpointColumns}) FROM STDIN (FORMAT binary)`, w.endpointRows);
          const upserted = c.query(upsertSql(s, 'endpoints', 'stage_endpoints', ENDPOINT_COLUMNS));
          upserted.catch(() => {}); // awaited below, as above
          split = w.transitions.split();
          endpoints = (await upserted).rowCount ?? 0;
        }
        if (w.fullFleet && !none[0]!.empty) {
          const removed = await c.query(`DELETE FROM ${s}.endpoints e WHERE NOT EXISTS (SELECT 1 FROM stage_endpoints n WHERE n.endpoint_id = e.endpoint_id)`);
          endpointsRemoved = removed.rowCount ?? 0;
        }
        await this.#copy(
          `COPY stage_organisations (${ORGANISATION_COLUMNS.join(', ')}) FROM STDIN`,
          copyChunks(w.organisationLines.length, (i) => w.organisationLines[i] as string),
        );
        const organisations = await c.query(upsertSql(s, 'organisations', 'stage_organisations', ORGANISATION_COLUMNS));
        if (w.fullFleet) {
          await c.query(`DELETE FROM ${s}.organisations o WHERE NOT EXISTS (SELECT 1 FROM stage_organisations n WHERE n.organisation_id = o.organisation_id)`);
        }
        const transitions = await this.#insertTransitions(w.transitions, split, w.fleet);
        const p = w.progress;
        await c.query(
          `INSERT INTO ${s}.progress AS p (stream, position, as_of) VALUES ($1, $2::jsonb, $3::timestamptz)
           ON CONFLICT (stream) DO UPDATE SET position = EXCLUDED.position, as_of = EXCLUDED.as_of
           WHERE (p.position, p.as_of) IS DISTINCT FROM (EXCLUDED.position, EXCLUDED.as_of)`,
          [p.stream, JSON.stringify(p.position, jsonBigInt), p.asOf === null ? null : formatTimestamp(p.asOf)],
        );
        await c.query('COMMIT');
        return { endpoints, endpointsRemoved, transitions, organisations: organisations.rowCount ?? 0 };
      } catch (error) {
        await c.query('ROLLBACK').catch(() => {});
        throw queryError(`${what} into schema ${this.schema}`, error);
      }
    });
  }

  /**
   * Adds the log's transitions that the tables do not hold yet; the number added (a
   * shared change counts once per endpoint it reached).
   *
   * The log is split first (`TransitionLog.split`): a change one event made to several
   * endpoints (an organisation's block) goes into `organisation_transitions` as one row
   * with its endpoints, merged into a row already there for the same change; the changes of
   * one endpoint alone go into `endpoint_transitions`.
   *
   * Row by row (a live batch, a small load): COPY into staging in slices, then
   * `INSERT … ON CONFLICT DO NOTHING`, which also drops changes repeated in the batch. A
   * change either table already holds is not added to the other (a batch written again
   * after it was split another way still adds nothing).
   *
   * A big load into a table not bigger than it (a first replay, a re-run) drops the unique
   * key of `endpoint_transitions`, adds the rows, and builds the key again in one sort: the
   * key starts with the endpoint while rows come in time order, so maintaining it row by
   * row touches a random index page per row (a third of the speed,
   * bench/transitionsLayout.mjs). Into an empty table the rows are COPYed straight in;
   * otherwise they are staged and one hashed anti-join keeps those not there yet. A log
   * holding a change twice makes the rebuilt key refuse the write (a replay's log, as
   * `applyBatch` reports it, never does). A replay splits its log the same way every time,
   * so this path checks its rows against `endpoint_transitions` only. Readers of the
   * transitions wait for such a write to commit; a live service's small batches take the
   * row-by-row path and block no one.
   */
  async #insertTransitions(log: TransitionLog, split: TransitionSplit, fleet: FleetStore): Promise<number> {
    const c = this.#client;
    const s = this.#s;
    const columns = TRANSITION_COLUMNS.join(', ');
    const { own, shared } = split;
    let bulk = false;
    if (own.length > 0 && own.length >= this.#bulkTransitions) {
      const { rows } = await c.query<{ estimate: number }>(
        `SELECT greatest(reltuples, 0)::float8 AS estimate FROM pg_class WHERE oid = '${s}.endpoint_transitions'::regclass`,
      );
      bulk = own.length >= rows[0]!.estimate;
    }
    let added = await this.#insertShared(shared, fleet, !bulk);
    if (!bulk) {
      for (let start = 0; start < own.length; start += TRANSITION_BATCH) {
        const end = Math.min(own.length, start + TRANSITION_BATCH);
        if (start > 0) await c.query('TRUNCATE stage_transitions');
        await this.#copy(`COPY stage_transitions (${columns}) FROM STDIN (FORMAT binary)`, log.copyBinaryOf(own, start, end));
        const result = await c.query(
          `INSERT INTO ${s}.endpoint_transitions (${columns}) SELECT ${columns} FROM stage_transitions n
           WHERE NOT EXISTS (SELECT 1 FROM ${s}.organisation_transitions o
                             WHERE o.event_id = n.event_id AND o.region = n.region AND n.endpoint_id = ANY (o.endpoint_ids))
           ON CONFLICT ON CONSTRAINT endpoint_transitions_once DO NOTHING`,
        );
        added += result.rowCount ?? 0;
      }
      return added;
    }
    // The key goes first: from here on the table is locked against every other session.
    await c.query(`ALTER TABLE ${s}.endpoint_transitions DROP CONSTRAINT endpoint_transitions_once`);
    await c.query("SET LOCAL maintenance_work_mem = '256MB'");
    const { rows } = await c.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${s}.endpoint_transitions) AS empty`);
    if (rows[0]!.empty) {
      const indexes = await this.#dropSecondaryIndexes('endpoint_transitions');
      added += await this.#copy(`COPY ${s}.endpoint_transitions (${columns}) FROM STDIN (FORMAT binary)`, log.copyBinaryOf(own));
      for (const index of indexes) await c.query(index);
    } else {
      await this.#copy(`COPY stage_transitions (${columns}) FROM STDIN (FORMAT binary)`, log.copyBinaryOf(own));
      await c.query('ANALYZE stage_transitions');
      // Without the key the planner may take a nested loop (rows × rows): make it hash.
      await c.query("SET LOCAL work_mem = '64MB'");
      await c.query('SET LOCAL enable_nestloop = off');
      const result = await c.query(
        `INSERT INTO ${s}.endpoint_transitions (${columns}) SELECT ${columns} FROM stage_transitions n
         WHERE NOT EXISTS (SELECT 1 FROM ${s}.endpoint_transitions t WHERE t.endpoint_id = n.endpoint_id AND t.region = n.region AND t.event_id = n.event_id)`,
      );
      added += result.rowCount ?? 0;
      await c.query('RESET enable_nestloop');
    }
    try {
      await c.query(`ALTER TABLE ${s}.endpoint_transitions ADD CONSTRAINT endpoint_transitions_once UNIQUE (endpoint_id, region, event_id)`);
    } catch (error) {
      if ((error as { code?: unknown }).code === '23505') {
        throw new PgFleetError(
          'query_failed',
          `schema ${this.schema}: the transition log holds a change twice (${(error as Error & { detail?: string }).detail ?? 'duplicate key'}): nothing was written`,
          '23505',
        );
      }
      throw error;
    }
    return added;
  }

  /**
   * Adds the shared changes: one `organisation_changes` row each, its endpoints as chunks
   * of `member_chunks` (memberChunks.ts), each distinct chunk stored once. With `checkOwn`,
   * endpoints whose change `endpoint_transitions` already holds are left out. The number of
   * endpoints added.
   *
   * A replay encodes its lists and stages the rows as encoded: a change the table holds
   * encoded the same (a re-run) is left as it is, a new change goes in with its chunks.
   * Every other change (a live write's, or one held with other endpoints: cluster workers
   * each write their own members of an organisation's change) is merged by `#mergeShared`.
   */
  async #insertShared(shared: readonly SharedChange[], fleet: FleetStore, checkOwn: boolean): Promise<number> {
    if (shared.length === 0) return 0;
    if (checkOwn) return this.#mergeShared(shared, fleet, true);
    const c = this.#client;
    const s = this.#s;
    const columns = SHARED_COLUMNS.join(', ');
    const chunker = new MemberChunker();
    const encoded = encodeMemberLists(shared, chunker);
    const { rows } = await c.query<{ empty: boolean }>(
      `SELECT NOT EXISTS (SELECT 1 FROM ${s}.organisation_changes) AND NOT EXISTS (SELECT 1 FROM ${s}.member_chunks) AS empty`,
    );
    if (rows[0]!.empty) {
      // A first load: nothing to merge with (the split merged the log's own repeats).
      await this.#copy(`COPY ${s}.member_chunks (${CHUNK_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`, chunkCopyBinary(chunker.chunks.values()));
      await this.#copy(`COPY ${s}.organisation_changes (${columns}) FROM STDIN (FORMAT binary)`, sharedCopyBinary(shared, encoded, fleet));
      return shared.reduce((n, change) => n + change.endpointIds.length, 0);
    }
    await this.#emptyStage('stage_shared', `(LIKE ${s}.organisation_changes INCLUDING STORAGE)`);
    await this.#copy(`COPY stage_shared (${columns}) FROM STDIN (FORMAT binary)`, sharedCopyBinary(shared, encoded, fleet));
    const { rows: held } = await c.query<{ event_id: string; region: string; from_state: string; to_state: string; same: boolean }>(
      `SELECT n.event_id::text AS event_id, n.region, n.from_state, n.to_state,
              o.chunk_ids = n.chunk_ids AND o.chunk_masks IS NOT DISTINCT FROM n.chunk_masks AS same
       FROM stage_shared n JOIN ${s}.organisation_changes o USING (event_id, region, from_state, to_state)`,
    );
    const index = new Map<string, number>();
    shared.forEach((change, k) => {
      index.set(changeKey(change.eventId.toString(), change.region, change.from, change.to), k);
    });
    const state = new Array<'new' | 'same' | 'other'>(shared.length).fill('new');
    for (const r of held) state[index.get(changeKey(r.event_id, r.region, r.from_state, r.to_state)) as number] = r.same ? 'same' : 'other';
    const fresh = shared.flatMap((_, k) => (state[k] === 'new' ? [k] : []));
    let added = 0;
    if (fresh.length > 0) {
      // New changes (a longer replay over a shorter one): their chunks, their rows.
      await this.#storeChunks(fresh.map((k) => encoded[k] as EncodedMemberList));
      await c.query(
        `INSERT INTO ${s}.organisation_changes (${columns}) SELECT ${columns} FROM stage_shared n
         WHERE NOT EXISTS (SELECT 1 FROM ${s}.organisation_changes o
                           WHERE (o.event_id, o.region, o.from_state, o.to_state) = (n.event_id, n.region, n.from_state, n.to_state))`,
      );
      added += fresh.reduce((n, k) => n + (shared[k] as SharedChange).endpointIds.length, 0);
    }
    const other = shared.filter((_, k) => state[k] === 'other');
    if (other.length > 0) added += await this.#mergeShared(other, fleet, false);
    return added;
  }

  /**
   * Adds to the stored changes the endpoints of `shared` they lack: only those ids are
   * encoded, their chunks stored and appended to the change's row (`endpoint_count` grows
   * by as many), so a change written by several writers costs each only its own endpoints,
   * never a read-back and rewrite of the whole list. A change not stored yet gets its row.
   * With `checkOwn`, endpoints whose change `endpoint_transitions` holds are left out too.
   *
   * Writers merging the same change take turns: a transaction lock per (schema, event,
   * region), taken in one order by every writer, so each sees what the one before it
   * committed and no endpoint is appended twice. A change's chunks are then in the order
   * its writers came, not one ascending list; the view `organisation_transitions` gives the
   * ids ascending whatever their chunks (migration 6).
   */
  async #mergeShared(shared: readonly SharedChange[], fleet: FleetStore, checkOwn: boolean): Promise<number> {
    const c = this.#client;
    const s = this.#s;
    const columns = SHARED_COLUMNS.join(', ');
    await this.#emptyStage('stage_members', '(k integer, event_id numeric(20,0), region text, endpoint_ids bigint[])');
    await this.#copy(`COPY stage_members (${MEMBER_LIST_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`, memberListCopyBinary(shared));
    await c.query(
      `SELECT count(pg_advisory_xact_lock(h)) FROM (
         SELECT DISTINCT hashtextextended($1 || '|' || event_id::text || '|' || region, 0) AS h FROM stage_members ORDER BY 1) AS l`,
      [this.schema],
    );
    // A JIT compile costs more than these queries run; the stored ids hashed in memory.
    await c.query("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'");
    const own = checkOwn
      ? `AND NOT EXISTS (SELECT 1 FROM ${s}.endpoint_transitions e WHERE e.endpoint_id = m AND e.region = n.region AND e.event_id = n.event_id)`
      : '';
    // The stored members of the staged events, once (MATERIALIZED), then the staged ids
    // not among them: one hashed anti-join, not a probe of the stored ids per staged id
    // (which a NOT IN over more than work_mem of ids would become).
    const { rows } = await c.query<{ k: number; ids: number[] }>(
      `WITH stored AS MATERIALIZED (
         SELECT o.event_id, o.region, u.endpoint_id
         FROM ${s}.organisation_changes o
         JOIN (SELECT DISTINCT event_id, region FROM stage_members) AS n USING (event_id, region)
         CROSS JOIN LATERAL unnest(o.chunk_ids, o.chunk_masks) AS r (chunk_id, mask)
         JOIN ${s}.member_chunks ch ON ch.chunk_id = r.chunk_id
         CROSS JOIN LATERAL unnest(ch.endpoint_ids) WITH ORDINALITY AS u (endpoint_id, j)
         WHERE r.mask IS NULL OR get_bit(r.mask, (u.j - 1)::int) = 1
       )
       SELECT n.k, array_agg(m ORDER BY m)::float8[] AS ids
       FROM stage_members n CROSS JOIN LATERAL unnest(n.endpoint_ids) AS m
       WHERE NOT EXISTS (SELECT 1 FROM stored t WHERE t.event_id = n.event_id AND t.region = n.region AND t.endpoint_id = m) ${own}
       GROUP BY n.k`,
    );
    // A list that lacks nothing has no row here.
    const lacking = new Array<Float64Array>(shared.length);
    for (const r of rows) lacking[r.k] = Float64Array.from(r.ids);
    const write = shared.flatMap((_, k) => (lacking[k] !== undefined ? [k] : []));
    if (write.length === 0) return 0;
    const changes = write.map((k) => ({ ...(shared[k] as SharedChange), endpointIds: lacking[k] as Float64Array }));
    const encoded = encodeMemberLists(changes, new MemberChunker());
    await this.#storeChunks(encoded);
    await this.#emptyStage('stage_shared', `(LIKE ${s}.organisation_changes INCLUDING STORAGE)`);
    await this.#copy(`COPY stage_shared (${columns}) FROM STDIN (FORMAT binary)`, sharedCopyBinary(changes, encoded, fleet));
    // Masks are per chunk or none at all (NULL): appending to a row with the other form
    // spells its missing masks as NULLs (every id of those chunks).
    const masksOf = (t: string): string => `coalesce(${t}.chunk_masks, array_fill(NULL::bytea, ARRAY[cardinality(${t}.chunk_ids)]))`;
    await c.query(
      `INSERT INTO ${s}.organisation_changes AS o (${columns}) SELECT ${columns} FROM stage_shared
       ON CONFLICT ON CONSTRAINT organisation_changes_once DO UPDATE SET
         endpoint_count = o.endpoint_count + EXCLUDED.endpoint_count,
         chunk_ids = o.chunk_ids || EXCLUDED.chunk_ids,
         chunk_masks = CASE WHEN o.chunk_masks IS NULL AND EXCLUDED.chunk_masks IS NULL THEN NULL
                            ELSE ${masksOf('o')} || ${masksOf('EXCLUDED')} END`,
    );
    return changes.reduce((n, change) => n + change.endpointIds.length, 0);
  }

  /**
   * An empty staging table of the write's transaction, made on first use (a write may stage
   * shared changes twice: new ones, then a merge). `INCLUDING STORAGE` in `definition` keeps
   * staged arrays uncompressed, like the tables they go to (migration 5).
   */
  async #emptyStage(name: string, definition: string): Promise<void> {
    await this.#client.query(`CREATE TEMP TABLE IF NOT EXISTS ${name} ${definition} ON COMMIT DROP`);
    await this.#client.query(`TRUNCATE ${name}`);
  }

  /** Stores the chunks of `lists` that `member_chunks` does not hold yet. */
  async #storeChunks(lists: readonly EncodedMemberList[]): Promise<void> {
    const c = this.#client;
    const s = this.#s;
    const chunks = new Map<string, MemberChunk>();
    for (const list of lists) for (const chunk of list.chunks) chunks.set(chunk.id.toString('hex'), chunk);
    if (chunks.size === 0) return;
    await this.#emptyStage('stage_chunks', `(LIKE ${s}.member_chunks INCLUDING STORAGE)`);
    await this.#copy(`COPY stage_chunks (${CHUNK_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`, chunkCopyBinary(chunks.values()));
    await c.query(
      `INSERT INTO ${s}.member_chunks (${CHUNK_COLUMNS.join(', ')}) SELECT ${CHUNK_COLUMNS.join(', ')} FROM stage_chunks ON CONFLICT (chunk_id) DO NOTHING`,
    );
  }

  /**
   * Drops the indexes of `table` that back no constraint (the ones users filter on) and
   * returns the statements that create them again, exactly as they were: for a load into
   * an empty table, where one sort per index after the rows costs less than maintaining
   * each index row by row. In the write's transaction: readers see the indexes as before.
   */
  async #dropSecondaryIndexes(table: string): Promise<string[]> {
    const c = this.#client;
    const { rows } = await c.query<{ name: string; definition: string }>(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
       WHERE i.indrelid = '${this.#s}.${table}'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
       ORDER BY 1`,
    );
    for (const { name } of rows) await c.query(`DROP INDEX ${name}`);
    return rows.map((r) => r.definition);
  }

  /** COPYs the chunks in; the number of rows. */
  async #copy(sql: string, chunks: Iterable<string | Buffer>): Promise<number> {
    const stream = this.#client.query(copyFrom(sql));
    await pipeline(Readable.from(chunks, { objectMode: false }), stream);
    return stream.rowCount;
  }
}

/** A shared change's key (the unique key of `organisation_changes`) as one string. */
const changeKey = (eventId: string, region: string, from: string, to: string): string => `${eventId}|${region}|${from}|${to}`;

/** JSON.stringify replacer: bigints (event ids) as decimal strings. */
const jsonBigInt = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

/**
 * `INSERT … SELECT * FROM stage ON CONFLICT (first column) DO UPDATE` that leaves rows
 * equal to their staged version untouched (no new row version, no WAL for them).
 */
function upsertSql(s: string, table: string, stage: string, columns: readonly string[]): string {
  const [key, ...rest] = columns;
  const list = columns.join(', ');
  const target = rest.map((c) => `t.${c}`).join(', ');
  const incoming = rest.map((c) => `EXCLUDED.${c}`).join(', ');
  return `INSERT INTO ${s}.${table} AS t (${list}) SELECT ${list} FROM ${stage}
    ON CONFLICT (${key}) DO UPDATE SET (${rest.join(', ')}) = ROW(${incoming})
    WHERE (${target}) IS DISTINCT FROM (${incoming})`;
}
