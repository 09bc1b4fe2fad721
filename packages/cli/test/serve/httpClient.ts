import { type RunningServer, type ServeOptions, startServer } from '../../src/serve/startServer.js';

export const TOKEN = 'test-token-0123';

/** A server on a free loopback port. */
export async function testServer(overrides: Partial<ServeOptions> = {}): Promise<RunningServer & { logs: string[] }> {
  const logs: string[] = [];
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    token: TOKEN,
    heartbeatMs: 60_000,
    log: (m) => logs.push(m),
    ...overrides,
  });
  return Object.assign(server, { logs });
}

/** `fetch` with the bearer token. */
export function api(server: RunningServer, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${TOKEN}`);
  return fetch(`${server.url}${path}`, { ...init, headers });
}

/** Polls until `condition` resolves true (the pipeline applies on its own schedule). */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until the server has applied at least `n` events in total. */
export async function waitApplied(server: RunningServer, n: number): Promise<void> {
  await waitFor(async () => {
    const summary = (await (await api(server, '/fleet/summary')).json()) as { pipeline: { applied: number } };
    return summary.pipeline.applied >= n;
  });
}
