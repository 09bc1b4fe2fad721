/**
 * Read queries over the fleet tables (docs/postgres.md), for views that show them: counts
 * and breakdowns, a filtered, sorted page of endpoints, every endpoint of a filter in id
 * order, one endpoint and its transitions, the fleet's newest transitions and its
 * connectivity changes per time bucket (each answered by an index or a scan of
 * `endpoints`; the fleet-wide ones by the B-tree indexes on `at`, migration 4, and never
 * through the view, which would unnest every organisation row of a range). Rows come back
 * as core's `EndpointState` and `Transition`, so a view renders them exactly as it renders
 * the live store's.
 *
 * Its own small connection pool: the writers hold one connection each and serialise their
 * transactions on it, so reads never wait behind a write (PostgreSQL's MVCC gives every
 * read a committed state). Nothing here writes or migrates.
 */
import {
  CONNECTIVITY_STATES,
  type Connectivity,
  ENDPOINT_STATUSES,
  type EndpointState,
  type EndpointStatus,
  type Transition,
  type TransitionRegion,
  transitionOf,
  UNKNOWN_KEY,
} from '@simfleet/core';
import pg from 'pg';
import { connectError, PgFleetError, queryError, redactUrl } from './PgFleetError.js';
import { DEFAULT_SCHEMA, quoteSchema } from './schemaName.js';

/** Columns a page of endpoints sorts by. */
export const ENDPOINT_SORT_KEYS = ['id', 'status', 'connectivity', 'operator', 'country', 'organisation', 'lastEvent', 'since'] as const;
export type EndpointSortKey = (typeof ENDPOINT_SORT_KEYS)[number];

/** Which endpoints: every field empty (`''` or `[]`) means "no filter on it". */
export interface EndpointFilter {
  /** Effective statuses (any of). */
  readonly statuses: readonly string[];
  /** Connectivity states (any of). */
  readonly connectivity: readonly string[];
  /** Operator name, or `unknown` for endpoints no event named one for. */
  readonly operator: string;
  /** ISO country code as stored (lower case), or `unknown`. */
  readonly country: string;
  /** Organisation id as text, or `unknown`. */
  readonly organisation: string;
  /** Found inside the id, ICCID, IMSI, IMEI or name (case-insensitive: `lower()`, so under the database's LC_CTYPE). */
  readonly text: string;
}

/** A page of a filter: its sort (ties by ascending id) and its place. */
export interface EndpointPageRequest extends EndpointFilter {
  readonly sort: EndpointSortKey;
  readonly descending: boolean;
  /** 1-based; past the last page means the last page. */
  readonly page: number;
  readonly per: number;
}

/** One page of the endpoints of a filter. */
export interface EndpointPage {
  /** Endpoints that pass the filter (every page). */
  readonly matched: number;
  readonly pages: number;
  /** The page returned (the requested one, clamped to the last). */
  readonly page: number;
  readonly items: readonly EndpointState[];
}

/** Where a chart of connectivity changes starts and ends (event time, ms, both included). */
export interface ChangeWindow {
  readonly from: number;
  readonly to: number;
}

/** Connectivity changes into one state in one time bucket. */
export interface ChangeBucket {
  /** The bucket's start, Unix seconds (a multiple of the bucket width). */
  readonly start: number;
  readonly to: Connectivity;
  readonly changes: number;
}

/** Counts of the `endpoints` table, keyed as core's `FleetSummary` keys them. */
export interface FleetCounts {
  readonly byStatus: Readonly<Record<EndpointStatus, number>>;
  readonly byConnectivity: Readonly<Record<Connectivity, number>>;
  readonly byOperator: Readonly<Record<string, number>>;
  readonly byCountry: Readonly<Record<string, number>>;
  readonly byOrganisation: Readonly<Record<string, number>>;
  readonly totals: { readonly endpoints: number; readonly organisations: number };
}

/** One endpoint's transitions: the newest `limit` of them, oldest first. */
export interface EndpointHistory {
  readonly transitions: readonly Transition[];
  /** How many the tables hold for it (more than `transitions.length` when cut). */
  readonly total: number;
}

export interface FleetQueriesOptions {
  /** Schema of the tables (default `simfleet`). */
  readonly schema?: string;
  /** Connections the pool opens at most (default 4). */
  readonly maxConnections?: number;
  /** Longest a read may run, ms (default 15 000): a view waits no longer. */
  readonly statementTimeoutMs?: number;
  /** Connection timeout, ms (default 10 000). */
  readonly connectTimeoutMs?: number;
}

/** The order of a device's changes within one event (the order `applyBatch` reports them). */
const REGION_ORDER: readonly TransitionRegion[] = ['connectivity', 'sim', 'endpoint', 'block', 'dataQuota', 'smsQuota', 'status'];

const TEXT_COLUMNS = ['iccid', 'imsi', 'imei'] as const;

/**
 * One endpoint's rows of the `transitions` view, read from its tables: the endpoint's own
 * changes by their index; the organisation changes that reached it through the member
 * chunks holding it (`@>` on each chunk, a fraction of the ids the rows reach), the rows
 * referring to those chunks, and the row's mask of the chunk (the view would unnest every
 * row to find it; docs/postgres.md).
 */
const endpointHistorySql = (s: string): string =>
  `SELECT $1::bigint AS endpoint_id, region, from_state, to_state, at, event_id FROM ${s}.endpoint_transitions WHERE endpoint_id = $1::bigint
   UNION ALL
   SELECT $1::bigint, o.region, o.from_state, o.to_state, o.at, o.event_id
   FROM ${s}.member_chunks c
   JOIN ${s}.organisation_changes o ON o.chunk_ids @> ARRAY[c.chunk_id]
   CROSS JOIN LATERAL unnest(o.chunk_ids, o.chunk_masks) AS r (chunk_id, mask)
   WHERE c.endpoint_ids @> ARRAY[$1::bigint] AND r.chunk_id = c.chunk_id
     AND (r.mask IS NULL OR get_bit(r.mask, array_position(c.endpoint_ids, $1::bigint) - 1) = 1)`;

/** The sort expression of each key, as the live store's table sorts (unknown text as ''). */
const SORT_SQL: Record<EndpointSortKey, string> = {
  id: 'endpoint_id',
  status: `array_position(ARRAY[${ENDPOINT_STATUSES.map((s) => `'${s}'`).join(',')}]::text[], status)`,
  connectivity: `array_position(ARRAY[${CONNECTIVITY_STATES.map((s) => `'${s}'`).join(',')}]::text[], connectivity)`,
  operator: `COALESCE(operator_name, '') COLLATE "C"`,
  country: `COALESCE(operator_country, '') COLLATE "C"`,
  organisation: 'organisation_id',
  lastEvent: 'last_event_at',
  since: 'since',
};

/**
 * Read access to the fleet tables of one schema.
 *
 * @example
 * const q = await FleetQueries.open('postgres://simfleet@127.0.0.1/fleet');
 * const counts = await q.counts();            // { byStatus: { ONLINE: 8123, … }, … }
 * const page = await q.endpointPage({ statuses: ['OFFLINE'], connectivity: [], operator: '', country: '', organisation: '', text: '', sort: 'lastEvent', descending: true, page: 1, per: 50 });
 * await q.close();
 */
export class FleetQueries {
  readonly schema: string;
  /** Whether the schema's `endpoints` has the `name` column (a schema migrated before it has not: no name to search). */
  readonly hasNames: boolean;
  readonly #pool: pg.Pool;
  readonly #s: string;

  private constructor(pool: pg.Pool, schema: string, hasNames: boolean) {
    this.#pool = pool;
    this.schema = schema;
    this.hasNames = hasNames;
    this.#s = quoteSchema(schema);
  }

  /**
   * Opens a pool on `url` and checks that the schema holds the fleet tables. Fails with one
   * `PgFleetError` line (unreachable server, credentials, missing database, or a schema
   * without the tables: nothing was written to it yet).
   *
   * @example
   * const q = await FleetQueries.open(url, { schema: 'fleet_eu' });
   */
  static async open(url: string, options: FleetQueriesOptions = {}): Promise<FleetQueries> {
    const schema = options.schema ?? DEFAULT_SCHEMA;
    quoteSchema(schema);
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new PgFleetError('invalid_url', `'${redactUrl(url)}' is not a PostgreSQL connection string (postgres://user@host:port/database)`);
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      statement_timeout: options.statementTimeoutMs ?? 15_000,
      application_name: 'simfleet reads',
    });
    // An idle connection the server drops must not become an uncaught 'error' event.
    pool.on('error', () => {});
    let found: string | null;
    let hasNames: boolean;
    try {
      const { rows } = await pool.query<{ t: string | null; named: boolean }>(
        `SELECT to_regclass($1) AS t, EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = $2 AND table_name = 'endpoints' AND column_name = 'name') AS named`,
        [`${quoteSchema(schema)}.endpoints`, schema],
      );
      found = rows[0]?.t ?? null;
      hasNames = rows[0]?.named === true;
    } catch (error) {
      await pool.end().catch(() => {});
      throw connectError(url, error);
    }
    if (found === null) {
      await pool.end().catch(() => {});
      throw new PgFleetError(
        'schema_mismatch',
        `schema ${schema} of ${redactUrl(url)} has no fleet tables: write to it first (simfleet replay --pg or serve --pg)`,
      );
    }
    return new FleetQueries(pool, schema, hasNames);
  }

  /**
   * Endpoints by status, connectivity, operator, country and organisation, and the totals:
   * the numbers `FleetSummary` has for the same fleet.
   *
   * @example
   * (await q.counts()).byStatus.OFFLINE // 1204
   */
  async counts(): Promise<FleetCounts> {
    const s = this.#s;
    const u = `'${UNKNOWN_KEY}'`;
    const { rows } = await this.#query<{ k: string; v: string; n: string }>(
      'counting endpoints',
      `SELECT 's' AS k, status AS v, count(*) AS n FROM ${s}.endpoints GROUP BY status
       UNION ALL SELECT 'c', connectivity, count(*) FROM ${s}.endpoints GROUP BY connectivity
       UNION ALL SELECT 'o', COALESCE(operator_name, ${u}), count(*) FROM ${s}.endpoints GROUP BY 2
       UNION ALL SELECT 'y', COALESCE(operator_country, ${u}), count(*) FROM ${s}.endpoints GROUP BY 2
       UNION ALL SELECT 'g', COALESCE(organisation_id::text, ${u}), count(*) FROM ${s}.endpoints GROUP BY 2
       UNION ALL SELECT 'O', '', count(*) FROM ${s}.organisations`,
    );
    const byStatus = new Map<string, number>(ENDPOINT_STATUSES.map((name) => [name, 0]));
    const byConnectivity = new Map<string, number>(CONNECTIVITY_STATES.map((name) => [name, 0]));
    const byOperator = new Map<string, number>();
    const byCountry = new Map<string, number>();
    const byOrganisation = new Map<string, number>();
    const groups: Record<string, Map<string, number>> = { s: byStatus, c: byConnectivity, o: byOperator, y: byCountry, g: byOrganisation };
    let endpoints = 0;
    let organisations = 0;
    for (const row of rows) {
      const n = Number(row.n);
      if (row.k === 'O') organisations = n;
      else groups[row.k]?.set(row.v, n);
      if (row.k === 's') endpoints += n;
    }
    return {
      byStatus: sortedRecord(byStatus) as Record<EndpointStatus, number>,
      byConnectivity: sortedRecord(byConnectivity) as Record<Connectivity, number>,
      byOperator: sortedRecord(byOperator),
      byCountry: sortedRecord(byCountry),
      byOrganisation: sortedRecord(byOrganisation),
      totals: { endpoints, organisations },
    };
  }

  /**
   * The newest event time the tables cover (the writers' progress rows), ms; null when none.
   *
   * @example
   * await q.asOf() // 1635323882000
   */
  async asOf(): Promise<number | null> {
    const { rows } = await this.#query<{ t: Date | null }>('reading progress', `SELECT max(as_of) AS t FROM ${this.#s}.progress`);
    return rows[0]?.t?.getTime() ?? null;
  }

  /**
   * One page of the endpoints that pass `request`'s filter, sorted (ties by id) and paged
   * in the database.
   *
   * @example
   * const { matched, items } = await q.endpointPage({ ...noFilter, sort: 'id', descending: false, page: 2, per: 50 });
   */
  async endpointPage(request: EndpointPageRequest): Promise<EndpointPage> {
    const values: unknown[] = [];
    const where = filterSql(request, values, this.hasNames);
    const { rows: countRows } = await this.#query<{ n: string }>('counting endpoints', `SELECT count(*) AS n FROM ${this.#s}.endpoints${where}`, values);
    const matched = Number(countRows[0]?.n ?? 0);
    const pages = Math.max(1, Math.ceil(matched / request.per));
    const page = Math.min(request.page, pages);
    const dir = request.descending ? 'DESC NULLS LAST' : 'ASC NULLS FIRST';
    const order = request.sort === 'id' ? `endpoint_id ${request.descending ? 'DESC' : 'ASC'}` : `${SORT_SQL[request.sort]} ${dir}, endpoint_id ASC`;
    values.push(request.per, (page - 1) * request.per);
    const { rows } = await this.#query(
      'reading endpoints',
      `SELECT * FROM ${this.#s}.endpoints${where} ORDER BY ${order} LIMIT $${values.length - 1} OFFSET $${values.length}`,
      values,
    );
    return { matched, pages, page, items: rows.map(endpointFromRow) };
  }

  /**
   * Every endpoint that passes `filter`, by ascending id, `batch` rows at a time (keyset
   * pages: no cursor held open between batches).
   *
   * @example
   * for await (const rows of q.eachEndpoint(filter)) for (const s of rows) out.write(csvLine(s));
   */
  async *eachEndpoint(filter: EndpointFilter, batch = 5000): AsyncGenerator<readonly EndpointState[]> {
    let after = -1;
    for (;;) {
      const values: unknown[] = [];
      const where = filterSql(filter, values, this.hasNames);
      values.push(after, batch);
      const keyset = `${where === '' ? ' WHERE' : `${where} AND`} endpoint_id > $${values.length - 1}`;
      const { rows } = await this.#query(
        'reading endpoints',
        `SELECT * FROM ${this.#s}.endpoints${keyset} ORDER BY endpoint_id LIMIT $${values.length}`,
        values,
      );
      if (rows.length === 0) return;
      const states = rows.map(endpointFromRow);
      yield states;
      if (rows.length < batch) return;
      after = (states[states.length - 1] as EndpointState).endpointId;
    }
  }

  /**
   * One endpoint's row, or undefined when the tables hold none.
   *
   * @example
   * (await q.endpoint(11089066))?.status // 'ONLINE'
   */
  async endpoint(endpointId: number): Promise<EndpointState | undefined> {
    const { rows } = await this.#query('reading an endpoint', `SELECT * FROM ${this.#s}.endpoints WHERE endpoint_id = $1`, [endpointId]);
    return rows.length === 0 ? undefined : endpointFromRow(rows[0] as Record<string, unknown>);
  }

  /**
   * One endpoint's transitions, oldest first (by event time, event id, then the order a
   * single event reports its regions): the newest `limit`, and how many there are.
   *
   * @example
   * const { transitions, total } = await q.endpointTransitions(11089066, 2000);
   */
  async endpointTransitions(endpointId: number, limit: number): Promise<EndpointHistory> {
    const s = this.#s;
    const { rows } = await this.#query<TransitionRow & { total: string }>(
      'reading transitions',
      `SELECT endpoint_id, region, from_state, to_state, at, event_id, count(*) OVER () AS total
       FROM (${endpointHistorySql(s)}) AS history
       ORDER BY at DESC, event_id DESC, ${regionRank('region')} DESC LIMIT $2`,
      [endpointId, limit],
    );
    return { transitions: rows.map(transitionFromRow).reverse(), total: Number(rows[0]?.total ?? 0) };
  }

  /**
   * The fleet's newest `limit` transitions, newest first: by event time, event id, endpoint
   * id, then the order one event reports its regions — the rows of the `transitions` view
   * (an organisation row once per member), read from its two tables by their indexes on
   * `at`. Each table gives its newest `limit` rows and those at the same time (`WITH TIES`),
   * and an organisation row only its `limit` highest members (ascending array): no row of
   * the answer can lie outside those, and nothing else is read, whatever the tables hold.
   *
   * @example
   * (await q.recentTransitions(25))[0] // { endpointId: 11089066, region: 'connectivity', from: 'ATTACHED', to: 'ONLINE', at: …, eventId: … }
   */
  async recentTransitions(limit: number): Promise<Transition[]> {
    const s = this.#s;
    const { rows } = await this.#query<TransitionRow>(
      'reading the newest transitions',
      `WITH own AS (
         SELECT endpoint_id, region, from_state, to_state, at, event_id FROM ${s}.endpoint_transitions
         ORDER BY at DESC FETCH FIRST $1 ROWS WITH TIES),
       shared AS (
         SELECT region, from_state, to_state, at, event_id, endpoint_ids FROM ${s}.organisation_transitions
         ORDER BY at DESC FETCH FIRST $1 ROWS WITH TIES)
       SELECT * FROM (
         SELECT * FROM own
         UNION ALL
         SELECT m.endpoint_id, o.region, o.from_state, o.to_state, o.at, o.event_id
         FROM shared o CROSS JOIN LATERAL unnest(o.endpoint_ids[greatest(1, cardinality(o.endpoint_ids) - $1 + 1):]) AS m (endpoint_id)) AS r
       ORDER BY at DESC, event_id DESC, endpoint_id DESC, ${regionRank('region')} DESC
       LIMIT $1`,
      [limit],
    );
    return rows.map(transitionFromRow);
  }

  /**
   * The event time the newest `newest` connectivity changes span: from the oldest of them
   * (changes at the same time included) to the newest; null when the tables hold none. Read
   * from the newest end of `endpoint_transitions`' index on connectivity changes (migration
   * 4), so it costs `newest` index entries whatever the history's length. Organisations'
   * events never change connectivity; should a row of `organisation_changes` say so,
   * the window reaches it too.
   *
   * @example
   * await q.connectivityWindow(50_000) // { from: 1635294000005, to: 1635300000000 }
   */
  async connectivityWindow(newest: number): Promise<ChangeWindow | null> {
    const s = this.#s;
    const { rows } = await this.#queryInIndexOrder<{ oldest: Date | null; latest: Date | null }>(
      'reading the connectivity changes',
      `SELECT least(
                (SELECT min(at) FROM (SELECT at FROM ${s}.endpoint_transitions WHERE region = 'connectivity' ORDER BY at DESC LIMIT $1) AS n),
                (SELECT min(at) FROM ${s}.organisation_changes WHERE region = 'connectivity')) AS oldest,
              greatest(
                (SELECT max(at) FROM ${s}.endpoint_transitions WHERE region = 'connectivity'),
                (SELECT max(at) FROM ${s}.organisation_changes WHERE region = 'connectivity')) AS latest`,
      [newest],
    );
    const row = rows[0];
    if (row?.oldest == null || row.latest == null) return null;
    return { from: row.oldest.getTime(), to: row.latest.getTime() };
  }

  /**
   * Connectivity changes per `bucketSeconds` of event time and state entered, in `window`:
   * the rows of the `transitions` view (an organisation row counts once per member), counted
   * from its two tables (`date_bin` on buckets aligned to the Unix epoch). Only non-empty
   * buckets, by start.
   *
   * @example
   * await q.connectivityBuckets({ from, to }, 60) // [{ start: 1635294000, to: 'ONLINE', changes: 412 }, …]
   */
  async connectivityBuckets(window: ChangeWindow, bucketSeconds: number): Promise<ChangeBucket[]> {
    const s = this.#s;
    const bucket = (column: string): string => `extract(epoch FROM date_bin(make_interval(secs => $3), ${column}, 'epoch'))::bigint`;
    const { rows } = await this.#query<{ start: string; to_state: string; n: string }>(
      'counting connectivity changes',
      `SELECT start, to_state, sum(n) AS n FROM (
         SELECT ${bucket('at')} AS start, to_state, count(*) AS n FROM ${s}.endpoint_transitions
         WHERE region = 'connectivity' AND at BETWEEN $1 AND $2 GROUP BY 1, 2
         UNION ALL
         SELECT ${bucket('at')}, to_state, sum(endpoint_count) FROM ${s}.organisation_changes
         WHERE region = 'connectivity' AND at BETWEEN $1 AND $2 GROUP BY 1, 2) AS b
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [new Date(window.from), new Date(window.to), bucketSeconds],
    );
    const out: ChangeBucket[] = [];
    for (const r of rows) {
      // Checked against the region's states: a row another program wrote is left out, not trusted.
      if ((CONNECTIVITY_STATES as readonly string[]).includes(r.to_state))
        out.push({ start: Number(r.start), to: r.to_state as Connectivity, changes: Number(r.n) });
    }
    return out;
  }

  /** Closes the pool (waits for reads under way). */
  async close(): Promise<void> {
    await this.#pool.end();
  }

  /**
   * `#query` with sorting priced out, for a query that reads the newest rows from an index's
   * end: on a table just bulk-loaded (no statistics yet, until autovacuum's ANALYZE) the
   * planner takes a region for a few thousand rows and sorts all of it instead (0.6 s for
   * the newest 50,000 connectivity changes of the 1M-event log, against 14 ms by the index).
   */
  async #queryInIndexOrder<R extends pg.QueryResultRow>(what: string, text: string, values: readonly unknown[]): Promise<pg.QueryResult<R>> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.#pool.connect();
      await client.query('BEGIN READ ONLY');
      await client.query('SET LOCAL enable_sort = off');
      const result = await client.query<R>(text, values as unknown[]);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client?.query('ROLLBACK').catch(() => {});
      throw queryError(`${what} in schema ${this.schema}`, error);
    } finally {
      client?.release();
    }
  }

  async #query<R extends pg.QueryResultRow = Record<string, unknown>>(what: string, text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>(text, values as unknown[] | undefined);
    } catch (error) {
      throw queryError(`${what} in schema ${this.schema}`, error);
    }
  }
}

interface TransitionRow {
  endpoint_id: string;
  region: string;
  from_state: string;
  to_state: string;
  at: Date;
  event_id: string;
}

const regionRank = (column: string): string => `array_position(ARRAY[${REGION_ORDER.map((r) => `'${r}'`).join(',')}]::text[], ${column})`;

/** ` WHERE …` for a filter (or ''), its values appended to `values` as `$n` parameters. */
function filterSql(f: EndpointFilter, values: unknown[], hasNames: boolean): string {
  const p = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };
  const parts: string[] = [];
  if (f.statuses.length > 0) parts.push(`status = ANY(${p(f.statuses)}::text[])`);
  if (f.connectivity.length > 0) parts.push(`connectivity = ANY(${p(f.connectivity)}::text[])`);
  if (f.operator !== '') parts.push(`COALESCE(operator_name, '${UNKNOWN_KEY}') = ${p(f.operator)}`);
  if (f.country !== '') parts.push(`COALESCE(operator_country, '${UNKNOWN_KEY}') = ${p(f.country)}`);
  if (f.organisation === UNKNOWN_KEY) parts.push('organisation_id IS NULL');
  else if (f.organisation !== '') parts.push(`organisation_id::text = ${p(f.organisation)}`);
  if (f.text !== '') {
    // strpos, not LIKE: the text is matched as it is (no wildcards to escape).
    const t = p(f.text.toLowerCase());
    const columns = hasNames ? [...TEXT_COLUMNS, 'name'] : TEXT_COLUMNS;
    parts.push(`(strpos(endpoint_id::text, ${t}) > 0 OR ${columns.map((c) => `strpos(lower(${c}), ${t}) > 0`).join(' OR ')})`);
  }
  return parts.length === 0 ? '' : ` WHERE ${parts.join(' AND ')}`;
}

function sortedRecord(counts: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...counts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = counts.get(k) ?? 0;
  return out;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const ms = (v: unknown): number | null => (v === null || v === undefined ? null : (v as Date).getTime());
const str = <T extends string>(v: unknown): T | null => (v === null || v === undefined ? null : (String(v) as T));

/**
 * One `endpoints` row (as `pg` returns it: int8 and numeric as text, timestamptz as Date)
 * as the live store's `EndpointState`.
 */
function endpointFromRow(r: Record<string, unknown>): EndpointState {
  const operatorSaid = r['operator_name'] !== null || r['operator_mcc'] !== null || r['operator_mnc'] !== null || r['operator_country'] !== null;
  return {
    endpointId: Number(r['endpoint_id']),
    status: r['status'] as EndpointStatus,
    connectivity: r['connectivity'] as Connectivity,
    since: ms(r['since']),
    simStatus: str(r['sim_status']),
    endpointStatus: str(r['endpoint_status']),
    blocked: r['blocked'] === true,
    dataQuota: str(r['data_quota']),
    dataQuotaThresholdReached: r['data_quota_threshold_reached'] === true,
    smsQuota: str(r['sms_quota']),
    smsQuotaThresholdReached: r['sms_quota_threshold_reached'] === true,
    organisationId: num(r['organisation_id']),
    simId: num(r['sim_id']),
    iccid: str(r['iccid']),
    imsi: str(r['imsi']),
    imei: str(r['imei']),
    ipAddress: str(r['ip_address']),
    operator: operatorSaid
      ? { name: str(r['operator_name']), mcc: str(r['operator_mcc']), mnc: str(r['operator_mnc']), country: str(r['operator_country']) }
      : null,
    ratType: num(r['rat_type']),
    apn: str(r['apn']),
    lastEventId: r['last_event_id'] === null ? null : BigInt(r['last_event_id'] as string),
    lastEventAt: ms(r['last_event_at']),
    attaches: Number(r['attaches']),
    sessions: Number(r['sessions']),
    rejections: Number(r['rejections']),
    lastRejectionReason: str(r['last_rejection_reason']),
    // Null where the schema has no `name` column yet (migrated before it, not migrated since).
    name: str(r['name']),
  } as EndpointState;
}

function transitionFromRow(r: TransitionRow): Transition {
  // Checked against the region's state names: a row another program wrote is refused, not trusted.
  return transitionOf({
    endpointId: Number(r.endpoint_id),
    region: r.region,
    from: r.from_state,
    to: r.to_state,
    at: r.at.getTime(),
    eventId: BigInt(r.event_id),
  });
}
