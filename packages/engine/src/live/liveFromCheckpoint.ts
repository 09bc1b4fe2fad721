import { readFile } from 'node:fs/promises';
import { decodeCheckpoint, restoreColumns } from '@simfleet/core/checkpoint';
import { checkpointHasher } from '../checkpoint/checkpointHasher.js';
import { InputError } from '../InputError.js';
import { LiveFleet, type LiveFleetOptions } from './LiveFleet.js';

/**
 * A live fleet that starts from a checkpoint (`simfleet replay --checkpoint`, or the journal
 * checkpoint `simfleet serve --checkpoint` writes): its rows are ingested in (time, id) order,
 * so the fleet holds exactly what `simfleet replay --from FILE` reports — every record of the
 * checkpoint applied, duplicates once, none too late — and its account continues the
 * checkpoint's. Throws `InputError` naming the file for a missing, unreadable or refused one.
 *
 * @example
 * const live = await liveFromCheckpoint('live.ckpt', { reorderHorizonMs: 24 * 3600_000 });
 * live.fleet.endpointCount;
 */
export async function liveFromCheckpoint(path: string, options: LiveFleetOptions = {}): Promise<LiveFleet> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: ${code === 'ENOENT' ? 'no such checkpoint' : `cannot read it: ${err instanceof Error ? err.message : String(err)}`}`);
  }
  const decoded = decodeCheckpoint(bytes, checkpointHasher);
  if (!decoded.ok) throw new InputError(`${path}: ${decoded.error.message} [${decoded.error.code}]`);
  // The checkpoint's pool is adopted as it is: its rows' string references stay valid.
  const live = new LiveFleet({ ...options, store: { ...options.store, pool: decoded.value.pool } });
  const rows = live.fleet.createColumns(Math.max(16, decoded.value.rows.length));
  restoreColumns(decoded.value, rows);
  live.addAccount(decoded.value.header.account, rows.length);
  live.ingestRows(rows);
  return live;
}
