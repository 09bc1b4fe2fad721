// @simfleet/postgres/testing — a real PostgreSQL for tests and benchmarks (never a stand-in).
export {
  ensurePostgresInstalled,
  freePort,
  POSTGRES_BIN,
  startThrowawayPostgres,
  type ThrowawayPostgres,
  type ThrowawayPostgresOptions,
} from './throwawayPostgres.js';
export { freshDatabase } from './freshDatabase.js';
export { endpointRowsAsJson } from './endpointRowsAsJson.js';
export { providePostgres } from './providePostgres.js';
export { dumpFleetTables } from './dumpFleetTables.js';
