/**
 * The checkpoint flags of `simfleet replay`, kept beside the checkpoint code so that the
 * command only spreads them in: `--from`, `--checkpoint`, `--checkpoint-every`,
 * `--checkpoint-interval`.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { positiveInteger } from '../args.js';
import { type CliIo, UsageError } from '../cliIo.js';

import { type CheckpointLocation, DirectoryCheckpointStore, ReplayCheckpoints } from '@simfleet/engine';
import type { InputSource } from '@simfleet/engine';

/** `parseArgs` options of the checkpoint flags. */
export const CHECKPOINT_OPTIONS = {
  from: { type: 'string' },
  checkpoint: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'checkpoint-interval': { type: 'string' },
} as const;

/** The help lines of the checkpoint flags. */
export const CHECKPOINT_HELP = `  --from FILE       resume from a checkpoint: its events plus the new logs give exactly the
                    snapshot of replaying everything (logs it already read are skipped)
  --checkpoint FILE write a checkpoint there when the input is read (atomically)
  --checkpoint-every N        also every N records while reading
  --checkpoint-interval SECS  also every SECS seconds while reading`;

/** The parsed values of the checkpoint flags. */
export interface CheckpointFlagValues {
  readonly from?: string | undefined;
  readonly checkpoint?: string | undefined;
  readonly 'checkpoint-every'?: string | undefined;
  readonly 'checkpoint-interval'?: string | undefined;
}

/**
 * The checkpoint plan of a replay run, or `undefined` when no checkpoint flag was given.
 * Usage errors (exit 1) for inconsistent flags, a missing directory, or a checkpoint that
 * is missing, refused or does not fit the inputs.
 *
 * @example
 * const checkpoints = await openReplayCheckpoints(values, sources, until, io);
 */
export async function openReplayCheckpoints(
  values: CheckpointFlagValues,
  sources: readonly InputSource[],
  until: number | undefined,
  io: CliIo,
): Promise<ReplayCheckpoints | undefined> {
  const every = values['checkpoint-every'];
  const interval = values['checkpoint-interval'];
  if (values.from === undefined && values.checkpoint === undefined) {
    if (every !== undefined || interval !== undefined) throw new UsageError('--checkpoint-every and --checkpoint-interval need --checkpoint FILE');
    return undefined;
  }
  if (values.checkpoint === undefined && (every !== undefined || interval !== undefined)) {
    throw new UsageError('--checkpoint-every and --checkpoint-interval need --checkpoint FILE');
  }
  const out = values.checkpoint === undefined ? undefined : await location(values.checkpoint, '--checkpoint');
  return ReplayCheckpoints.open({
    sources,
    until,
    from: values.from === undefined ? undefined : await location(values.from, '--from'),
    out,
    every: every === undefined ? undefined : positiveInteger('checkpoint-every', every),
    intervalMs: interval === undefined ? undefined : seconds(interval) * 1000,
    warn: (line) => io.stderr.write(`${line}\n`),
  });
}

/** A checkpoint path as a directory store and a name. */
async function location(path: string, flag: string): Promise<CheckpointLocation> {
  const full = resolve(path);
  const directory = dirname(full);
  const info = await stat(directory).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) throw new UsageError(`${flag} ${path}: directory '${directory}' does not exist`);
  return { store: new DirectoryCheckpointStore(directory), name: basename(full), label: path };
}

function seconds(text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0)) throw new UsageError(`--checkpoint-interval expects a positive number of seconds, got '${text}'`);
  return n;
}
