import type { EventColumns } from './EventColumns.js';
import type { RowArrays } from './rowColumns.js';
import type { StringPool } from './StringPool.js';

/**
 * Orders two rows by everything the reducer reads from them, comparing interned
 * strings by their text (pool references depend on input order; text does not).
 * Used only to pick one copy among records that share an event id, so that the
 * choice never depends on the order the records arrived in.
 */
export function compareRowContent(c: EventColumns, a: number, b: number): number {
  return compareRowsContent(c.pool, c, a, c, b);
}

/**
 * `compareRowContent` for rows of two column sets interning into `pool` (the blocks of
 * spilled runs, externalFinish.ts).
 */
export function compareRowsContent(pool: StringPool, x: RowArrays, a: number, y: RowArrays, b: number): number {
  return (
    compareNumber(x.type[a]!, y.type[b]!) ||
    compareNumber(x.endpointId[a]!, y.endpointId[b]!) ||
    compareNumber(x.organisationId[a]!, y.organisationId[b]!) ||
    compareNumber(x.simId[a]!, y.simId[b]!) ||
    compareNumber(x.ratType[a]!, y.ratType[b]!) ||
    compareNumber(x.rejectionReason[a]!, y.rejectionReason[b]!) ||
    compareRef(pool, x.iccid[a]!, y.iccid[b]!) ||
    compareRef(pool, x.imsi[a]!, y.imsi[b]!) ||
    compareRef(pool, x.imei[a]!, y.imei[b]!) ||
    compareRef(pool, x.ipAddress[a]!, y.ipAddress[b]!) ||
    compareRef(pool, x.apn[a]!, y.apn[b]!) ||
    compareRef(pool, x.operator[a]!, y.operator[b]!) ||
    compareRef(pool, x.name[a]!, y.name[b]!)
  );
}

/** Total order on numbers with NaN ("not said") first. */
function compareNumber(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a - b;
}

function compareRef(pool: StringPool, a: number, b: number): number {
  if (a === b) return 0;
  const x = pool.get(a) ?? '';
  const y = pool.get(b) ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
