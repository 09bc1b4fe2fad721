/** One throwaway PostgreSQL 15 for the CLI's tests that write to it (`inject('pgUrl')`). */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { providePostgres } from '@simfleet/postgres/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser connection string of the throwaway cluster. */
    pgUrl: string;
  }
}

export default (project: TestProject): Promise<() => Promise<void>> => providePostgres(project);
