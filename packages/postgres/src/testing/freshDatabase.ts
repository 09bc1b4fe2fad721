import pg from 'pg';

/**
 * Creates an empty database on the server of `adminUrl` (a superuser's connection
 * string) and returns its connection string: each test file gets its own database, so
 * files running side by side never see each other's tables.
 *
 * @example
 * const url = await freshDatabase(inject('pgUrl'), 'replay_test'); // postgres://postgres@127.0.0.1:PORT/replay_test
 */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new RangeError(`not a plain database name: '${name}'`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}"`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
