import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * A checker for `Authorization: Bearer <token>`. Both sides are hashed first so the
 * constant-time comparison does not leak the token's length either.
 *
 * @example
 * const authorized = bearerAuth(process.env.SIMFLEET_TOKEN); if (!authorized(req)) reply401();
 */
export function bearerAuth(token: string): (req: IncomingMessage) => boolean {
  if (token === '') throw new RangeError('the bearer token must not be empty');
  const expected = digest(token);
  return (req) => {
    const header = req.headers.authorization;
    if (header === undefined) return false;
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (match === null) return false;
    return timingSafeEqual(digest(match[1] as string), expected);
  };
}
