/**
 * The spill state of one replay session: a private temporary directory, the file of the
 * runs spilled during ingest, and (in `finish`) the file of pass 1's output.
 *
 * Why an exit hook: a session that is abandoned (an input error, a service that stops, a
 * user's Ctrl-C) may never call `dispose`; the directory is registered with
 * `removeOnExit`, which removes it when the process exits or is interrupted (SIGINT,
 * SIGTERM, SIGHUP), so spill files do not outlive the process (except under SIGKILL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventColumns } from '@simfleet/core';
import { appendRow } from '@simfleet/core/columns';
import { removeOnExit } from '../io/tempPaths.js';
import { SpillFile, type SpillRun } from './SpillFile.js';

/**
 * Spilled runs of one session.
 *
 * @example
 * const spill = RowSpill.create(undefined);
 * spill.add(writeRun(spill.runs));
 * spill.dispose();
 */
export class RowSpill {
  /** The directory this spill made (removed by `dispose`). */
  readonly directory: string;
  /** The runs written during ingest. */
  readonly runs: SpillFile;
  readonly #list: SpillRun[] = [];
  readonly #blockRows: number | undefined;
  #second: SpillFile | undefined;
  readonly #forget: () => void;

  private constructor(directory: string, blockRows: number | undefined) {
    this.directory = directory;
    this.#blockRows = blockRows;
    this.#forget = removeOnExit(directory);
    try {
      this.runs = new SpillFile(join(directory, 'ingest.runs'), blockRows);
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /** Makes a fresh directory inside `parent` (default: the OS temp directory). */
  static create(parent: string | undefined, blockRows?: number): RowSpill {
    return new RowSpill(mkdtempSync(join(parent ?? tmpdir(), 'simfleet-spill-')), blockRows);
  }

  /** The runs spilled so far, in order. */
  get list(): readonly SpillRun[] {
    return this.#list;
  }

  /** Rows in the spilled runs. */
  get rows(): number {
    return this.#list.reduce((sum, run) => sum + run.rows, 0);
  }

  add(run: SpillRun): void {
    if (run.rows > 0) this.#list.push(run);
  }

  /** A second, empty file (pass 1's output); the same one on every call. */
  secondFile(): SpillFile {
    this.#second ??= new SpillFile(join(this.directory, 'kept.runs'), this.#blockRows);
    return this.#second;
  }

  /**
   * Every spilled row, then the rows of `pending`, in one new `EventColumns` (for a
   * checkpoint, which must describe all rows: memory for all of them, while it is written).
   */
  readAll(pending: EventColumns): EventColumns {
    const all = new EventColumns(pending.pool, this.rows + pending.length + 1);
    for (const run of this.#list) {
      for (const reader = this.runs.reader(run); reader.row >= 0; reader.next()) appendRow(reader.block, reader.row, all);
    }
    for (let row = 0; row < pending.length; row++) appendRow(pending, row, all);
    return all;
  }

  /** Closes and removes the files and the directory (idempotent). */
  dispose(): void {
    try {
      this.runs?.remove();
      this.#second?.remove();
    } finally {
      rmSync(this.directory, { recursive: true, force: true });
      this.#forget();
    }
  }
}
