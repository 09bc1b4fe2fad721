/** The lifetime claims of a JWT, in epoch milliseconds (`null` when absent). */
export interface JwtLifetime {
  readonly issuedAt: number | null;
  readonly expiresAt: number | null;
}

/**
 * Reads `iat` and `exp` from a JWT's payload without verifying it (the Event API
 * verifies; the client only needs to know when to authenticate again). A token that
 * is not a readable JWT has no known expiry: a 401 then triggers the re-authentication.
 *
 * @example
 * jwtLifetime('eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDAwMDAwMDB9.sig') // { issuedAt: null, expiresAt: 1700000000000 }
 */
export function jwtLifetime(token: string): JwtLifetime {
  const payload = token.split('.')[1];
  if (payload === undefined) return { issuedAt: null, expiresAt: null };
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof claims !== 'object' || claims === null) return { issuedAt: null, expiresAt: null };
    const { iat, exp } = claims as { iat?: unknown; exp?: unknown };
    return { issuedAt: secondsToMs(iat), expiresAt: secondsToMs(exp) };
  } catch {
    return { issuedAt: null, expiresAt: null };
  }
}

/** NumericDate claims are seconds since the epoch. */
function secondsToMs(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value * 1000 : null;
}
