// @simfleet/postgres — fleet state in PostgreSQL tables (docs/postgres.md).
export {
  FleetDatabase,
  type FleetDatabaseOptions,
  type FleetProgress,
  type LiveBatch,
  type ReplayWrite,
  type WriteResult,
} from './FleetDatabase.js';
export { TransitionLog } from './TransitionLog.js';
export { PgFleetError, type PgFleetErrorCode, redactUrl } from './PgFleetError.js';
export { DEFAULT_SCHEMA } from './schemaName.js';
export { MIGRATIONS, type Migration, type MigrateResult, migrationChecksum } from './migrations.js';
export { ENDPOINT_COLUMNS, ORGANISATION_COLUMNS } from './endpointRows.js';
export {
  ENDPOINT_SORT_KEYS,
  type EndpointFilter,
  type EndpointHistory,
  type EndpointPage,
  type EndpointPageRequest,
  type EndpointSortKey,
  type FleetCounts,
  FleetQueries,
  type FleetQueriesOptions,
} from './FleetQueries.js';
