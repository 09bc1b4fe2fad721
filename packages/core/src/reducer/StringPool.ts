/**
 * Interned strings for the fleet store and the batch columns.
 *
 * Devices repeat the same few thousand strings (ICCIDs, operators, APNs) millions of
 * times; the reducer stores and compares them as `Uint32` references instead. Reference 0
 * is `null`, so a zero-filled column means "not said". The pool belongs to a `FleetStore`;
 * batch columns (and a future byte-level decoder filling them) intern into the same pool,
 * so a reference means the same string on both sides.
 *
 * An operator is interned as one key (its four fields, JSON-encoded), so the reducer
 * copies one number per event instead of four.
 */
import type { Operator } from '../machine/deviceEvent.js';

/** Reference of `null` in every pool column. */
export const NULL_REF = 0;

/**
 * A string → `Uint32` interning table; reference 0 is `null`.
 *
 * @example
 * const pool = new StringPool();
 * const ref = pool.intern('8988303000005733850');
 * pool.get(ref) // '8988303000005733850'
 * pool.intern(null) // 0
 */
export class StringPool {
  readonly #refs = new Map<string, number>();
  readonly #values: string[] = [''];
  readonly #operators: (Operator | undefined)[] = [];

  /** Number of distinct strings held. */
  get size(): number {
    return this.#values.length - 1;
  }

  /** The reference of a string (interned on first sight); 0 for `null`. */
  intern(value: string | null): number {
    if (value === null) return NULL_REF;
    let ref = this.#refs.get(value);
    if (ref === undefined) {
      ref = this.#values.length;
      if (ref > 0xffffffff) throw new RangeError('string pool is full (2^32 strings)');
      this.#values.push(value);
      this.#refs.set(value, ref);
    }
    return ref;
  }

  /** The string of a reference; `null` for 0. Throws on a reference this pool never gave. */
  get(ref: number): string | null {
    if (ref === NULL_REF) return null;
    const value = this.#values[ref];
    if (value === undefined) throw new RangeError(`unknown string pool reference ${ref}`);
    return value;
  }

  /** The reference of an operator (its four fields as one key); 0 for `null`. */
  internOperator(operator: Operator | null): number {
    if (operator === null) return NULL_REF;
    return this.intern(operatorKey(operator));
  }

  /** The operator of a reference made by `internOperator`; `null` for 0. */
  operator(ref: number): Operator | null {
    if (ref === NULL_REF) return null;
    const cached = this.#operators[ref];
    if (cached !== undefined) return cached;
    const key = this.get(ref);
    const parsed: unknown = key === null ? null : JSON.parse(key);
    if (!Array.isArray(parsed) || parsed.length !== 4) throw new RangeError(`reference ${ref} is not an operator`);
    const [name, mcc, mnc, country] = parsed as (string | null)[];
    const operator: Operator = Object.freeze({
      name: name ?? null,
      mcc: mcc ?? null,
      mnc: mnc ?? null,
      country: country ?? null,
    });
    this.#operators[ref] = operator;
    return operator;
  }
}

/**
 * The interning key of an operator: its four fields, JSON-encoded (unambiguous, `null`s kept).
 *
 * @example
 * operatorKey({ name: 'Vodafone', mcc: '262', mnc: '02', country: 'de' }) // '["Vodafone","262","02","de"]'
 */
export function operatorKey(operator: Operator): string {
  return JSON.stringify([operator.name, operator.mcc, operator.mnc, operator.country]);
}
