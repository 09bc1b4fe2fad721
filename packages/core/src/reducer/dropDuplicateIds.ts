import { compareRowContent } from './compareRowContent.js';
import type { EventColumns } from './EventColumns.js';

const TWO_32 = 4294967296;

/**
 * Keeps one row per event id, compacting the columns in place (surviving rows keep their
 * relative order), and returns how many rows it dropped. Among the copies of an id the
 * row kept is the one with the earliest time, then the smallest content
 * (`compareRowContent`), so the choice never depends on input order.
 *
 * Why it is cheap: logs rarely repeat ids. Ids that only grow row by row are checked in
 * one pass; otherwise the ids (exact as doubles below 2^53) are sorted by the engine's
 * native numeric sort to find the repeated ones, and only those rows are compared. A
 * comparator sort over every row is left for ids ≥ 2^53.
 *
 * @example
 * const dropped = dropDuplicateIds(columns); // columns.length shrank by `dropped`
 */
export function dropDuplicateIds(c: EventColumns): number {
  const n = c.length;
  const hi = c.idHi;
  const lo = c.idLo;
  let increasing = true;
  for (let i = 1; i < n; i++) {
    const h = hi[i] as number;
    const hp = hi[i - 1] as number;
    if (h < hp || (h === hp && (lo[i] as number) <= (lo[i - 1] as number))) {
      increasing = false;
      break;
    }
  }
  if (increasing) return 0;

  // Ids seen more than once.
  const repeated = repeatedIds(c);
  if (repeated.size === 0) return 0;

  // The best row of each repeated id; every other copy is dropped.
  const best = new Map<number | string, number>();
  const drop = new Uint8Array(n);
  const exact = repeated.exact;
  for (let row = 0; row < n; row++) {
    const k = exact ? (hi[row] as number) * TWO_32 + (lo[row] as number) : idKey(hi[row] as number, lo[row] as number);
    if (!repeated.has(k)) continue;
    const other = best.get(k);
    if (other === undefined) {
      best.set(k, row);
      continue;
    }
    const cmp = (c.at[row] as number) - (c.at[other] as number) || compareRowContent(c, row, other);
    if (cmp < 0) {
      drop[other] = 1;
      best.set(k, row);
    } else drop[row] = 1;
  }
  return compact(c, drop);
}

/** A set of repeated ids: exact doubles when every id is below 2^53, else string keys. */
interface Repeated {
  readonly exact: boolean;
  readonly size: number;
  has(key: number | string): boolean;
}

function idKey(hi: number, lo: number): string {
  return `${hi}:${lo}`;
}

function repeatedIds(c: EventColumns): Repeated {
  const n = c.length;
  const hi = c.idHi;
  const lo = c.idLo;
  let exact = true;
  for (let i = 0; i < n; i++) {
    if ((hi[i] as number) >= 0x200000) {
      exact = false;
      break;
    }
  }
  if (exact) {
    const ids = new Float64Array(n);
    for (let i = 0; i < n; i++) ids[i] = (hi[i] as number) * TWO_32 + (lo[i] as number);
    ids.sort();
    const out = new Set<number>();
    for (let i = 1; i < n; i++) if (ids[i] === ids[i - 1]) out.add(ids[i] as number);
    return { exact, size: out.size, has: (k) => out.has(k as number) };
  }
  const seen = new Set<string>();
  const out = new Set<string>();
  for (let i = 0; i < n; i++) {
    const k = idKey(hi[i] as number, lo[i] as number);
    if (seen.has(k)) out.add(k);
    else seen.add(k);
  }
  return { exact, size: out.size, has: (k) => out.has(k as string) };
}

/** Removes the rows marked in `drop`, keeping the others in order; returns how many went. */
function compact(c: EventColumns, drop: Uint8Array): number {
  const n = c.length;
  let w = 0;
  for (let r = 0; r < n; r++) {
    if (drop[r] === 1) continue;
    if (w !== r) {
      c.at[w] = c.at[r] as number;
      c.idHi[w] = c.idHi[r] as number;
      c.idLo[w] = c.idLo[r] as number;
      c.endpointId[w] = c.endpointId[r] as number;
      c.type[w] = c.type[r] as number;
      c.organisationId[w] = c.organisationId[r] as number;
      c.simId[w] = c.simId[r] as number;
      c.iccid[w] = c.iccid[r] as number;
      c.imsi[w] = c.imsi[r] as number;
      c.imei[w] = c.imei[r] as number;
      c.ipAddress[w] = c.ipAddress[r] as number;
      c.apn[w] = c.apn[r] as number;
      c.operator[w] = c.operator[r] as number;
      c.ratType[w] = c.ratType[r] as number;
      c.rejectionReason[w] = c.rejectionReason[r] as number;
      c.name[w] = c.name[r] as number;
    }
    w++;
  }
  c.length = w;
  return n - w;
}
