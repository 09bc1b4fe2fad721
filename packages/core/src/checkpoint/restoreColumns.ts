/**
 * Puts a decoded checkpoint's rows into `EventColumns`.
 *
 * The fast path — empty columns interning into the checkpoint's own pool, as a replay
 * resuming does (`new FleetStore({ pool: decoded.pool })`) — adopts the row views as the
 * columns' arrays: no per-row, no per-string work. Otherwise the checkpoint's strings are
 * interned into the columns' pool and the rows appended with their references translated.
 */
import type { EventColumns } from '../reducer/EventColumns.js';
import { CHECKPOINT_COLUMNS, POOL_COLUMNS } from './checkpointLayout.js';
import type { DecodedCheckpoint } from './decodeCheckpoint.js';

/**
 * Adds the checkpoint's rows to `columns` (after any rows already there).
 *
 * @example
 * const fleet = new FleetStore({ pool: decoded.pool });
 * const columns = fleet.createColumns();
 * restoreColumns(decoded, columns); // columns.length === decoded.rows.length
 */
export function restoreColumns(checkpoint: Pick<DecodedCheckpoint, 'rows' | 'pool'>, columns: EventColumns): void {
  const { rows, pool } = checkpoint;
  const n = rows.length;
  if (columns.pool === pool && columns.length === 0) {
    if (n === 0) return;
    columns.at = rows.at;
    columns.idHi = rows.idHi;
    columns.idLo = rows.idLo;
    columns.endpointId = rows.endpointId;
    columns.type = rows.type;
    columns.organisationId = rows.organisationId;
    columns.simId = rows.simId;
    columns.iccid = rows.iccid;
    columns.imsi = rows.imsi;
    columns.imei = rows.imei;
    columns.ipAddress = rows.ipAddress;
    columns.apn = rows.apn;
    columns.operator = rows.operator;
    columns.ratType = rows.ratType;
    columns.rejectionReason = rows.rejectionReason;
    columns.name = rows.name;
    columns.order = new Uint32Array(n);
    columns.sortScratch = undefined;
    columns.length = n;
    return;
  }
  const same = columns.pool === pool;
  let map: Uint32Array = new Uint32Array(0);
  if (!same) {
    // Straight from the loaded bytes: no JS string per checkpoint string.
    const stored = pool.stored();
    map = columns.pool.internStored({ byteLengths: stored.byteLengths.subarray(0, pool.loaded), bytes: stored.bytes, escaped: stored.escaped });
  }
  const start = columns.length;
  columns.reserve(start + n);
  for (const [name] of CHECKPOINT_COLUMNS) columns[name].set(rows[name].subarray(0, n) as never, start);
  if (!same) {
    for (const name of POOL_COLUMNS) {
      const target = columns[name];
      for (let r = start; r < start + n; r++) target[r] = map[target[r]!]!;
    }
  }
  columns.length = start + n;
}
