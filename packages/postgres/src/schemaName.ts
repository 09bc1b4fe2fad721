import { PgFleetError } from './PgFleetError.js';

/** The schema simfleet's tables live in unless told otherwise. */
export const DEFAULT_SCHEMA = 'simfleet';

/**
 * A schema name as a quoted SQL identifier, after checking it is a plain lower-case
 * identifier (letters, digits, `_`; at most 63 bytes, PostgreSQL's limit): such a name
 * means the same quoted or not, so `psql` users can type it bare.
 *
 * @example
 * quoteSchema('simfleet') // '"simfleet"'
 */
export function quoteSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new PgFleetError('invalid_schema', `schema name '${schema}' is not a plain lower-case identifier (a-z, 0-9, _; at most 63 characters)`);
  }
  return `"${schema}"`;
}
