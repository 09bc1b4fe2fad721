/**
 * Starts one throwaway PostgreSQL 15 for the package's tests and hands its superuser
 * connection string to them (`inject('pgUrl')`); each test file makes its own database.
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startThrowawayPostgres } from '../src/testing/throwawayPostgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser connection string of the throwaway cluster. */
    pgUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startThrowawayPostgres({ log: (line) => process.stderr.write(`${line}\n`) });
  project.provide('pgUrl', server.url);
  return () => server.stop();
}
