/**
 * The columns of one event row — the one list that `EventColumns`, checkpoints and the
 * CLI's spill files all store. Add a column here and the compiler points at every place
 * that must learn it (`EventColumns implements RowArrays`, `appendRow`).
 */

/** Element type of a stored column. */
export type ColumnKind = 'f64' | 'u32' | 'u8' | 'i16';

/** Bytes per element of each column kind. */
export const COLUMN_KIND_BYTES: Readonly<Record<ColumnKind, number>> = { f64: 8, u32: 4, u8: 1, i16: 2 };

/** The row columns, in storage order, with their element type. */
export const ROW_COLUMNS = [
  ['at', 'f64'],
  ['idHi', 'u32'],
  ['idLo', 'u32'],
  ['endpointId', 'f64'],
  ['type', 'u8'],
  ['organisationId', 'f64'],
  ['simId', 'f64'],
  ['iccid', 'u32'],
  ['imsi', 'u32'],
  ['imei', 'u32'],
  ['ipAddress', 'u32'],
  ['apn', 'u32'],
  ['operator', 'u32'],
  ['ratType', 'i16'],
  ['rejectionReason', 'u8'],
  ['name', 'u32'],
] as const satisfies readonly (readonly [string, ColumnKind])[];

/** Name of a row column. */
export type RowColumnName = (typeof ROW_COLUMNS)[number][0];

/** Columns whose values are string pool references. */
export const POOL_COLUMNS: readonly RowColumnName[] = ['iccid', 'imsi', 'imei', 'ipAddress', 'apn', 'operator', 'name'];

/** Rows as struct-of-arrays (an `EventColumns` is one; so is a spill block). */
export interface RowArrays {
  length: number;
  at: Float64Array;
  idHi: Uint32Array;
  idLo: Uint32Array;
  endpointId: Float64Array;
  type: Uint8Array;
  organisationId: Float64Array;
  simId: Float64Array;
  iccid: Uint32Array;
  imsi: Uint32Array;
  imei: Uint32Array;
  ipAddress: Uint32Array;
  apn: Uint32Array;
  operator: Uint32Array;
  ratType: Int16Array;
  rejectionReason: Uint8Array;
  name: Uint32Array;
}

/**
 * Copies row `row` of `from` to the end of `to`, which must have room (for
 * `EventColumns`, `reserve` first). Both must intern into the same string pool.
 * Written out field by field: it runs per row in spill merges.
 *
 * @example
 * to.reserve(to.length + 1);
 * appendRow(from, 3, to);
 */
export function appendRow(from: RowArrays, row: number, to: RowArrays): void {
  const r = to.length;
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
  to.name[r] = from.name[row]!;
  to.length = r + 1;
}
