/**
 * The PostgreSQL flags of `simfleet replay`, kept beside the code they drive so that the
 * command only spreads them in: `--pg URL` (or `SIMFLEET_PG_URL`) and `--pg-schema NAME`.
 * The database is opened — connected, schema migrated — before any replay work, so bad
 * credentials or a missing database cost one line and exit 1, not a replay; the fleet and
 * every transition go in one transaction after the replay.
 */
import type { PgFleetError, TransitionLog } from '@simfleet/postgres';
import type { FleetStore, OrganisationTransition, Transition } from '@simfleet/core';
import type { InputSource, ReplayAccount } from '@simfleet/engine';
import { UsageError } from '../cliIo.js';

/** `parseArgs` options of the PostgreSQL flags. */
export const PG_OPTIONS = {
  pg: { type: 'string' },
  'pg-schema': { type: 'string' },
} as const;

/** The help lines of the PostgreSQL flags. */
export const PG_HELP = `  --pg URL          also write the fleet and every state change into PostgreSQL
                    (postgres://user@host:port/database; default: $SIMFLEET_PG_URL)
  --pg-schema NAME  schema of the tables (default simfleet; created and migrated)`;

/** The parsed values of the PostgreSQL flags. */
export interface PgFlagValues {
  readonly pg?: string | undefined;
  readonly 'pg-schema'?: string | undefined;
}

/** An open database a replay writes into when it is done. */
export interface ReplayPostgres {
  /** Hand to the replay as its `onTransition`. */
  readonly onTransition: (transition: Transition) => void;
  /** Hand to the replay as its `onOrganisationTransition`: an organisation's block once, with its members. */
  readonly onOrganisationTransition: (change: OrganisationTransition) => void;
  /** Writes the finished replay (one transaction) and closes the connection; a line for stderr. */
  finish(
    fleet: FleetStore,
    account: ReplayAccount,
    run: { readonly sources: readonly InputSource[]; readonly from: string | undefined; readonly until: number | undefined },
  ): Promise<string>;
  /** Closes the connection without writing (the replay failed). */
  abandon(): Promise<void>;
}

/**
 * Opens the database the flags name, or returns `undefined` when neither `--pg` nor
 * `SIMFLEET_PG_URL` gives one. Connection, credential, database and schema problems are
 * usage errors (one line, exit 1).
 *
 * @example
 * const pg = await openReplayPostgres(values, io.env); // before the replay
 * const run = await replaySources(sources, { ...options, onTransition: pg?.onTransition, onOrganisationTransition: pg?.onOrganisationTransition });
 * if (pg) io.stderr.write(`${await pg.finish(run.session.fleet, run.account, { sources, from, until })}\n`);
 */
export async function openReplayPostgres(values: PgFlagValues, env: NodeJS.ProcessEnv): Promise<ReplayPostgres | undefined> {
  const url = values.pg ?? env['SIMFLEET_PG_URL'];
  if (url === undefined || url === '') {
    if (values['pg-schema'] !== undefined) throw new UsageError('--pg-schema needs --pg URL (or SIMFLEET_PG_URL)');
    return undefined;
  }
  // Loaded only when used: the client library costs start-up time every other replay would pay.
  const { FleetDatabase, PgFleetError: ErrorClass, TransitionLog: Log } = await import('@simfleet/postgres');
  const asUsage = (error: unknown): never => {
    if (error instanceof ErrorClass) throw new UsageError(`--pg: ${(error as PgFleetError).message}`);
    throw error;
  };
  const db = await FleetDatabase.open(url, values['pg-schema'] === undefined ? {} : { schema: values['pg-schema'] }).catch(asUsage);
  // Compacting: an organisation's block is kept as one change with its endpoints, not one
  // per endpoint; the replay hands it over that way (no object per member).
  const log: TransitionLog = new Log({ compact: true });
  return {
    onTransition: log.push,
    onOrganisationTransition: log.pushOrganisation,
    async finish(fleet, account, run) {
      try {
        const started = performance.now();
        const result = await db
          .writeReplay({
            fleet,
            transitions: log,
            position: {
              inputs: run.sources.map((s) => (s.kind === 'stdin' ? { file: '-' } : { file: s.path, bytes: s.size })),
              from: run.from ?? null,
              until: run.until ?? null,
              records: account.records,
              applied: account.applied,
              duplicates: account.duplicates,
              rejected: account.rejected,
            },
            asOf: account.asOf,
          })
          .catch(asUsage);
        const seconds = ((performance.now() - started) / 1000).toFixed(2);
        return (
          `postgres ${db.schema}: ${fleet.endpointCount} endpoints (${result.endpoints} written, ${result.endpointsRemoved} removed), ` +
          `${log.length} transitions (${result.transitions} new) in ${seconds} s`
        );
      } finally {
        await db.close();
      }
    },
    abandon: () => db.close().catch(() => {}),
  };
}
