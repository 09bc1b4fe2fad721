import { startThrowawayPostgres } from './throwawayPostgres.js';

/**
 * The body of a vitest `globalSetup` that needs PostgreSQL: starts one throwaway cluster,
 * provides its superuser connection string as `pgUrl`, and returns the teardown that stops
 * it. Each test file makes its own database (`freshDatabase`).
 *
 * @example
 * // test/globalSetup.ts
 * declare module 'vitest' { export interface ProvidedContext { pgUrl: string } }
 * export default (project: TestProject) => providePostgres(project);
 * // in a test: const url = await freshDatabase(inject('pgUrl'), 'my_test');
 */
export async function providePostgres(project: { provide(key: 'pgUrl', value: string): void }): Promise<() => Promise<void>> {
  const server = await startThrowawayPostgres({ log: (line) => process.stderr.write(`${line}\n`) });
  project.provide('pgUrl', server.url);
  return () => server.stop();
}
