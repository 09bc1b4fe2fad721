/**
 * vitest global setup: one nats-server for the whole cluster test run, its URL handed to the
 * tests as `inject('natsUrl')`, stopped after. Tests that restart a server start their own
 * (`startNatsServer` in natsServer.ts) so they never disturb the others.
 */
import type { TestProject } from 'vitest/node';
import { type NatsServer, startNatsServer } from './natsServer.js';

declare module 'vitest' {
  export interface ProvidedContext {
    natsUrl: string;
  }
}

let server: NatsServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startNatsServer();
  project.provide('natsUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
