/** vitest global setup: one throwaway PostgreSQL 15 for the worker's tables (`inject('pgUrl')`). */
import { providePostgres } from '@simfleet/postgres/testing';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser connection string of the throwaway cluster. */
    pgUrl: string;
  }
}

export default (project: TestProject): Promise<() => Promise<void>> => providePostgres(project);
