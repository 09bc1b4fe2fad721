import type { EventColumns } from '@simfleet/core';

/**
 * Appends row `row` of `from` to `to` (both interning into the same pool).
 *
 * @example
 * copyRow(all, 3, kept)
 */
export function copyRow(from: EventColumns, row: number, to: EventColumns): void {
  const r = to.length;
  to.reserve(r + 1);
  to.at[r] = from.at[row]!;
  to.idHi[r] = from.idHi[row]!;
  to.idLo[r] = from.idLo[row]!;
  to.endpointId[r] = from.endpointId[row]!;
  to.type[r] = from.type[row]!;
  to.organisationId[r] = from.organisationId[row]!;
  to.simId[r] = from.simId[row]!;
  to.iccid[r] = from.iccid[row]!;
  to.imsi[r] = from.imsi[row]!;
  to.imei[r] = from.imei[row]!;
  to.ipAddress[r] = from.ipAddress[row]!;
  to.apn[r] = from.apn[row]!;
  to.operator[r] = from.operator[row]!;
  to.ratType[r] = from.ratType[row]!;
  to.rejectionReason[r] = from.rejectionReason[row]!;
  to.length = r + 1;
}

/**
 * Orders two rows by everything the reducer reads from them, comparing interned
 * strings by their text (pool references depend on input order; text does not).
 * Used only to pick one copy among records that share an event id, so that the
 * choice never depends on the order the records arrived in.
 */
export function compareRowContent(c: EventColumns, a: number, b: number): number {
  return (
    compareNumber(c.type[a]!, c.type[b]!) ||
    compareNumber(c.endpointId[a]!, c.endpointId[b]!) ||
    compareNumber(c.organisationId[a]!, c.organisationId[b]!) ||
    compareNumber(c.simId[a]!, c.simId[b]!) ||
    compareNumber(c.ratType[a]!, c.ratType[b]!) ||
    compareNumber(c.rejectionReason[a]!, c.rejectionReason[b]!) ||
    compareRef(c, c.iccid[a]!, c.iccid[b]!) ||
    compareRef(c, c.imsi[a]!, c.imsi[b]!) ||
    compareRef(c, c.imei[a]!, c.imei[b]!) ||
    compareRef(c, c.ipAddress[a]!, c.ipAddress[b]!) ||
    compareRef(c, c.apn[a]!, c.apn[b]!) ||
    compareRef(c, c.operator[a]!, c.operator[b]!)
  );
}

/** Total order on numbers with NaN ("not said") first. */
function compareNumber(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a - b;
}

function compareRef(c: EventColumns, a: number, b: number): number {
  if (a === b) return 0;
  const x = c.pool.get(a) ?? '';
  const y = c.pool.get(b) ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
