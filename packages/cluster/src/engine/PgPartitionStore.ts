import type { FleetDatabase } from '@simfleet/postgres';
import { PartitionFencedError } from '../consume/PartitionFencedError.js';
import { StoreUnavailableError } from '../consume/StoreUnavailableError.js';
import { partitionOf } from '../stream/partitionOf.js';
import type { PartitionCommit, PartitionStore, StoredPosition } from './PartitionStore.js';

/**
 * Partition positions and rows in PostgreSQL (`simfleet worker --pg`): each commit is one
 * `applyLive` transaction holding the partition's changed endpoint rows, its transitions, its
 * organisation rows and its progress row `partition.<p>` (`{"seq", "consumed"}`), written only
 * when the stored position is still the one the batch continues from (compare-and-set with the
 * row locked); otherwise nothing is written and the batch fails with `PartitionFencedError`.
 *
 * Organisation rows: every partition holds every organisation's whole timeline (organisation
 * records are fanned out), so any partition could write them — but a partition that lags would
 * write an older state over a newer one. Each organisation's row is written only by its home
 * partition (the one `publish` names in `Simfleet-Fanout`), so its writes follow one timeline and
 * re-writing a batch changes nothing.
 *
 * A failed statement (the server restarted, the network went) drops the connection; the next
 * call opens a new one with `reopen`, so a batch retried after an outage finds the database.
 *
 * @example
 * const open = () => FleetDatabase.open(url);
 * const sink = new EngineSink(js, new PgPartitionStore(await open(), open, partitions), { partitions });
 */
export class PgPartitionStore implements PartitionStore {
  readonly #reopen: () => Promise<FleetDatabase>;
  readonly #partitions: number;
  #db: Promise<FleetDatabase> | undefined;

  constructor(db: FleetDatabase, reopen: () => Promise<FleetDatabase>, partitions: number) {
    this.#db = Promise.resolve(db);
    this.#reopen = reopen;
    this.#partitions = partitions;
  }

  async position(partition: number): Promise<StoredPosition> {
    const progress = await this.#use((db) => db.readProgress(streamOf(partition)));
    return storedPosition(progress?.position);
  }

  /** Closes the connection (the worker stopped). */
  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    await (await db?.catch(() => undefined))?.close().catch(() => {});
  }

  async commit(partition: number, write: PartitionCommit): Promise<void> {
    try {
      await this.#use((db) =>
        db.applyLive({
          fleet: write.fleet,
          endpointIds: write.endpointIds,
          transitions: write.transitions ?? [],
          position: { seq: write.coveredSeq, consumed: write.consumed },
          asOf: write.asOf,
          stream: streamOf(partition),
          expectPosition: (stored) => storedPosition(stored).seq === write.previousSeq,
          organisations: (id) => partitionOf(id, this.#partitions) === partition,
        }),
      );
    } catch (error) {
      if ((error as { code?: unknown }).code === 'position_moved') {
        throw new PartitionFencedError(`partition ${partition}: ${(error as Error).message}`);
      }
      throw error;
    }
  }

  /** Runs `task` on the connection, opening one when there is none; a failure other than a fence drops it. */
  async #use<T>(task: (db: FleetDatabase) => Promise<T>): Promise<T> {
    this.#db ??= this.#reopen();
    const opening = this.#db;
    let db: FleetDatabase;
    try {
      db = await opening;
    } catch (error) {
      if (this.#db === opening) this.#db = undefined;
      throw new StoreUnavailableError(`PostgreSQL: ${(error as Error).message}`);
    }
    try {
      return await task(db);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'position_moved' && this.#db === opening) {
        this.#db = undefined;
        await db.close().catch(() => {});
      }
      if (unavailable(error)) throw new StoreUnavailableError(`PostgreSQL: ${(error as Error).message}`);
      throw error;
    }
  }
}

const streamOf = (partition: number): string => `partition.${partition}`;

/** A stored progress position as `{seq, consumed}` (none yet: 0, 0). */
function storedPosition(position: unknown): StoredPosition {
  const p = position as { seq?: unknown; consumed?: unknown } | null | undefined;
  return { seq: typeof p?.seq === 'number' ? p.seq : 0, consumed: typeof p?.consumed === 'number' ? p.consumed : 0 };
}

/** SQLSTATE classes and Node codes of a server that went away, not of a statement it refused. */
const GONE = /^(08|57P0[1-3]|53|ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND)/;

/** Whether a failure means the database cannot be reached now (retry later) rather than a bad row. */
function unavailable(error: unknown): boolean {
  const e = error as { code?: unknown; causeCode?: unknown; message?: unknown };
  if (e.code === 'unreachable' || e.code === 'auth_failed' || e.code === 'database_missing') return true;
  if (typeof e.causeCode === 'string' && GONE.test(e.causeCode)) return true;
  return typeof e.message === 'string' && /Connection terminated|not queryable|connection (is )?closed|terminating connection/i.test(e.message);
}
