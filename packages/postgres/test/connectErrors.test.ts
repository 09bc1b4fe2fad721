import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FleetDatabase } from '../src/FleetDatabase.js';
import { PgFleetError } from '../src/PgFleetError.js';
import { freePort } from '../src/testing/throwawayPostgres.js';

let admin: pg.Client;
const server = new URL(inject('pgUrl'));

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject('pgUrl') });
  await admin.connect();
  await admin.query('DROP ROLE IF EXISTS fleet_writer');
  await admin.query("CREATE ROLE fleet_writer LOGIN PASSWORD 'right-password'");
});
afterAll(async () => {
  await admin.end();
});

const at = (user: string, database: string, port = server.port): string => `postgres://${user}@127.0.0.1:${port}/${database}`;

async function failure(url: string, schema?: string): Promise<PgFleetError> {
  const error = await FleetDatabase.open(url, schema === undefined ? {} : { schema }).then(
    async (db) => {
      await db.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PgFleetError);
  return error as PgFleetError;
}

describe('opening a database that cannot be used', () => {
  it('a wrong password: auth_failed, one line naming the server, the password not shown', async () => {
    const error = await failure(at('fleet_writer:wrong-password', 'postgres'));
    expect(error.code).toBe('auth_failed');
    expect(error.causeCode).toBe('28P01');
    expect(error.message).toBe(
      `cannot connect to PostgreSQL at postgres://fleet_writer:***@127.0.0.1:${server.port}/postgres: password authentication failed for user "fleet_writer"`,
    );
  });

  it('a role that does not exist: auth_failed', async () => {
    const error = await failure(at('nobody:x', 'postgres'));
    expect(error.code).toBe('auth_failed');
    expect(error.message).toMatch(/^cannot connect to PostgreSQL at postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:\d+\/postgres: .*"nobody"/);
  });

  it('a missing database: database_missing', async () => {
    const error = await failure(at('postgres', 'no_such_fleet'));
    expect(error.code).toBe('database_missing');
    expect(error.message).toMatch(/: database "no_such_fleet" does not exist$/);
  });

  it('no server on the port: unreachable', async () => {
    const port = await freePort();
    const error = await failure(at('postgres', 'postgres', String(port)));
    expect(error.code).toBe('unreachable');
    expect(error.message).toMatch(new RegExp(`^cannot connect to PostgreSQL at postgres://postgres@127\\.0\\.0\\.1:${port}/postgres: .*ECONNREFUSED`));
  });

  it('a string that is not a connection string, and a schema name that is not plain', async () => {
    expect((await failure('localhost:5432/fleet')).code).toBe('invalid_url');
    expect((await failure(at('postgres', 'postgres'), 'Fleet; DROP')).code).toBe('invalid_schema');
  });

  it('every message is one line', async () => {
    for (const url of [at('fleet_writer:wrong', 'postgres'), at('postgres', 'missing_db'), 'nonsense']) {
      expect((await failure(url)).message).not.toContain('\n');
    }
  });

  it('the right password works', async () => {
    await admin.query('GRANT CREATE ON DATABASE postgres TO fleet_writer');
    const db = await FleetDatabase.open(at('fleet_writer:right-password', 'postgres'), { schema: 'writer_owned' });
    expect(db.schema).toBe('writer_owned');
    await db.close();
  });
});
