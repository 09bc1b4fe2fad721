/** What went wrong talking to PostgreSQL, as a stable code. */
export type PgFleetErrorCode =
  /** The connection string is not one. */
  | 'invalid_url'
  /** `--pg-schema` is not a plain lower-case identifier. */
  | 'invalid_schema'
  /** The server could not be reached (refused, unknown host, timeout). */
  | 'unreachable'
  /** The server refused the user or its password. */
  | 'auth_failed'
  /** The database named in the connection string does not exist. */
  | 'database_missing'
  /** The schema holds migrations this simfleet does not know, or changed ones. */
  | 'schema_mismatch'
  /** Any other failure of a statement. */
  | 'query_failed';

/**
 * A PostgreSQL problem as one line a person can act on: what (the code), where (the
 * connection string without its password, the schema) and why (the server's words).
 *
 * @example
 * try { await FleetDatabase.open(url); } catch (e) { if (e instanceof PgFleetError) console.error(e.message); }
 */
export class PgFleetError extends Error {
  override readonly name = 'PgFleetError';
  readonly code: PgFleetErrorCode;
  /** SQLSTATE or Node error code of the cause, when there is one (`28P01`, `ECONNREFUSED`, …). */
  readonly causeCode: string | undefined;

  constructor(code: PgFleetErrorCode, message: string, causeCode?: string) {
    super(message);
    this.code = code;
    this.causeCode = causeCode;
  }
}

/**
 * The connection string without its password, for messages (`postgres://alice:***@host/db`).
 *
 * @example
 * redactUrl('postgres://alice:secret@db:5432/fleet') // 'postgres://alice:***@db:5432/fleet'
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable connection string)';
  }
}

/** SQLSTATE / Node codes of connection failures, by what they mean to a user. */
const CONNECT_CODES: Readonly<Record<string, PgFleetErrorCode>> = {
  '28P01': 'auth_failed', // invalid_password
  '28000': 'auth_failed', // invalid_authorization_specification (unknown role, no pg_hba entry)
  '3D000': 'database_missing', // invalid_catalog_name
  ECONNREFUSED: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  ETIMEDOUT: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
};

/** A connection failure from `pg` as a `PgFleetError` naming the server. */
export function connectError(url: string, error: unknown): PgFleetError {
  const code = (error as { code?: unknown }).code;
  const causeCode = typeof code === 'string' ? code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const kind = (causeCode === undefined ? undefined : CONNECT_CODES[causeCode]) ?? (/password/i.test(message) ? 'auth_failed' : 'unreachable');
  const why = kind === 'unreachable' && causeCode !== undefined && !message.includes(causeCode) ? `${message} (${causeCode})` : message;
  return new PgFleetError(kind, `cannot connect to PostgreSQL at ${redactUrl(url)}: ${oneLine(why)}`, causeCode);
}

/** A failed statement as a `PgFleetError` (what was being done, the server's words). */
export function queryError(what: string, error: unknown): PgFleetError {
  if (error instanceof PgFleetError) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return new PgFleetError('query_failed', `${what}: ${oneLine(message)}`, typeof code === 'string' ? code : undefined);
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();
