/**
 * Puts a decoded checkpoint's rows into `EventColumns`, interning its strings into the
 * columns' pool.
 *
 * The fast path (empty columns, empty pool — a fresh replay resuming) interns the strings
 * in reference order, so every reference keeps its number, and adopts the row views as the
 * columns' arrays: no per-row work. Otherwise rows are appended and their string
 * references translated into the pool's.
 */
import type { EventColumns } from '../reducer/EventColumns.js';
import { CHECKPOINT_COLUMNS, POOL_COLUMNS } from './checkpointLayout.js';
import type { DecodedCheckpoint } from './decodeCheckpoint.js';

/**
 * Adds the checkpoint's rows to `columns` (after any rows already there).
 *
 * @example
 * const session = new FleetStore();
 * const columns = session.createColumns();
 * restoreColumns(decoded, columns); // columns.length === decoded.rows.length
 */
export function restoreColumns(checkpoint: Pick<DecodedCheckpoint, 'rows' | 'strings'>, columns: EventColumns): void {
  const { rows, strings } = checkpoint;
  const pool = columns.pool;
  const map = new Uint32Array(strings.length + 1);
  let identity = true;
  for (let i = 0; i < strings.length; i++) {
    const ref = pool.intern(strings[i]!);
    map[i + 1] = ref;
    if (ref !== i + 1) identity = false;
  }
  const n = rows.length;
  if (n === 0) return;
  if (columns.length === 0 && identity) {
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
    columns.order = new Uint32Array(n);
    columns.sortScratch = undefined;
    columns.length = n;
    return;
  }
  const start = columns.length;
  columns.reserve(start + n);
  for (const [name] of CHECKPOINT_COLUMNS) {
    const target = columns[name];
    target.set(rows[name].subarray(0, n) as never, start);
  }
  if (!identity) {
    for (const name of POOL_COLUMNS) {
      const target = columns[name];
      for (let r = start; r < start + n; r++) target[r] = map[target[r]!]!;
    }
  }
  columns.length = start + n;
}
