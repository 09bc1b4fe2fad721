import { readFile } from 'node:fs/promises';
import type { EmnifyEvent } from '@simfleet/core';
import { decodeCheckpoint, encodeCheckpoint } from '@simfleet/core/checkpoint';
import { type CheckpointStore, checkpointHasher, ReplaySession } from '@simfleet/engine';

/** When the service writes its checkpoint. */
export interface ServeCheckpointPolicy {
  readonly store: CheckpointStore;
  readonly name: string;
  /** After this many accepted records since the last checkpoint. */
  readonly everyRecords?: number;
  /** After this many ms since the last checkpoint (checked on a timer). */
  readonly intervalMs?: number;
}

/**
 * The webhook service's journal: every record `POST /events` accepted, kept in the same
 * compact columns a replay builds, so that its checkpoints are ordinary replay
 * checkpoints. `simfleet replay --from` or `simfleet serve --from` on one gives the exact
 * replay answer for everything received — in (time, id) order, duplicates once —
 * whatever order the records arrived in (the live view may have counted some as late).
 *
 * Written atomically by the store (temp file, fsync, rename): a kill at any moment
 * leaves the previous checkpoint intact.
 */
export class ServeJournal {
  readonly #session: ReplaySession;
  readonly #policy: ServeCheckpointPolicy;
  readonly #timer: NodeJS.Timeout | undefined;
  #sinceLast = 0;
  #writing: Promise<void> = Promise.resolve();
  #written = 0;
  readonly #log: (message: string) => void;

  private constructor(session: ReplaySession, policy: ServeCheckpointPolicy, log: (message: string) => void) {
    this.#session = session;
    this.#policy = policy;
    this.#log = log;
    if (policy.intervalMs !== undefined) {
      this.#timer = setInterval(() => {
        if (this.#sinceLast > 0) void this.checkpoint();
      }, policy.intervalMs);
      this.#timer.unref();
    }
  }

  /**
   * A journal that continues `from` (a checkpoint file, read on its own so the live
   * fleet and the journal never share rows), or starts empty.
   */
  static async open(policy: ServeCheckpointPolicy, from: string | undefined, log: (message: string) => void): Promise<ServeJournal> {
    if (from === undefined) return new ServeJournal(new ReplaySession(), policy, log);
    const decoded = decodeCheckpoint(await readFile(from), checkpointHasher);
    if (!decoded.ok) throw new Error(`${from}: ${decoded.error.message}`);
    const session = new ReplaySession({ pool: decoded.value.pool });
    session.restoreCheckpoint(decoded.value);
    return new ServeJournal(session, policy, log);
  }

  /** Checkpoints written so far. */
  get written(): number {
    return this.#written;
  }

  /** Records accepted events (call after they entered the pipeline). */
  record(events: readonly EmnifyEvent[]): void {
    for (const event of events) this.#session.ingestEvent(event, 'serve', 0);
    this.#sinceLast += events.length;
    const every = this.#policy.everyRecords;
    if (every !== undefined && this.#sinceLast >= every) void this.checkpoint();
  }

  /** Writes a checkpoint of everything recorded (one write at a time, in order). */
  checkpoint(): Promise<void> {
    this.#sinceLast = 0;
    const { columns, account } = this.#session.checkpointState();
    // Encode now (synchronously) so the checkpoint holds exactly what was recorded so far.
    const bytes = encodeCheckpoint({ header: { createdAt: new Date().toISOString(), until: null, account, inputs: [] }, columns }, checkpointHasher);
    this.#writing = this.#writing
      .then(() => this.#policy.store.write(this.#policy.name, bytes))
      .then(
        () => {
          this.#written++;
        },
        (error: unknown) => this.#log(`simfleet serve: checkpoint not written: ${error instanceof Error ? error.message : String(error)}`),
      );
    return this.#writing;
  }

  /** Stops the timer and writes a final checkpoint. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.checkpoint();
  }
}
